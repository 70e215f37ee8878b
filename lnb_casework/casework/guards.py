"""Ways into a case that Frappe leaves open, closed: sharing, and assignment other than by allocation."""

import frappe
from frappe import _

# documents that carry what a doctor told us or who handles it; none is ever shared
NEVER_SHARED = ("Case", "Review", "Equality Monitoring", "Case State Change", "Caseworker Profile")


def refuse_sharing(share, method: str | None = None) -> None:
	"""DocShare validate hook: sharing would grant access that the row rules deny."""
	if share.share_doctype in NEVER_SHARED:
		frappe.throw(
			_("{0} records are never shared. Cases are allocated to a caseworker instead.").format(
				_(share.share_doctype)
			),
			frappe.PermissionError,
		)


def keep_assignment_to_allocation(todo, method: str | None = None) -> None:
	"""ToDo validate hook: an open assignment of a case can only be to its allocated caseworker."""
	if todo.reference_type != "Case" or todo.status != "Open":
		return
	caseworker = frappe.db.get_value("Case", todo.reference_name, "caseworker")
	if todo.allocated_to != caseworker:
		frappe.throw(
			_("A case is assigned only by allocating it to a caseworker (the Allocate action)."),
			frappe.PermissionError,
		)
