"""Who may see which rows: one rule per doctype, used by lists, documents, counts, reports and search.

Each rule is a SQL condition for `permission_query_conditions` and the same question asked of one
document for `has_permission`, so lists and documents cannot disagree. Coordinators and System Managers
see every case; a caseworker sees the cases allocated to them (the `caseworker` field is the truth) and
what hangs off those cases; nobody else sees any.
"""

import frappe

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
	"Case State Change": (None, "case"),
	"Review": (None, "case"),
}


def roles_of(user: str | None) -> set[str]:
	return set(frappe.get_roles(user or frappe.session.user))


def sees_every_case(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(roles_of(user) & SEES_EVERY_CASE)


def allocated_cases_condition(user: str) -> str:
	"""SQL: the names of the cases this user may read."""
	if sees_every_case(user):
		return "select `name` from `tabCase`"
	if CASEWORKER in roles_of(user):
		return f"select `name` from `tabCase` where `caseworker` = {frappe.db.escape(user)}"
	return "select null from dual where 1 = 0"


def may_read_case(case_name: str | None, user: str | None = None) -> bool:
	user = user or frappe.session.user
	if sees_every_case(user):
		return True
	if not case_name or CASEWORKER not in roles_of(user):
		return False
	return frappe.db.get_value("Case", case_name, "caseworker") == user


# ---- Case


def case_query_conditions(user: str | None = None) -> str:
	user = user or frappe.session.user
	if sees_every_case(user):
		return ""
	return f"`tabCase`.`name` in ({allocated_cases_condition(user)})"


def case_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission hooks can only deny: None lets Frappe's role permissions decide."""
	user = user or frappe.session.user
	if sees_every_case(user) or (CASEWORKER in roles_of(user) and doc.get("caseworker") == user):
		return None
	return False


# ---- records that belong to a case (reviews, state changes) and Frappe's records about a case


def about_case_query_conditions(doctype: str, user: str | None = None) -> str:
	user = user or frappe.session.user
	if sees_every_case(user):
		return ""
	doctype_field, name_field = RECORDS_ABOUT_DOCUMENTS[doctype]
	table = f"`tab{doctype}`"
	cases = allocated_cases_condition(user)
	about_case = f"{table}.`{name_field}` in ({cases})"
	if doctype_field is None:
		return about_case
	about_review = f"{table}.`{name_field}` in (select `name` from `tabReview` where `case` in ({cases}))"
	kind = f"ifnull({table}.`{doctype_field}`, '')"
	return (
		f"({kind} not in ('Case', 'Review') or ({kind} = 'Case' and {about_case})"
		f" or ({kind} = 'Review' and {about_review}))"
	)


def about_case_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	doctype_field, name_field = RECORDS_ABOUT_DOCUMENTS[doc.doctype]
	about = "Case" if doctype_field is None else doc.get(doctype_field)
	if about == "Case":
		case = doc.get(name_field)
	elif about == "Review":
		case = frappe.db.get_value("Review", doc.get(name_field), "case")
	else:
		return None
	return None if may_read_case(case, user) else False


def query_conditions_for(doctype: str):
	return lambda user=None: about_case_query_conditions(doctype, user)


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


# ---- the rows of a case's or a review's child tables, named in hooks.py (Frappe checks a child row read
# alone by its parent, but lists child rows with parent_doctype after a doctype-level check only)


def child_row_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	if sees_every_case(user):
		return ""
	table = f"`tab{doctype}`"
	cases = allocated_cases_condition(user)
	if doctype == "Related Case":
		# a link to another caseworker's case would tell that it exists
		return (
			f"({table}.`parenttype` = 'Case' and {table}.`parent` in ({cases})"
			f" and {table}.`related_case` in ({cases}))"
		)
	if any(field.options == doctype for field in frappe.get_meta("Case").get_table_fields()):
		return f"({table}.`parenttype` = 'Case' and {table}.`parent` in ({cases}))"
	return (
		f"({table}.`parenttype` = 'Review'"
		f" and {table}.`parent` in (select `name` from `tabReview` where `case` in ({cases})))"
	)


# ---- Caseworker Profile


def caseworker_profile_query_conditions(user: str | None = None) -> str:
	user = user or frappe.session.user
	if sees_every_case(user):
		return ""
	return f"`tabCaseworker Profile`.`user` = {frappe.db.escape(user)}"


def caseworker_profile_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	user = user or frappe.session.user
	if sees_every_case(user) or doc.get("user") == user:
		return None
	return False
