"""The request layer: nobody learns what they may not through the arguments of a request.

It runs once the request's user is known (an auth hook: after session cookies and API keys are checked),
for every request of every user but System Managers, whatever method it calls, Frappe's or the app's,
listed anywhere or not:
- a query argument (fields, filters, orders, groups, aggregates: lnb_casework/query_arguments.py) that is
  not a plain field the user may read is refused;
- names are compared as the database compares them (lnb_casework/name_comparison.py): any value, under
  any parameter, inside any JSON argument or in the path, that could be a case or a review reference
  however it is spelt (case, spaces, accents, look-alike letters and digits) is looked up, and the
  request is refused unless it names a record the user may read, the same way whether the record exists
  or not, so nobody learns that a reference is real;
- in a request that names a guarded doctype (below) by any doctype parameter, any value that the database
  finds to be the name of a record of that doctype is judged by that stored record's rule, whatever the
  parameter is called (Frappe's follow_document names its document `doc_name`);
- a guest's request that names any of the app's doctypes is refused.
Then, as the response goes out (an after_request hook), "not permitted" and "not found" answers to the
API are made one and the same, so a method that answers a record it found but may not show differently
from a record it did not find tells nothing either.
"""

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

import frappe
from frappe import _
from frappe.model import child_table_fields, default_fields, optional_fields
from werkzeug.wrappers import Response

from lnb_casework.name_comparison import NAME_LENGTH, as_compared, could_be_generated_name, referenced_doctype
from lnb_casework.permissions import (
	RECORDS_ABOUT_DOCUMENTS,
	allows,
	has_row_rule,
	rows_follow_their_parent,
	sees_every_case,
	stored_column,
	stored_verdicts,
)
from lnb_casework.query_arguments import (
	DOCTYPE_ARGUMENTS,
	MAX_NESTING,
	Columns,
	decoded,
	objects_in,
	request_refusal,
)

MODULE = "LNB Casework"
# the parameters by which Frappe's and the app's methods name a doctype
DOCTYPE_PARAMETERS = (
	"doctype",
	"reference_doctype",
	"doc_type",
	"dt",
	"parenttype",
	"parent_doctype",
	"ref_doctype",
	"document_type",
	"reference_type",
	"reminder_doctype",
	"link_doctype",
)
RESOURCE_PATHS = ("/api/resource/", "/api/v1/resource/", "/api/v2/document/", "/api/v2/doctype/")
# the pairs of parameters by which Frappe's methods name records: (doctype, name or list of names)
RECORD_PARAMETERS = (
	("doctype", "name"),
	("doctype", "docname"),
	("doctype", "docnames"),
	("doctype", "names"),
	("doctype", "items"),
	("doc", "name"),
	("dt", "dn"),
	("dt", "docs"),
	("doc_type", "docname"),
	("ref_doctype", "docname"),
	("reference_doctype", "reference_name"),
	("reference_doctype", "reference_docname"),
	("document_type", "document_name"),
	("reminder_doctype", "reminder_docname"),
	("parenttype", "parent"),
)
# parameters that name a record of one doctype only (frappe.desk.form.utils.remove_attach's file)
IMPLIED_DOCTYPE_PARAMETERS = {"fid": "File"}
GUARDED_DOCTYPES = {
	*RECORDS_ABOUT_DOCUMENTS,
	"Equality Monitoring",
	"Systemic Issue Evidence",
	"LNB Alert Log",
}
# besides the guarded doctypes, the records whose every name parameter is resolved (for those who do not
# see every case): their names are references, but one made by hand need not look like one
NAMED_CASEWORK = ("Case", "Review")
# the public intake (its own endpoint) creates a case and names none it could learn about
INTAKE_METHOD = "lnb_casework.api.intake.submit"
METHOD_PATHS = ("/api/method/", "/api/v1/method/", "/api/v2/method/")
PARENT_PARAMETERS = ("parent_doctype", "parent", "parenttype")
# the name the desk's form asks the server for when it opens a new document (/app/review/new); no record
# of a guarded doctype is named so, and the answer (nothing) tells nobody anything
NEW_DOCUMENT = "new"


class QueryArgumentRefused(frappe.PermissionError):
	"""Refused like any other read one may not make (403), so it tells nothing a refusal does not."""


def refuse_requests_that_would_reveal_records() -> None:
	"""auth_hooks hook."""
	if is_trusted():
		return
	if frappe.session.user == "Guest" and any(is_app_doctype(doctype) for doctype in named_doctypes()):
		raise frappe.PermissionError(_("Not permitted"))
	if requested_method() == INTAKE_METHOD:
		# a guest's new case: it names nothing that exists, and api/intake.py checks every answer, once
		# Frappe has read them (is_whitelisted decodes a guest's JSON arguments, and fails on deep nesting)
		refuse_unreadable_intake(frappe.form_dict)
		return
	arguments = dict(frappe.form_dict)
	if str(arguments.get("debug") or "").lower() not in ("", "0", "false"):
		# Frappe then answers with the SQL it ran, row rules and all
		frappe.throw(_("Debugging is for System Managers."), QueryArgumentRefused, title=_("Not allowed"))
	if not any(arguments.get(key) for key in DOCTYPE_ARGUMENTS) and (in_path := path_doctypes()):
		arguments["doctype"] = in_path[0]
	if refusal := request_refusal(arguments, readable_columns, readable_link_titles):
		frappe.throw(
			_("This request asks for something that is not a field you may read ({0}).").format(refusal),
			QueryArgumentRefused,
			title=_("Not allowed"),
		)
	values = argument_values(arguments)
	if not may_read_every_reference(values):
		raise frappe.PermissionError(_("Not permitted"))
	for doctype, name in named_records():
		if name != NEW_DOCUMENT and is_guarded(doctype) and not may_read_record(doctype, name):
			raise frappe.PermissionError(_("Not permitted"))
	if not may_read_every_record_named(doctypes_named_in(arguments), values, loose_values(arguments)):
		raise frappe.PermissionError(_("Not permitted"))


def refuse_unreadable_intake(arguments: dict) -> None:
	from lnb_casework.api.intake import MAX_PAYLOAD_NESTING, MalformedSubmission, nesting_depth

	for value in arguments.values():
		try:
			readable = nesting_depth(decoded(value)) <= MAX_PAYLOAD_NESTING
		except RecursionError:
			readable = False
		if not readable:
			frappe.throw(_("The form data could not be read."), MalformedSubmission, title=_("Not sent"))


def requested_method() -> str | None:
	"""The whitelisted method a request calls: in its path, or (for a call to "/") in form_dict, where
	Frappe puts the X-Frappe-CMD header."""
	path = frappe.request.path
	for prefix in METHOD_PATHS:
		if path.startswith(prefix):
			return path[len(prefix) :].strip("/")
	return frappe.form_dict.get("cmd")


def is_trusted() -> bool:
	return frappe.session.user == "Administrator" or "System Manager" in frappe.get_roles()


def readable_columns(doctype: str) -> Columns | None:
	"""The columns of a doctype, and of its child tables, that the user may read; None if there is no
	such doctype."""
	if not isinstance(doctype, str) or not frappe.db.get_value("DocType", doctype, "name", cache=True):
		return None
	parent = next(
		(frappe.form_dict[key] for key in PARENT_PARAMETERS if isinstance(frappe.form_dict.get(key), str)),
		None,
	)
	return ReadableColumns(doctype, parent)


class ReadableColumns(Mapping):
	"""{doctype: the columns the user may read} for a doctype and its child tables, each looked up only
	when a request names it (most name none of the child tables)."""

	def __init__(self, doctype: str, parent: str | None):
		meta = frappe.get_meta(doctype)
		self.doctype = doctype
		self.parenttype = {doctype: parent if meta.istable else None}
		self.parenttype.update({table.options: doctype for table in meta.get_table_fields()})
		self.looked_up: dict[str, frozenset[str]] = {}

	def __getitem__(self, doctype: str) -> frozenset[str]:
		if doctype not in self.parenttype:
			raise KeyError(doctype)
		if doctype not in self.looked_up:
			parent = self.parenttype[doctype]
			# Frappe joins a child table to a list of its parents past the child's own rule: only the rows
			# of a table that the parent's rule already covers may show there
			follows = doctype == self.doctype or rows_follow_their_parent(doctype)
			self.looked_up[doctype] = permitted_columns(doctype, parent) if follows else frozenset()
		return self.looked_up[doctype]

	def __contains__(self, doctype: object) -> bool:
		return doctype in self.parenttype

	def __iter__(self) -> Iterator[str]:
		return iter(self.parenttype)

	def __len__(self) -> int:
		return len(self.parenttype)


def readable_link_titles(doctype: str) -> frozenset[str]:
	"""The titles Frappe's list view shows beside the doctype's links (`link.title_field`) that the user may
	read: of a link they may read, to a doctype that shows its title in links, whose every record they may
	read (Frappe joins the linked table past its permissions: so no row rules, no reading only one's own, no
	user permissions) and whose title field they may read."""
	from frappe.permissions import get_role_permissions, get_user_permissions

	if get_user_permissions(frappe.session.user):
		return frozenset()
	ruled = {*frappe.get_hooks("permission_query_conditions"), *frappe.get_hooks("has_permission")}
	readable = permitted_columns(doctype, None)
	titles = set()
	for link in frappe.get_meta(doctype).get_link_fields():
		target = frappe.get_meta(link.options)
		if link.fieldname not in readable or not target.show_title_field_in_link or target.name in ruled:
			continue
		permissions = get_role_permissions(target)
		if not permissions.get("read") or permissions.if_owner.get("read"):
			continue
		if target.title_field and target.title_field in permitted_columns(target.name, None):
			titles.add(f"{link.fieldname}.{target.title_field}")
	return frozenset(titles)


def permitted_columns(doctype: str, parenttype: str | None) -> frozenset[str]:
	from frappe.model import get_permitted_fields

	meta = frappe.get_meta(doctype)
	stored = set(meta.get_valid_columns()) | set(default_fields)
	if meta.istable:
		stored |= set(child_table_fields)
	permitted = get_permitted_fields(doctype, parenttype=parenttype, ignore_virtual=True)
	# Frappe adds the optional columns (tags, assignments, likes…) to a table when first used, and leaves
	# them out of a query while the table lacks them
	return frozenset((stored & set(permitted)) | set(optional_fields))


def named_doctypes() -> list[str]:
	form = frappe.form_dict
	doctypes = [str(form[key]) for key in DOCTYPE_PARAMETERS if isinstance(form.get(key), str) and form[key]]
	return doctypes + path_doctypes()


def path_doctypes() -> list[str]:
	path = frappe.request.path
	return [
		unquote(path[len(prefix) :].partition("/")[0]) for prefix in RESOURCE_PATHS if path.startswith(prefix)
	]


def doctypes_named_in(arguments: dict[str, Any]) -> set[str]:
	"""The doctypes a request names: by a doctype parameter, at the top or in a JSON object, or in its path."""
	try:
		objects = [arguments, *(inner for value in arguments.values() for inner in objects_in(value))]
	except (ValueError, RecursionError):
		objects = [arguments]
	named = {inner[key] for inner in objects for key in DOCTYPE_PARAMETERS if isinstance(inner.get(key), str)}
	return (named | set(path_doctypes())) - {""}


def named_records() -> list[tuple[str, str]]:
	"""The (doctype, name) pairs a request names: by a pair of parameters, or in its path."""
	form = frappe.form_dict
	records = []
	for doctype_key, name_key in RECORD_PARAMETERS:
		doctype, names = form.get(doctype_key), decoded(form.get(name_key))
		if not isinstance(doctype, str) or not doctype:
			continue
		for name in names if isinstance(names, list) else [names]:
			if isinstance(name, str) and name:
				records.append((doctype, name))
	for name_key, doctype in IMPLIED_DOCTYPE_PARAMETERS.items():
		if isinstance(form.get(name_key), str) and form[name_key]:
			records.append((doctype, form[name_key]))
	path = frappe.request.path
	for prefix in RESOURCE_PATHS:
		if path.startswith(prefix):
			doctype, _slash, rest = path[len(prefix) :].partition("/")
			if name := unquote(rest.split("/", 1)[0]):
				records.append((unquote(doctype), name))
	return records


def is_guarded(doctype: str) -> bool:
	"""Records read one by one only by those who may: the rows of child tables (Frappe lets anyone who may
	read the parent doctype read a row alone, whatever the row rules say of its parent), the records that
	belong to a case, and the ones only a few roles may open."""
	return doctype in GUARDED_DOCTYPES or bool(frappe.db.get_value("DocType", doctype, "istable", cache=True))


def may_read_record(doctype: str, name: str) -> bool:
	"""Whether the user may read this record; a record that does not exist is not readable either."""
	if frappe.db.get_value("DocType", doctype, "istable", cache=True):
		if has_row_rule(doctype) and not allows(doctype, stored_column(doctype, name)):
			return False
		row = frappe.db.get_value(doctype, name, ["parenttype", "parent"], as_dict=True)
		doctype, name = (row.parenttype, row.parent) if row and row.parenttype else (None, None)
	if not doctype or not frappe.db.exists(doctype, name):
		return False
	return frappe.has_permission(doctype, "read", doc=name)


def argument_values(arguments: dict[str, Any]) -> set[str]:
	"""Every text a request carries: the parts of its path, and each argument, each value and key inside a
	JSON argument."""
	values = {unquote(part) for part in frappe.request.path.split("/")}
	try:
		values |= {value for argument in arguments.values() for value in plain_values(argument)}
	except (ValueError, RecursionError):
		# too deep to be a query argument either: request_refusal has refused it already
		pass
	return {value for value in values if isinstance(value, str) and value}


def may_read_every_reference(values: set[str]) -> bool:
	"""Whether every value that could be a case or a review reference, compared as the database compares,
	names a record the user may read. A reference to nothing is not readable either, so a real one and a
	made-up one answer alike. One query for each of Case and Review, and none for those who read them all."""
	if sees_every_case():
		return True
	by_doctype = defaultdict(set)
	for value in values:
		if doctype := referenced_doctype(value):
			by_doctype[doctype].add(value)
	for doctype, references in by_doctype.items():
		# as typed (MariaDB matches it however spelt) and as compared (a leading space, which it would not)
		verdicts = stored_verdicts(doctype, references | {as_compared(value) for value in references})
		readable = {as_compared(name) for name, may in verdicts.items() if may}
		if not all(verdicts.values()) or any(as_compared(value) not in readable for value in references):
			return False
	return True


def may_read_every_record_named(doctypes: set[str], values: set[str], loose: set[str]) -> bool:
	"""Whether, of the guarded doctypes named, every record the database finds under any of the values is
	one the user may read, judged on its stored name; and every loose value (not a document's field) shaped
	like a name Frappe generates names a record of one of them that the user may read (so a made-up one
	answers alike). One query for each such doctype, none when a request names none."""
	guarded = {
		doctype
		for doctype in doctypes
		if is_guarded(doctype) or (doctype in NAMED_CASEWORK and not sees_every_case())
	}
	names = {value for value in values if len(value) <= NAME_LENGTH and value.strip()} - doctypes
	if not guarded or not names:
		return True
	readable, generated_by = set(), False
	for doctype in sorted(guarded):
		found = readable_records_found(doctype, names)
		if found is None:
			return False
		readable |= {name.lower() for name in found}
		generated_by |= doctype not in NAMED_CASEWORK and frappe.get_meta(doctype).autoname in (
			None,
			"",
			"hash",
		)
	if generated_by:
		generated = {as_compared(name).lower() for name in loose if could_be_generated_name(name)}
		return not generated - readable
	return True


def readable_records_found(doctype: str, names: set[str]) -> set[str] | None:
	"""The records of the doctype that the database finds under these names, or None if the user may not
	read one of them. A child table's rows are judged by their own rule in one query, and by each parent."""
	listed = ", ".join(frappe.db.escape(name, percent=False) for name in names)
	if not frappe.db.get_value("DocType", doctype, "istable", cache=True):
		found = frappe.db.sql(f"select `name` from `tab{doctype}` where `name` in ({listed})", pluck=True)
		return set(found) if all(may_read_record(doctype, name) for name in found) else None
	rows = frappe.db.sql(
		f"select `name`, `parenttype`, `parent` from `tab{doctype}` where `name` in ({listed})", as_dict=True
	)
	if not rows:
		return set()
	if has_row_rule(doctype) and not all(stored_verdicts(doctype, {row.name for row in rows}).values()):
		return None
	parents = {(row.parenttype, row.parent) for row in rows}
	if not all(parent and may_read_record(parenttype, parent) for parenttype, parent in parents):
		return None
	return {row.name for row in rows}


def loose_values(arguments: dict[str, Any]) -> set[str]:
	"""The arguments' texts that are not inside a document (a JSON object naming its doctype), whose fields
	hold whatever its owner wrote (api/documents.py judges a document sent back)."""

	def outside_documents(value: Any, depth: int = 0) -> Iterator[Any]:
		value = decoded(value)
		if depth > MAX_NESTING or (isinstance(value, dict) and "doctype" in value):
			return
		items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
		for item in items:
			if isinstance(item, dict | list):
				yield from outside_documents(item, depth + 1)
			else:
				yield item

	loose = {unquote(part) for part in frappe.request.path.split("/")}
	loose |= {value for argument in arguments.values() for value in outside_documents(argument)}
	return {value for value in loose if isinstance(value, str) and value}


def plain_values(argument: Any, depth: int = 0) -> Iterator[Any]:
	"""Every value and key inside an argument, JSON arguments decoded."""
	if depth > MAX_NESTING:
		raise ValueError("nested too deep")
	value = decoded(argument)
	if isinstance(value, dict):
		for key, item in value.items():
			yield key
			yield from plain_values(item, depth + 1)
	elif isinstance(value, list | tuple):
		for item in value:
			yield from plain_values(item, depth + 1)
	else:
		yield value


def is_app_doctype(doctype: str) -> bool:
	return frappe.db.get_value("DocType", doctype, "module", cache=True) == MODULE


def answer_not_found_as_not_permitted(response: Response, request) -> None:
	"""after_request hook: for everyone who does not see every case, an API answer "not found" and an API
	answer "not permitted" are the same answer."""
	if (
		response.status_code not in (403, 404)
		or not request.path.startswith("/api/")
		or frappe.session.user == "Administrator"
		or sees_every_case()
		or is_trusted()
	):
		return
	message = json.dumps({"message": _("Not permitted"), "title": _("Message"), "indicator": "red"})
	response.status_code = 403
	response.set_data(json.dumps({"exc_type": "PermissionError", "_server_messages": json.dumps([message])}))
	response.mimetype = "application/json"
