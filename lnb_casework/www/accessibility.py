"""The accessibility statement of the public pages, as UK public bodies publish one (docs/accessibility.md)."""

import frappe
from frappe import _

from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import contact_address

# when the statement was written and last checked against the pages, and the standard it measures them by
PREPARED_ON = "2 December 2026"
REVIEWED_ON = "2 December 2026"
TESTED_ON = "2 December 2026"
STANDARD = "WCAG 2.2 AA"

no_cache = 1


def get_context(context: frappe._dict) -> None:
	context.title = _("Accessibility statement")
	context.no_breadcrumbs = 1
	context.contact_address = contact_address()
	context.prepared_on = PREPARED_ON
	context.reviewed_on = REVIEWED_ON
	context.tested_on = TESTED_ON
	context.standard = STANDARD
