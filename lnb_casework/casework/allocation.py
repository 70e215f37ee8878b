"""Allocating a case to a caseworker: the checks (pure) and keeping the assignment in step with them."""

from collections.abc import Sequence
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import get_url_to_form, nowdate

from lnb_casework.casework.rules import OPEN_STATES
from lnb_casework.mail import queue_email


@dataclass(frozen=True)
class CaseworkerLoad:
	full_name: str | None
	capacity: int | None  # None: no caseworker profile yet
	organisations: list[str]
	open_cases: int


def caseworker_load(user: str, other_than: str | None = None) -> CaseworkerLoad:
	"""What allocation weighs: the caseworker's profile and their open cases (leaving out `other_than`)."""
	profile = frappe.db.get_value("Caseworker Profile", user, ["capacity", "full_name"], as_dict=True)
	organisations = frappe.get_all(
		"Caseworker Organisation",
		filters={"parenttype": "Caseworker Profile", "parent": user},
		pluck="organisation",
	)
	open_cases = {"caseworker": user, "workflow_state": ("in", OPEN_STATES)}
	if other_than:
		open_cases["name"] = ("!=", other_than)
	return CaseworkerLoad(
		full_name=profile.full_name if profile else None,
		capacity=profile.capacity if profile else None,
		organisations=organisations,
		open_cases=frappe.db.count("Case", open_cases),
	)


def allocation_problems(
	caseworker: str,
	case_organisation: str | None,
	profile_organisations: Sequence[str] | None,
	capacity: int | None,
	open_cases: int,
	override_reason: str | None,
) -> list[str]:
	"""Why this caseworker should not take this case; empty when they may, or a coordinator gave a reason.

	`profile_organisations` and `capacity` are None when the caseworker has no profile yet.
	"""
	if profile_organisations is None or capacity is None:
		return [
			_(
				"{0} has no caseworker profile yet. Create one (organisations they work for, capacity) first."
			).format(caseworker)
		]
	if (override_reason or "").strip():
		return []
	problems = []
	if case_organisation and case_organisation in profile_organisations:
		problems.append(
			_("{0} works for {1}, which this case concerns: a conflict of interest.").format(
				caseworker, case_organisation
			)
		)
	if open_cases >= capacity:
		problems.append(
			_("{0} already carries {1} open cases, their capacity.").format(caseworker, open_cases)
		)
	if problems:
		problems.append(_("Give a reason to allocate the case all the same."))
	return problems


def sync_assignment(case) -> None:
	"""One open assignment, to the allocated caseworker, and one email telling them: a reallocation
	closes the old assignment. Frappe's assign_to is not used: it sends a notification of its own."""
	for todo in frappe.get_all(
		"ToDo",
		filters={"reference_type": "Case", "reference_name": case.name, "status": "Open"},
		fields=["name", "allocated_to"],
	):
		if todo.allocated_to != case.caseworker:
			frappe.get_doc("ToDo", todo.name).update({"status": "Cancelled"}).save(ignore_permissions=True)
	if not case.caseworker:
		return
	frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": case.caseworker,
			"reference_type": "Case",
			"reference_name": case.name,
			"description": _("Case {0} has been allocated to you.").format(case.name),
			"assigned_by": frappe.session.user,
			"date": nowdate(),
		}
	).insert(ignore_permissions=True)
	queue_email(
		[case.caseworker],
		_("Case {0} has been allocated to you").format(case.name),
		"lnb_case_allocated",
		{"reference": case.name, "state": case.workflow_state, "link": get_url_to_form("Case", case.name)},
		"Case",
		case.name,
	)
