from frappe import _

from lnb_casework.intake.uploads import ACCEPTED_EXTENSIONS, MOST_BYTES_IN_ALL
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import get_lnb_settings


def get_context(context):
	"""What the form's script shows: the consent wording of now, and the limits on files."""
	settings = get_lnb_settings()
	context.no_cache = 1
	context.lnb_intake = {
		"consent_wording": settings.consent_wording,
		"consent_version": settings.consent_version,
		"max_attachments": settings.max_attachments,
		"max_attachment_size_mb": settings.max_attachment_size_mb,
		"most_mb_in_all": MOST_BYTES_IN_ALL // (1024 * 1024),
		"accepted_extensions": [f".{extension}" for extension in ACCEPTED_EXTENSIONS],
		"field_problems_title": _("Please check your answers"),
	}
