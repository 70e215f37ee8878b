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


def keep_case_email_to_the_doctor(communication, method: str | None = None) -> None:
	"""Communication validate hook: a caseworker writes from a case to the doctor, and to nobody else."""
	from lnb_casework.permissions import sees_every_case

	if (
		communication.reference_doctype != "Case"
		or communication.sent_or_received != "Sent"
		or communication.communication_type != "Communication"
		or sees_every_case()
	):
		return
	doctor = frappe.db.get_value("Case", communication.reference_name, "email")
	addresses = {
		address.strip().lower()
		for field in ("recipients", "cc", "bcc")
		for address in (communication.get(field) or "").replace(";", ",").split(",")
		if address.strip()
	}
	if addresses - {(doctor or "").lower()}:
		frappe.throw(_("From a case you can email only the doctor who brought it."), frappe.PermissionError)
