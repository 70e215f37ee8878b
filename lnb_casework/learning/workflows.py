"""How systemic issues and advocacy actions move, and what each move needs (pure, but for
`refuse_incomplete_move`, which their controllers call)."""

from collections.abc import Mapping
from typing import Any

import frappe
from frappe import _
from frappe.model.document import Document

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD
from lnb_casework.setup.workflows import Transition, WorkflowSpec

LEADS = (COORDINATOR, POLICY_LEAD)

IDENTIFIED, UNDER_ANALYSIS, ESCALATED = "Identified", "Under Analysis", "Escalated"
BEING_ADDRESSED, RESOLVED, CLOSED = "Being Addressed", "Resolved", "Closed"
OPEN_ISSUE_STATES = (IDENTIFIED, UNDER_ANALYSIS, ESCALATED, BEING_ADDRESSED)
ENDED_ISSUE_STATES = (RESOLVED, CLOSED)
SYSTEMIC_ISSUE_WORKFLOW = WorkflowSpec(
	name="Systemic Issue",
	document_type="Systemic Issue",
	states=(
		(IDENTIFIED, 0, (*LEADS, CASEWORKER)),
		*((state, 0, LEADS) for state in (UNDER_ANALYSIS, ESCALATED, BEING_ADDRESSED, RESOLVED, CLOSED)),
	),
	transitions=(
		Transition(IDENTIFIED, "Start analysis", UNDER_ANALYSIS, LEADS),
		Transition(UNDER_ANALYSIS, "Escalate", ESCALATED, LEADS),
		Transition(ESCALATED, "Start addressing", BEING_ADDRESSED, LEADS),
		Transition(BEING_ADDRESSED, "Resolve", RESOLVED, LEADS),
		*(Transition(state, "Close", CLOSED, LEADS) for state in OPEN_ISSUE_STATES),
	),
)

PLANNED, IN_PROGRESS, COMPLETED, ABANDONED = "Planned", "In Progress", "Completed", "Abandoned"
OPEN_ACTION_STATES = (PLANNED, IN_PROGRESS)
ADVOCACY_ACTION_WORKFLOW = WorkflowSpec(
	name="Advocacy Action",
	document_type="Advocacy Action",
	states=tuple((state, 0, LEADS) for state in (PLANNED, IN_PROGRESS, COMPLETED, ABANDONED)),
	transitions=(
		Transition(PLANNED, "Start", IN_PROGRESS, LEADS),
		Transition(IN_PROGRESS, "Complete", COMPLETED, LEADS),
		Transition(PLANNED, "Abandon", ABANDONED, LEADS),
		Transition(IN_PROGRESS, "Abandon", ABANDONED, LEADS),
	),
)

NEEDED_FOR = {
	CLOSED: ("closed_reason", lambda: _("Give the reason for closing the issue.")),
	COMPLETED: ("outcome", lambda: _("Record the outcome before completing the action.")),
	ABANDONED: ("abandoned_reason", lambda: _("Give the reason for abandoning the action.")),
}


def move_problem(from_state: str | None, to_state: str | None, values: Mapping[str, Any]) -> str | None:
	"""What is missing for this move, or None."""
	if not from_state or from_state == to_state or to_state not in NEEDED_FOR:
		return None
	field, message = NEEDED_FOR[to_state]
	return None if str(values.get(field) or "").strip() else message()


def refuse_incomplete_move(doc: Document) -> None:
	"""Stops a save that moves the record into a state without what that state needs."""
	before = doc.get_doc_before_save()
	problem = move_problem(before and before.workflow_state, doc.workflow_state, doc.as_dict())
	if problem:
		frappe.throw(problem)
