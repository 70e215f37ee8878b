"""What the desk is told when a user signs in."""

import frappe

from lnb_casework.casework.rules import ALLOCATABLE_STATES, URGENT
from lnb_casework.intake.rules import URGENT_SUPPORT
from lnb_casework.learning.workflows import ADVOCACY_ACTION_WORKFLOW, SYSTEMIC_ISSUE_WORKFLOW
from lnb_casework.lnb_casework.doctype.seips_component.seips_component import seips_components
from lnb_casework.lnb_casework.report.deadlines_due import deadlines_due
from lnb_casework.lnb_casework.report.discrimination_and_disproportionality import (
	discrimination_and_disproportionality as equality_report,
)
from lnb_casework.lnb_casework.report.systemic_issues_by_organisation_and_seips import (
	systemic_issues_by_organisation_and_seips as seips_report,
)
from lnb_casework.permissions import sees_every_case

# The strongest priorities first (the last options of Case.priority); the others show grey.
PRIORITY_COLOURS = ("red", "orange")


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


def rules_the_desk_scripts_read(bootinfo) -> None:
	"""boot_session hook: the states, options and permissions the app's desk scripts need, as frappe.boot.lnb,
	from where the server keeps them, so that no script spells them out again."""
	bootinfo.lnb = {
		"may_allocate": sees_every_case(),
		"allocatable_states": list(ALLOCATABLE_STATES),
		"urgent_priority": URGENT,
		"urgent_support": URGENT_SUPPORT,
		"priority_colours": priority_colours(),
		"issue_states": workflow_states(SYSTEMIC_ISSUE_WORKFLOW),
		# the SEIPS report's two states that stand for several
		"issue_filter": {"open": seips_report.OPEN, "all": seips_report.ALL},
		"action_states": workflow_states(ADVOCACY_ACTION_WORKFLOW),
		"deadlines_due_days": deadlines_due.DEFAULT_DAYS,  # the Deadlines Due report's window by default
		"equality_report": {
			"views": list(equality_report.VIEWS),
			"ended_years": equality_report.ended_years(),
		},
		"options": {
			"severity": select_options("Systemic Issue", "severity"),
			"action_type": select_options("Advocacy Action", "action_type"),
			"seips_component": seips_components(),
			"viewed_through": select_options("View Log", "lnb_viewed_through"),
		},
	}


def workflow_states(workflow) -> list[str]:
	return [state for state, _docstatus, _roles in workflow.states]


def select_options(doctype: str, fieldname: str) -> list[str]:
	return [option for option in frappe.get_meta(doctype).get_options(fieldname).split("\n") if option]


def priority_colours() -> dict[str, str]:
	"""{"Urgent": "red", "High": "orange"}: Case.priority's options run from the least to the most pressing."""
	return dict(zip(reversed(select_options("Case", "priority")), PRIORITY_COLOURS, strict=False))
