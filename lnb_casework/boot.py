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
	roles = set(frappe.get_roles())
	allowed = {
		name
		for name in names
		if not (
			needed := frappe.get_all("Has Role", {"parent": name, "parenttype": "Workspace"}, pluck="role")
		)
		or roles.intersection(needed)
	}
	workspaces["LNB Casework"] = [name for name in names if name in allowed]
