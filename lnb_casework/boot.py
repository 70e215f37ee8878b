"""What the desk is told when a user signs in."""

import frappe


def workspaces_the_user_may_open(bootinfo) -> None:
	"""boot_session hook: the desk names a record's workspace in its breadcrumb from the first workspace of
	the record's module; only those the user may open are offered, so a policy lead's Advocacy Action leads
	back to Systemic Learning, not to Learn Not Blame, which is not theirs."""
	workspaces = bootinfo.get("module_wise_workspaces") or {}
	names = workspaces.get("LNB Casework")
	if not names:
		return
	needed: dict[str, set[str]] = {}
	for row in frappe.get_all(
		"Has Role", {"parenttype": "Workspace", "parent": ("in", names)}, ["parent", "role"]
	):
		needed.setdefault(row.parent, set()).add(row.role)
	roles = set(frappe.get_roles())
	workspaces["LNB Casework"] = [name for name in names if name not in needed or roles & needed[name]]
