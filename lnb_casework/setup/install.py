"""Site set-up that Frappe does not sync from the module folder (roles, workflows, settings).

Every function here is idempotent: it runs after install and after every migrate.
"""


def after_install() -> None:
	ensure_site_setup()


def after_migrate() -> None:
	ensure_site_setup()


def ensure_site_setup() -> None:
	"""Nothing to set up yet; later capabilities add roles, workflows and settings here."""
