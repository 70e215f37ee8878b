"""Who read a case or a review, when and how: one View Log per document read by a person
(docs/view-audit.md).

Frappe's View Log (who, when, which document) is what the desk shows beside a form; the app adds how the
document was read (`lnb_viewed_through`), so the desk's own view of it keeps working.
"""

import frappe
from frappe import _
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.model.document import Document

from lnb_casework.casework.rules import SYSTEM_MANAGER
from lnb_casework.permissions import document_has_permission
from lnb_casework.request_guard import requested_method

DESK = "Desk"
REST = "REST"
PRINT = "Print"
PDF = "PDF"
REPORT_EXPORT = "Report export"
SUBJECT_ACCESS = "Subject access"
WAYS_OF_VIEWING = (DESK, REST, PRINT, PDF, REPORT_EXPORT, SUBJECT_ACCESS)

AUDITED_DOCTYPES = ("Case", "Review")
HOW_FIELD = "lnb_viewed_through"
# the desk's form asks for a document through this method, and Frappe's add_viewed writes its View Log
DESK_FORM_METHOD = "frappe.desk.form.load.getdoc"
# what a person may never do to a View Log (the app and Frappe write them past permissions)
CHANGES = ("create", "write", "delete", "submit", "cancel", "amend", "import")


class ViewLogUnchangeable(frappe.PermissionError):
	"""The record of who read what is kept as written."""


def record_view(doctype: str, name: str, how: str) -> None:
	"""One View Log: the session user read this document, this way. Nothing for a guest."""
	if how not in WAYS_OF_VIEWING:
		raise ValueError(f"unknown way of viewing: {how}")
	if frappe.session.user == "Guest":
		return
	frappe.get_doc(
		{
			"doctype": "View Log",
			"viewed_by": frappe.session.user,
			"reference_doctype": doctype,
			"reference_name": name,
			HOW_FIELD: how,
		}
	).insert(ignore_permissions=True)


def note_how_the_desk_viewed(doc: Document, method: str | None = None) -> None:
	"""View Log before_insert: Frappe's own View Log, written as the desk's form loads, says "Desk"."""
	if doc.get(HOW_FIELD) or not frappe.request:
		return
	if requested_method() == DESK_FORM_METHOD:
		doc.set(HOW_FIELD, DESK)


def may_change_view_logs(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or SYSTEM_MANAGER in frappe.get_roles(user)


def view_log_has_permission(doc: Document, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission hook: read by the row rule of the document viewed; made, changed or deleted by nobody
	but a System Manager."""
	if ptype in CHANGES and not may_change_view_logs(user):
		return False
	return document_has_permission(doc, ptype, user)


def refuse_changes(doc: Document, method: str | None = None) -> None:
	"""View Log validate: a saved View Log is not changed."""
	if not doc.is_new() and not may_change_view_logs():
		frappe.throw(_("A record of who viewed a case cannot be changed."), ViewLogUnchangeable)


def refuse_deletion(doc: Document, method: str | None = None) -> None:
	"""View Log on_trash."""
	if not may_change_view_logs():
		frappe.throw(_("A record of who viewed a case cannot be deleted."), ViewLogUnchangeable)


def ensure_view_log_says_how() -> None:
	"""Install code: the View Log field that says how a document was read, saved only when it differs (so a
	second migrate changes nothing)."""
	field = {
		"fieldname": HOW_FIELD,
		"label": "Viewed Through",
		"fieldtype": "Select",
		"options": "\n".join(("", *WAYS_OF_VIEWING)),
		"insert_after": "reference_name",
		"read_only": 1,
		"in_list_view": 1,
		"in_standard_filter": 1,
	}
	existing = frappe.db.get_value(
		"Custom Field", {"dt": "View Log", "fieldname": HOW_FIELD}, list(field), as_dict=True
	)
	if existing and all(existing[key] == value for key, value in field.items()):
		return
	create_custom_fields({"View Log": [field]}, update=True)
