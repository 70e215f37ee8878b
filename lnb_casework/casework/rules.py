"""How a case moves and who may change what in it, as pure functions (the Case controller applies them)."""

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from frappe import _

from lnb_casework.intake.rules import INTAKE_FIELDS, INTAKE_TABLES
from lnb_casework.setup.workflows import Transition, WorkflowSpec

CASEWORKER = "LNB Caseworker"
COORDINATOR = "LNB Coordinator"
SYSTEM_MANAGER = "System Manager"
POLICY_LEAD = "LNB Policy Lead"

NEW, TRIAGE, ALLOCATED, UNDER_REVIEW = "New", "Triage", "Allocated", "Under Review"
ACTIVE_SUPPORT, ADVOCACY = "Active Support", "Advocacy"
CLOSED, WITHDRAWN, REFERRED_ON = "Closed", "Withdrawn", "Referred On"
OPEN_STATES = (NEW, TRIAGE, ALLOCATED, UNDER_REVIEW, ACTIVE_SUPPORT, ADVOCACY)
ENDED_STATES = (CLOSED, WITHDRAWN, REFERRED_ON)
CASEWORK_STATES = (ALLOCATED, UNDER_REVIEW, ACTIVE_SUPPORT, ADVOCACY)
# The states in which a coordinator allocates a case, or reallocates it (the Case form offers it then).
ALLOCATABLE_STATES = (TRIAGE, *CASEWORK_STATES)
URGENT = "Urgent"  # the priority of a case that needs attention today (one of Case.priority's options)

BOTH = (CASEWORKER, COORDINATOR)
CASE_TRANSITIONS = (
	Transition(NEW, "Start triage", TRIAGE, (COORDINATOR,)),
	Transition(TRIAGE, "Allocate", ALLOCATED, (COORDINATOR,)),
	Transition(ALLOCATED, "Start review", UNDER_REVIEW, BOTH),
	Transition(UNDER_REVIEW, "Begin support", ACTIVE_SUPPORT, BOTH),
	Transition(ACTIVE_SUPPORT, "Escalate to advocacy", ADVOCACY, BOTH),
	Transition(ADVOCACY, "Back to support", ACTIVE_SUPPORT, BOTH),
	*(Transition(state, "Withdraw", WITHDRAWN, (COORDINATOR,)) for state in OPEN_STATES),
	*(Transition(state, "Refer on", REFERRED_ON, (COORDINATOR,)) for state in OPEN_STATES),
	*(
		Transition(state, "Close", CLOSED, (COORDINATOR,))
		for state in (UNDER_REVIEW, ACTIVE_SUPPORT, ADVOCACY)
	),
	*(Transition(state, "Reopen", TRIAGE, (COORDINATOR,)) for state in ENDED_STATES),
)
CASE_WORKFLOW = WorkflowSpec(
	name="Case",
	document_type="Case",
	states=tuple(
		(state, 0, BOTH if state in CASEWORK_STATES else (COORDINATOR,))
		for state in (*OPEN_STATES, *ENDED_STATES)
	),
	transitions=CASE_TRANSITIONS,
)

# What moving into a state needs: {state: ((field, message), ...)}; Triage from an ended state is a reopening.
NEEDED_FOR = {
	ALLOCATED: (
		("caseworker", lambda: _("Choose the caseworker to allocate the case to.")),
		("organisation", lambda: _("Link the case to the healthcare organisation it concerns.")),
	),
	WITHDRAWN: (("withdrawal_reason", lambda: _("Give the reason the case is withdrawn.")),),
	REFERRED_ON: (("referred_to", lambda: _("Say where the case is referred on to.")),),
	CLOSED: (("outcome", lambda: _("Record the outcome before closing the case.")),),
}
NEEDED_TO_REOPEN = (("reopen_reason", lambda: _("Give the reason for reopening the case.")),)

# Fields only a coordinator changes (the state moves only through workflow actions).
CONTROL_FIELDS = (
	"caseworker",
	"organisation",
	"priority",
	"triage_notes",
	"outcome",
	"withdrawal_reason",
	"referred_to",
	"reopen_reason",
	"allocation_override_reason",
)
# Fields the allocated caseworker may change as well as a coordinator.
CASEWORK_FIELDS = (
	"casework_notes",
	"act_complained_of_on",
	"acas_contacted_on",
	"acas_certificate_on",
	"excluded_from",
	"exclusion_ended_on",
)
CASEWORK_TABLES = {
	"deadlines": ("description", "due_date", "source"),
	"related_cases": ("related_case", "relation", "note"),
}
CASEWORKER_MAY_CHANGE = (*CASEWORK_FIELDS, *CASEWORK_TABLES, "workflow_state")
# The one thing that may change on an ended case: the reason for reopening it, given before Reopen.
CHANGEABLE_WHEN_ENDED = ("reopen_reason",)


def action_between(from_state: str, to_state: str) -> str | None:
	for transition in CASE_TRANSITIONS:
		if (transition.state, transition.next_state) == (from_state, to_state):
			return transition.action
	return None


def transition_problems(from_state: str, to_state: str, values: Mapping[str, Any]) -> dict[str, str]:
	"""What is missing for a case to move from one state to another, as {fieldname: message}."""
	if from_state == to_state:
		return {}
	needed = NEEDED_TO_REOPEN if from_state in ENDED_STATES else NEEDED_FOR.get(to_state, ())
	return {field: message() for field, message in needed if not str(values.get(field) or "").strip()}


def edit_problem(
	roles: Iterable[str],
	state_before: str,
	changed: Sequence[str],
	state_changes: bool,
	label: Callable[[str], str],
) -> str | None:
	"""Why this user may not make these changes in this state, or None when they may; `label` names a
	field as the form shows it."""
	roles = set(roles)
	if state_before in ENDED_STATES and not state_changes:
		if [field for field in changed if field not in CHANGEABLE_WHEN_ENDED]:
			return _("This case is {0}: reopen it before changing it.").format(_(state_before).lower())
	if roles & {COORDINATOR, SYSTEM_MANAGER}:
		return None
	not_theirs = [field for field in changed if field not in CASEWORKER_MAY_CHANGE]
	if not_theirs:
		return _("Only a coordinator can change: {0}.").format(
			", ".join(label(field) for field in not_theirs)
		)
	return None


def read_only_fields(roles: Iterable[str]) -> tuple[str, ...]:
	"""The case's fields and tables this user may see but never change, so the form shows them read-only."""
	if set(roles) & {COORDINATOR, SYSTEM_MANAGER}:
		return ()
	return tuple(
		field
		for field in (*INTAKE_FIELDS, *INTAKE_TABLES, *CONTROL_FIELDS, "intake_correction_reason")
		if field not in CASEWORKER_MAY_CHANGE
	)


def stalled_cutoff(now: datetime.datetime, stalled_after_days: int) -> datetime.datetime:
	"""An open case whose last activity is before this moment counts as stalled."""
	return now - datetime.timedelta(days=stalled_after_days)
