"""Who may see which rows: one rule per doctype, used by lists, documents, counts, reports and search
(docs/access-policy.md).

Each rule is written once, as a function that builds SQL boolean expressions about one record given how to
name that record's columns: the ways a record may be readable, any one of which is enough. Both forms Frappe
asks for are derived from it, so they cannot disagree:
- `permission_query_conditions` (lists, counts, reports, search): the columns are the table's own; a rule
  with more than one way is listed as the names of the rows that each way reads through an index;
- `has_permission` (one document, saved or not): the columns are the document's own values, and MariaDB
  evaluates the same expressions (`select <one> or <other>`).
Coordinators and System Managers see every case; a caseworker sees the cases allocated to them (the
`caseworker` field is the truth) and what hangs off those cases; nobody else sees any.
"""

from collections.abc import Callable

import frappe
from frappe.model.document import Document

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, SYSTEM_MANAGER

SEES_EVERY_CASE = {COORDINATOR, SYSTEM_MANAGER}
# Frappe's own records that point at a case or at one of its reviews, and the fields they point with
RECORDS_ABOUT_DOCUMENTS = {
	"File": ("attached_to_doctype", "attached_to_name"),
	"Comment": ("reference_doctype", "reference_name"),
	"Communication": ("reference_doctype", "reference_name"),
	"Version": ("ref_doctype", "docname"),
	"View Log": ("reference_doctype", "reference_name"),
	"ToDo": ("reference_type", "reference_name"),
	"Workflow Action": ("reference_doctype", "reference_name"),
	"Tag Link": ("document_type", "document_name"),
	"Document Follow": ("ref_doctype", "ref_docname"),
	"Energy Point Log": ("reference_doctype", "reference_name"),
	"Notification Log": ("document_type", "document_name"),
	"Case State Change": (None, "case"),
	"Review": (None, "case"),
}
# child rows that name another case as well as their own: readable only where that case is readable too,
# so a list of the parent's rows cannot carry them (query_arguments.py, and the Case form: Case.onload)
ROWS_NAMING_A_CASE = {"Related Case": "related_case"}
NOTHING = "1 = 0"

# How a rule names a column of the record it judges: `column("caseworker")` is SQL for that value.
Column = Callable[[str], str]
# A row rule: SQL boolean expressions, any of which holds for each record the user may read, or None when
# the user may read every record of the doctype.
Rule = Callable[[Column, str], list[str] | None]


def roles_of(user: str | None) -> set[str]:
	return set(frappe.get_roles(user or frappe.session.user))


def sees_every_case(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(roles_of(user) & SEES_EVERY_CASE)


def literal(value: object) -> str:
	"""A value as a SQL literal. The expressions run without query parameters, so `%` is left as it is."""
	return "NULL" if value is None else frappe.db.escape(str(value), percent=False)


# ---- the ways to name a record's columns


def table_column(table: str) -> Column:
	"""The columns of every row of a table (`tab<doctype>`, or its alias in a query), for a list's condition."""
	return lambda field: f"`{table}`.`{field}`"


def document_column(doc: Document) -> Column:
	"""The values of one document, saved or not, as it is in memory."""
	return lambda field: literal(doc.get(field))


def judged_column(doc: Document) -> Column:
	"""The stored values of a document that is in the database, whatever its copy in memory says (a client
	can send back another's record with its fields, and `__islocal`, set as it likes); the document's own
	values only for one that is not stored yet."""
	if not doc.name:
		return document_column(doc)
	stored = stored_column(doc.doctype, doc.name)
	exists = f"exists(select 1 from `tab{doc.doctype}` where `name` = {literal(doc.name)})"
	return lambda field: f"if({exists}, {stored(field)}, {literal(doc.get(field))})"


def stored_column(doctype: str, name: str | None) -> Column:
	"""The values of one saved record, read by the expression itself (NULL when there is no such record)."""
	return lambda field: f"(select `{field}` from `tab{doctype}` where `name` = {literal(name)})"


# ---- the rules


def case_rule(column: Column, user: str) -> list[str] | None:
	if sees_every_case(user):
		return None
	if CASEWORKER not in roles_of(user):
		return [NOTHING]
	return [f"{column('caseworker')} = {literal(user)}"]


def readable_cases(user: str) -> str:
	"""SQL: the names of the cases this user may read, by the Case rule (only for a user who does not see
	every case)."""
	return f"select `name` from `tabCase` where {either(case_rule(lambda field: f'`{field}`', user))}"


def readable_reviews(user: str) -> str:
	return f"select `name` from `tabReview` where `case` in ({readable_cases(user)})"


def about_case_rule(doctype: str) -> Rule:
	"""Records that belong to a case (reviews, state changes), and Frappe's records about a case or about
	a review (any other record of those doctypes is left to Frappe)."""
	doctype_field, name_field = RECORDS_ABOUT_DOCUMENTS[doctype]

	def rule(column: Column, user: str) -> list[str] | None:
		if sees_every_case(user):
			return None
		about_case = f"{column(name_field)} in ({readable_cases(user)})"
		if doctype_field is None:
			return [about_case]
		kind = column(doctype_field)
		return [
			f"({kind} is null or {kind} not in ('Case', 'Review'))",
			f"{kind} = 'Case' and {about_case}",
			f"{kind} = 'Review' and {column(name_field)} in ({readable_reviews(user)})",
		]

	return rule


def child_row_rule(doctype: str) -> Rule:
	"""The rows of a case's or a review's child tables, named in hooks.py (Frappe checks a child row read
	alone by its parent, but lists child rows with parent_doctype after a doctype-level check only)."""

	def rule(column: Column, user: str) -> list[str] | None:
		if sees_every_case(user):
			return None
		cases = readable_cases(user)
		parenttype, parent = column("parenttype"), column("parent")
		if doctype in ROWS_NAMING_A_CASE:
			# a link to another caseworker's case would tell that it exists
			named = column(ROWS_NAMING_A_CASE[doctype])
			return [f"{parenttype} = 'Case' and {parent} in ({cases}) and {named} in ({cases})"]
		if any(field.options == doctype for field in frappe.get_meta("Case").get_table_fields()):
			return [f"{parenttype} = 'Case' and {parent} in ({cases})"]
		return [f"{parenttype} = 'Review' and {parent} in ({readable_reviews(user)})"]

	return rule


def rows_follow_their_parent(doctype: str, user: str | None = None) -> bool:
	"""Whether the user may read every row of this child table that belongs to a parent they may read (so a
	list of the parents may show the rows' columns)."""
	return doctype not in ROWS_NAMING_A_CASE or sees_every_case(user)


def caseworker_profile_rule(column: Column, user: str) -> list[str] | None:
	if sees_every_case(user):
		return None
	return [f"{column('user')} = {literal(user)}"]


def has_row_rule(doctype: str) -> bool:
	"""Whether hooks.py gives the doctype a row rule of this module."""
	paths = frappe.get_hooks("permission_query_conditions").get(doctype, [])
	return any(path.startswith(f"{__name__}.") for path in paths)


def rule_for(doctype: str) -> Rule:
	if doctype == "Case":
		return case_rule
	if doctype == "Caseworker Profile":
		return caseworker_profile_rule
	if doctype in RECORDS_ABOUT_DOCUMENTS:
		return about_case_rule(doctype)
	if frappe.get_meta(doctype).istable:
		return child_row_rule(doctype)
	raise KeyError(doctype)


# ---- the two forms, derived


def either(ways: list[str]) -> str:
	return " or ".join(f"({way})" for way in ways)


def query_conditions(doctype: str, user: str | None = None) -> str:
	"""The rule as a list's condition ("" when the user may read every row).

	Several ways joined by `or` would keep MariaDB from reading the rows through the readable cases: it
	would walk the whole list in its order and test each row, which grows with every case held. So each way
	is read on its own (its subqueries become joins through the indexes on the readable cases and on the
	fields that point at them) and the list keeps the rows whose names one of them found."""
	user = user or frappe.session.user
	rule = rule_for(doctype)
	table = f"tab{doctype}"
	ways = rule(table_column(table), user)
	if ways is None:
		return ""
	if len(ways) == 1:
		return f"({ways[0]})"
	each_way = " union all ".join(
		f"select `readable`.`name` from `{table}` as `readable` where {way}"
		for way in rule(table_column("readable"), user)
	)
	return f"(`{table}`.`name` in (select `name` from ({each_way}) as `readable_names`))"


def allows(doctype: str, column: Column, user: str | None = None) -> bool:
	"""Whether the rule lets the user read the one record whose columns are `column`."""
	ways = rule_for(doctype)(column, user or frappe.session.user)
	return ways is None or bool(frappe.db.sql(f"select {either(ways)}")[0][0])


def document_has_permission(doc: Document, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission hook, judged on the stored record where there is one. Such hooks can only deny: None
	lets Frappe's role permissions decide."""
	return None if allows(doc.doctype, judged_column(doc), user) else False


def stored_verdicts(doctype: str, names: set[str], user: str | None = None) -> dict[str, bool]:
	"""{stored name: whether the user may read it} for every record whose name the database matches to one
	of these (as its collation compares), in one query."""
	ways = rule_for(doctype)(table_column(f"tab{doctype}"), user or frappe.session.user)
	verdict = "1" if ways is None else either(ways)
	listed = ", ".join(literal(name) for name in names)
	rows = frappe.db.sql(f"select `name`, {verdict} from `tab{doctype}` where `name` in ({listed})")
	return {name: bool(readable) for name, readable in rows}


def may_read_case(case_name: str | None, user: str | None = None) -> bool:
	return allows("Case", stored_column("Case", case_name), user)


# ---- the names hooks.py gives them


def query_conditions_for(doctype: str) -> Callable[..., str]:
	return lambda user=None: query_conditions(doctype, user)


case_query_conditions = query_conditions_for("Case")
caseworker_profile_query_conditions = query_conditions_for("Caseworker Profile")
review_query_conditions = query_conditions_for("Review")
case_state_change_query_conditions = query_conditions_for("Case State Change")
file_query_conditions = query_conditions_for("File")
comment_query_conditions = query_conditions_for("Comment")
communication_query_conditions = query_conditions_for("Communication")
version_query_conditions = query_conditions_for("Version")
view_log_query_conditions = query_conditions_for("View Log")
todo_query_conditions = query_conditions_for("ToDo")
workflow_action_query_conditions = query_conditions_for("Workflow Action")
tag_link_query_conditions = query_conditions_for("Tag Link")
document_follow_query_conditions = query_conditions_for("Document Follow")
energy_point_log_query_conditions = query_conditions_for("Energy Point Log")
notification_log_query_conditions = query_conditions_for("Notification Log")


def child_row_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return query_conditions(doctype, user)


case_has_permission = document_has_permission
caseworker_profile_has_permission = document_has_permission
about_case_has_permission = document_has_permission
# Frappe judges a child row by its parent and calls no hook for it; this is the row's own verdict
child_row_has_permission = document_has_permission
