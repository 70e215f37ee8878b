"""Guests reach the intake form and nothing else of the app: not even whether a record exists.

Frappe answers a guest's request for a record 404 when it does not exist and 403 when it does, which
tells anyone on the internet that a case reference is real. Every guest request that names one of the
app's doctypes, by path or by parameter, is refused the same way before Frappe looks the record up.
"""

import frappe
from frappe import _

MODULE = "LNB Casework"
DOCTYPE_PARAMETERS = ("doctype", "reference_doctype", "doc_type", "dt", "parenttype")
RESOURCE_PATHS = ("/api/resource/", "/api/v1/resource/", "/api/v2/document/", "/api/v2/doctype/")


def refuse_guest_requests_for_app_records() -> None:
	"""before_request hook."""
	if frappe.session.user != "Guest":
		return
	if any(is_app_doctype(doctype) for doctype in named_doctypes()):
		raise frappe.PermissionError(_("Not permitted"))


def named_doctypes() -> list[str]:
	request = frappe.local.request
	doctypes = [
		str(frappe.form_dict.get(parameter))
		for parameter in DOCTYPE_PARAMETERS
		if frappe.form_dict.get(parameter)
	]
	for prefix in RESOURCE_PATHS:
		if request.path.startswith(prefix):
			doctypes.append(request.path[len(prefix) :].split("/", 1)[0])
	return doctypes


def is_app_doctype(doctype: str) -> bool:
	from urllib.parse import unquote

	return frappe.db.get_value("DocType", unquote(doctype), "module", cache=True) == MODULE
