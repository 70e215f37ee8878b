"""Site set-up that Frappe does not sync from the module folder (roles, workflow states, settings).

Every function here is idempotent: it runs after install and after every migrate.
"""

import frappe

from lnb_casework.audit.views import ensure_view_log_says_how
from lnb_casework.casework.list_columns import ensure_case_list_columns, ensure_case_list_order_index
from lnb_casework.casework.rules import CASE_WORKFLOW
from lnb_casework.data_protection.retention_job import ensure_retention_index
from lnb_casework.learning.workflows import ADVOCACY_ACTION_WORKFLOW, SYSTEMIC_ISSUE_WORKFLOW
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import contact_address, fill_in_defaults
from lnb_casework.lnb_casework.doctype.seips_component.seips_component import ensure_seips_components
from lnb_casework.oversight.headlines import ensure_headline_indexes
from lnb_casework.oversight.report_indexes import ensure_report_indexes
from lnb_casework.review.workflow import REVIEW_WORKFLOW
from lnb_casework.setup.two_factor import require_two_factor_sign_in
from lnb_casework.setup.website import show_learn_not_blame_on_public_pages
from lnb_casework.setup.workflows import ensure_workflow

ROLES = ("LNB Caseworker", "LNB Coordinator", "LNB Policy Lead")


def after_install() -> None:
	ensure_site_setup()
	# Frappe puts tracebacks (code, paths, SQL) in error responses by default; once, so that an
	# administrator who needs them can turn them back on.
	frappe.db.set_single_value("System Settings", "allow_error_traceback", 0)


def after_migrate() -> None:
	ensure_site_setup()


def ensure_site_setup() -> None:
	use_uk_time_unless_set()
	ensure_roles()
	require_two_factor_sign_in()
	ensure_seips_components()
	ensure_workflow(CASE_WORKFLOW)
	ensure_workflow(REVIEW_WORKFLOW)
	ensure_workflow(SYSTEMIC_ISSUE_WORKFLOW)
	ensure_workflow(ADVOCACY_ACTION_WORKFLOW)
	ensure_case_list_columns()
	ensure_case_list_order_index()
	ensure_view_log_says_how()
	fill_in_defaults()
	ensure_retention_index()
	ensure_headline_indexes()
	ensure_report_indexes()
	show_learn_not_blame_on_public_pages(contact_address())


def ensure_roles() -> None:
	for role in ROLES:
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True
			)


def use_uk_time_unless_set() -> None:
	"""Consent and deadlines are UK times; a site whose set-up wizard has not run has no time zone yet."""
	if not frappe.db.get_single_value("System Settings", "time_zone"):
		frappe.db.set_single_value("System Settings", "time_zone", "Europe/London")
