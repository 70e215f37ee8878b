"""Coordinators' casework actions called from the Case form."""

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow

from lnb_casework.casework.allocation import caseworker_load
from lnb_casework.casework.rules import CASEWORKER, TRIAGE
from lnb_casework.permissions import sees_every_case


@frappe.whitelist(methods=["POST"])
def allocate(
	case: str, caseworker: str, organisation: str | None = None, override_reason: str | None = None
) -> dict:
	"""Allocates (or reallocates) a case: sets the organisation it concerns when given, checks conflicts of
	interest and capacity, sets the caseworker, moves a case in triage to Allocated, and leaves one open
	assignment, to the new caseworker."""
	if not sees_every_case():
		frappe.throw(_("Only a coordinator allocates cases."), frappe.PermissionError)
	doc = frappe.get_doc("Case", case)
	doc.check_permission("write")
	if organisation:
		doc.organisation = organisation
	doc.caseworker = caseworker
	doc.allocation_override_reason = (override_reason or "").strip()
	doc.save()
	if doc.workflow_state == TRIAGE:
		doc = apply_workflow(doc, "Allocate")
	return {"caseworker": doc.caseworker, "workflow_state": doc.workflow_state}


@frappe.whitelist()
def caseworkers_for(case: str, organisation: str | None = None) -> list[dict]:
	"""Each caseworker with their capacity, open cases and whether this case, concerning `organisation`
	(by default the one it is linked to), is a conflict of interest."""
	if not sees_every_case():
		frappe.throw(_("Only a coordinator allocates cases."), frappe.PermissionError)
	organisation = organisation or frappe.db.get_value("Case", case, "organisation")
	users = frappe.get_all(
		"Has Role", filters={"role": CASEWORKER, "parenttype": "User"}, pluck="parent", distinct=True
	)
	names = dict(
		frappe.get_all(
			"User", filters={"name": ("in", users), "enabled": 1}, fields=["name", "full_name"], as_list=True
		)
	)
	rows = []
	for user in sorted(names):
		load = caseworker_load(user)
		rows.append(
			{
				"user": user,
				"name": load.full_name or names[user] or user,
				"has_profile": load.capacity is not None,
				"capacity": load.capacity,
				"open_cases": load.open_cases,
				"conflict": bool(organisation and organisation in load.organisations),
			}
		)
	return rows
