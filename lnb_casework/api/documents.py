"""Frappe's methods that act on a document the client sends back as JSON, overridden (hooks.py) so that none
trusts the client's copy (docs/threat-model.md, "Documents sent back by the client"):
- a copy that names a stored record is judged by the stored record, found by name as the database matches
  names: the user's permission (read, and the action's) is checked on it first, and a record refused answers
  exactly like one that does not exist ("Not permitted"), with no timestamp;
- for the app's doctypes a whitelisted document method runs on the stored document, so nothing the client
  sent decides its effect (its `modified` only tells a user who may read the record that it has changed);
- a saved copy's child rows are its own: a row named like another record's row is saved as a new row;
- a new (unsaved) document is left to Frappe.
"""

from typing import Any, NoReturn
from urllib.parse import unquote

import frappe
from frappe import _, handler
from frappe import client as frappe_client
from frappe.desk.form import save as frappe_save
from frappe.utils import cint, cstr
from frappe.www import printview

APP_MODULE = "LNB Casework"
# what each of the desk's save actions needs on the stored record, beside read
SAVE_ACTION_PERMISSION = {"Save": "write", "Submit": "submit", "Update": "submit", "Cancel": "cancel"}
# what saving a copy needs on the stored record, by (stored docstatus, the copy's docstatus)
SAVE_PERMISSION = {(0, 0): "write", (0, 1): "submit", (1, 1): "submit", (1, 2): "cancel"}
VERSION_2_RUN_DOC_METHOD = "/api/v2/method/run_doc_method"
VERSION_2_DOCUMENTS = "/api/v2/document/"
VERSION_2_PERMISSION = {"GET": "read", "POST": "write"}


def refuse() -> NoReturn:
	"""The answer to a record the user may not act on, the same as to one that does not exist."""
	frappe.throw(_("Not permitted"), frappe.PermissionError)


def client_document(value: Any) -> dict:
	document = frappe.parse_json(value)
	if not isinstance(document, dict) or not isinstance(document.get("doctype"), str):
		refuse()
	if not frappe.db.exists("DocType", document["doctype"]):
		refuse()
	return document


def stored_name(doctype: str, name: Any) -> str | None:
	"""The name the database holds for the record so named (matched as MariaDB matches names), or None."""
	if frappe.get_meta(doctype).issingle:
		return doctype
	if not isinstance(name, str) or not name:
		return None
	return frappe.db.get_value(doctype, name, "name")


def stored_record(document: dict) -> str | None:
	"""The stored name of the record the client's copy names; None for a new document. A copy that claims to
	be saved but names no record answers like a record refused."""
	name = stored_name(document["doctype"], document.get("name"))
	if name is None and document.get("name") and not document.get("__islocal"):
		refuse()
	return name


def named_record(doctype: Any, name: Any, *permissions: str) -> str:
	"""The stored name of a record named by doctype and name, once the user is found to have read and each
	permission on it; refused like a record that does not exist."""
	if not isinstance(doctype, str) or not frappe.db.exists("DocType", doctype):
		refuse()
	stored = stored_name(doctype, name)
	if not stored:
		refuse()
	check_permission_on_stored(doctype, stored, *permissions)
	return stored


def check_permission_on_stored(doctype: str, name: str, *permissions: str) -> None:
	"""Each permission on the stored record (a child row's: on its stored parent), judged by name so the
	permission rules read the database, not the client's copy."""
	if frappe.get_meta(doctype).istable:
		row = frappe.db.get_value(doctype, name, ["parenttype", "parent"], as_dict=True)
		if not row or not row.parenttype or not frappe.db.exists(row.parenttype, row.parent):
			refuse()
		doctype, name = row.parenttype, row.parent
	for permission in ("read", *permissions):
		if not frappe.has_permission(doctype, permission, doc=name):
			refuse()


def is_app_doctype(doctype: str) -> bool:
	return frappe.db.get_value("DocType", doctype, "module", cache=True) == APP_MODULE


def refuse_if_changed_since_read(document: dict, name: str) -> None:
	"""Frappe's check that the user acts on the record as they last saw it, for a user who may read it."""
	sent = document.get("modified")
	if sent and cstr(sent) != cstr(frappe.db.get_value(document["doctype"], name, "modified")):
		frappe.throw(
			_("{0} {1} has been changed since you opened it. Refresh to see the latest version.").format(
				_(document["doctype"]), name
			),
			frappe.TimestampMismatchError,
		)


def own_rows_only(document: dict, name: str) -> None:
	"""Frappe updates a saved copy's child rows by their names alone, whatever record they belong to: a row
	named like another record's row (or like no row) becomes a new row of this one."""
	meta = frappe.get_meta(document["doctype"])
	for table in meta.get_table_fields():
		rows = [row for row in document.get(table.fieldname) or [] if isinstance(row, dict)]
		named = [row["name"] for row in rows if isinstance(row.get("name"), str) and not row.get("__islocal")]
		stored = {
			row.name.lower(): row.name
			for row in frappe.get_all(
				table.options,
				filters={
					"name": ("in", named or [""]),
					"parent": name,
					"parenttype": meta.name,
					"parentfield": table.fieldname,
				},
				fields=["name"],
			)
		}
		for row in rows:
			if row.get("__islocal") or not isinstance(row.get("name"), str):
				continue
			if own := stored.get(row["name"].lower()):
				row["name"] = own
			else:
				row["name"], row["__islocal"] = None, 1


def checked_copy(document: dict, permission_of: dict[tuple[int, int], str]) -> dict:
	"""The client's copy of a document to be saved, once the user is found to have read and the change's
	permission on the stored record it names, with the stored spelling of its name and only its own rows."""
	if document.get("__islocal") or not document.get("name"):
		return document
	name = stored_record(document)
	doctype = document["doctype"]
	stored_status = frappe.db.get_value(doctype, name, "docstatus") or 0
	permission = permission_of.get((stored_status, cint(document.get("docstatus"))), "write")
	check_permission_on_stored(doctype, name, permission)
	document["name"] = name
	own_rows_only(document, name)
	return document


@frappe.whitelist(allow_guest=True)
def run_doc_method(method: str, docs=None, dt=None, dn=None, arg=None, args=None):
	"""frappe.handler.run_doc_method (runserverobj), with the stored record judged first; for the app's
	doctypes the method runs on the stored document."""
	if dt:
		name = named_record(dt, dn or dt)
		return handler.run_doc_method(method, dt=dt, dn=name, arg=arg, args=args)
	document = client_document(docs)
	name = stored_record(document)
	if name is None:
		return handler.run_doc_method(method, docs=document, arg=arg, args=args)
	doctype = document["doctype"]
	check_permission_on_stored(doctype, name)
	if is_app_doctype(doctype):
		refuse_if_changed_since_read(document, name)
		return handler.run_doc_method(method, dt=doctype, dn=name, arg=arg, args=args)
	document["name"] = name
	own_rows_only(document, name)
	return handler.run_doc_method(method, docs=document, arg=arg, args=args)


@frappe.whitelist()
def savedocs(doc, action):
	"""The desk's save (frappe.desk.form.save.savedocs), with the stored record judged first."""
	if action not in SAVE_ACTION_PERMISSION:
		frappe.throw(_("{0} is not a way to save a document.").format(action))
	document = checked_copy(
		client_document(doc), dict.fromkeys(SAVE_PERMISSION, SAVE_ACTION_PERMISSION[action])
	)
	return frappe_save.savedocs(frappe.as_json(document), action)


@frappe.whitelist(methods=["POST", "PUT"])
def save(doc):
	"""frappe.client.save, with the stored record judged first."""
	return frappe_client.save(checked_copy(client_document(doc), SAVE_PERMISSION))


@frappe.whitelist(methods=["POST", "PUT"])
def submit(doc):
	"""frappe.client.submit, with the stored record judged first."""
	return frappe_client.submit(checked_copy(client_document(doc), dict.fromkeys(SAVE_PERMISSION, "submit")))


def checked_new_row(document: dict) -> dict:
	"""A child row inserted alone is saved with its parent: the user must be able to change the stored
	parent, refused like a parent that does not exist."""
	if not frappe.get_meta(document["doctype"]).istable:
		return document
	parenttype = document.get("parenttype")
	if not isinstance(parenttype, str) or not frappe.db.exists("DocType", parenttype):
		refuse()
	parent = stored_name(parenttype, document.get("parent"))
	if not parent:
		refuse()
	check_permission_on_stored(parenttype, parent, "write")
	document["parent"] = parent
	return document


@frappe.whitelist(methods=["POST", "PUT"])
def insert(doc=None):
	"""frappe.client.insert; a child row only into a parent the user may change."""
	return frappe_client.insert(checked_new_row(client_document(doc)))


@frappe.whitelist(methods=["POST", "PUT"])
def insert_many(docs=None):
	"""frappe.client.insert_many; child rows only into parents the user may change."""
	documents = frappe.parse_json(docs)
	if not isinstance(documents, list):
		frappe.throw(_("Give a list of documents to insert."))
	return frappe_client.insert_many([checked_new_row(client_document(document)) for document in documents])


def printed_document(doc: Any, name: Any) -> tuple[Any, Any]:
	"""The (doc, name) arguments of Frappe's print methods once judged: a copy naming a stored record of the
	app's doctypes prints the stored record; another's copy prints with the stored spelling of its name."""
	if isinstance(name, str):
		return doc, named_record(doc, name)
	document = client_document(doc)
	stored = stored_record(document)
	if stored is None:
		return frappe.as_json(document), None
	check_permission_on_stored(document["doctype"], stored)
	if is_app_doctype(document["doctype"]):
		return document["doctype"], stored
	document["name"] = stored
	return frappe.as_json(document), None


@frappe.whitelist()
def get_html_and_style(
	doc: str,
	name: str | None = None,
	print_format: str | None = None,
	no_letterhead: bool | None = None,
	letterhead: str | None = None,
	trigger_print: bool = False,
	style: str | None = None,
	settings: str | None = None,
):
	"""frappe.www.printview.get_html_and_style, with a client's copy judged by its stored record."""
	doc, name = printed_document(doc, name)
	return printview.get_html_and_style(
		doc, name, print_format, no_letterhead, letterhead, trigger_print, style, settings
	)


@frappe.whitelist()
def get_rendered_raw_commands(doc: str, name: str | None = None, print_format: str | None = None):
	"""frappe.www.printview.get_rendered_raw_commands, with a client's copy judged by its stored record."""
	doc, name = printed_document(doc, name)
	return printview.get_rendered_raw_commands(doc, name, print_format)


def judge_version_2_document_methods() -> None:
	"""auth_hooks hook (the user is known then). REST API v2 routes its document methods itself (no override reaches them):
	/api/v2/method/run_doc_method (the client's copy) and /api/v2/document/<doctype>/<name>/method/<method>
	(the stored record). Both are judged here by the stored record first; a copy of a stored record of the
	app's doctypes is sent to the route that runs the method on the stored document."""
	request = frappe.request
	if not request:
		return
	permission = VERSION_2_PERMISSION.get(request.method, "write")
	if request.path.rstrip("/") == VERSION_2_RUN_DOC_METHOD:
		document = client_document(frappe.form_dict.get("document"))
		name = stored_record(document)
		if name is None:
			return
		check_permission_on_stored(document["doctype"], name, permission)
		if is_app_doctype(document["doctype"]):
			frappe.throw(
				_("Call this method on the stored record: {0}").format(
					f"{VERSION_2_DOCUMENTS}{document['doctype']}/{name}/method/{frappe.form_dict.get('method')}"
				)
			)
	elif request.path.startswith(VERSION_2_DOCUMENTS) and "/method/" in request.path:
		doctype, _slash, rest = request.path[len(VERSION_2_DOCUMENTS) :].partition("/")
		named_record(unquote(doctype), unquote(rest.rpartition("/method/")[0]), permission)
