"""Ways into a case that Frappe leaves open, closed: sharing, assignment other than by allocation, public
files about a case, and Frappe making a casework user System Manager."""

import frappe
from frappe import _

from lnb_casework.casework.rules import SYSTEM_MANAGER

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


def keep_case_files_private(file, method: str | None = None) -> None:
	"""File validate hook: a file attached to a case or a review stays private. Frappe lists a public file to
	every desk user whatever the app's row rule says (its own File rule lets `is_private = 0` through before
	the app's is applied), and serves it to anyone who has its address."""
	if file.attached_to_doctype in ("Case", "Review") and not file.is_private:
		frappe.throw(
			_('Files about a case are kept private. Upload it again with "Is Private" ticked.'),
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


def note_system_manager_before_validation(user, method: str | None = None) -> None:
	"""User before_validate hook: remembers whether System Manager was asked for, before Frappe's validate
	adds it by itself (User.add_system_manager_role gives it to the first System User saved on a site
	where only Administrator holds it: on a new site, the first caseworker, or the user who becomes one)."""
	user.flags.lnb_system_manager_asked_for = SYSTEM_MANAGER in {row.role for row in user.roles}


def keep_users_from_system_manager_unless_given(user, method: str | None = None) -> None:
	"""User validate hook: nobody is made System Manager unless someone gave them the role."""
	if user.name != "Administrator" and not user.flags.lnb_system_manager_asked_for:
		user.set("roles", [row for row in user.roles if row.role != SYSTEM_MANAGER])
