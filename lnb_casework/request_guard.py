"""Nobody learns that a case exists unless they may read it; guests learn nothing of the app's records.

Frappe answers a request for a record it cannot find 404, and one the user may not read 403, which tells
anyone who asks that a case reference is real. This guard runs once the request's user is known (as an
auth hook: after session cookies and API keys are checked) and refuses, the same way for records that
exist and records that do not:
- a guest's request that names any of the app's doctypes, by path or by parameter;
- anyone's request for one particular case, or review, that they may not read.
"""

from urllib.parse import unquote

import frappe
from frappe import _

from lnb_casework.permissions import may_read_case

MODULE = "LNB Casework"
DOCTYPE_PARAMETERS = ("doctype", "reference_doctype", "doc_type", "dt", "parenttype")
NAME_PARAMETERS = ("name", "docname", "dn")
RESOURCE_PATHS = ("/api/resource/", "/api/v1/resource/", "/api/v2/document/", "/api/v2/doctype/")


def refuse_requests_that_would_reveal_records() -> None:
	"""auth_hooks hook."""
	if frappe.session.user == "Guest":
		if any(is_app_doctype(doctype) for doctype, _name in named_records()):
			raise frappe.PermissionError(_("Not permitted"))
		return
	for doctype, name in named_records():
		if name and doctype in ("Case", "Review") and not may_read_case(case_of(doctype, name)):
			raise frappe.PermissionError(_("Not permitted"))


def named_records() -> list[tuple[str, str | None]]:
	"""The (doctype, name) pairs a request names; name is None when it names none."""
	form = frappe.form_dict
	name = next(
		(str(form[key]) for key in NAME_PARAMETERS if isinstance(form.get(key), str) and form.get(key)), None
	)
	records = [
		(str(form[key]), name)
		for key in DOCTYPE_PARAMETERS
		if isinstance(form.get(key), str) and form.get(key)
	]
	path = frappe.local.request.path
	for prefix in RESOURCE_PATHS:
		if path.startswith(prefix):
			doctype, _slash, rest = path[len(prefix) :].partition("/")
			records.append((unquote(doctype), unquote(rest.split("/", 1)[0]) or None))
	return records


def case_of(doctype: str, name: str) -> str | None:
	return name if doctype == "Case" else frappe.db.get_value("Review", name, "case")


def is_app_doctype(doctype: str) -> bool:
	return frappe.db.get_value("DocType", doctype, "module", cache=True) == MODULE
