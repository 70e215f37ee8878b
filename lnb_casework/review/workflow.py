"""How a review moves from draft to approval, and who may change it on the way, as pure functions
(the Review controller applies them).

Approved means submitted: the review is then read-only. A coordinator who returns a review to draft says
why in its return comments.

Cancelled means cancelled (docstatus 2). Only a System Manager cancels a review, as only a System Manager
deletes one (docs/access-policy.md; the Review doctype gives no other role "cancel"): an approved review is
the casework's record, and a coordinator who finds it wrong writes a new review of the case. The Cancel action does it through the
workflow; the desk's Cancel call and the REST API's cancel end in the same state, set by the controller.
Cancelling leaves no Workflow Action (an optional state), so approved reviews do not wait in anyone's list.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from frappe import _

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, SYSTEM_MANAGER
from lnb_casework.setup.workflows import Transition, WorkflowSpec

DRAFT, SUBMITTED_FOR_APPROVAL, APPROVED = "Draft", "Submitted for Approval", "Approved"
CANCELLED = "Cancelled"
SUBMIT_FOR_APPROVAL, APPROVE, RETURN_TO_DRAFT = "Submit for approval", "Approve", "Return to draft"
CANCEL = "Cancel"

REVIEW_WORKFLOW = WorkflowSpec(
	name="Review",
	document_type="Review",
	states=(
		(DRAFT, 0, (CASEWORKER, COORDINATOR)),
		(SUBMITTED_FOR_APPROVAL, 0, (COORDINATOR,)),
		(APPROVED, 1, (COORDINATOR,)),
		(CANCELLED, 2, (SYSTEM_MANAGER,)),
	),
	transitions=(
		Transition(DRAFT, SUBMIT_FOR_APPROVAL, SUBMITTED_FOR_APPROVAL, (CASEWORKER, COORDINATOR)),
		Transition(SUBMITTED_FOR_APPROVAL, APPROVE, APPROVED, (COORDINATOR,)),
		Transition(SUBMITTED_FOR_APPROVAL, RETURN_TO_DRAFT, DRAFT, (COORDINATOR,)),
		Transition(APPROVED, CANCEL, CANCELLED, (SYSTEM_MANAGER,)),
	),
	optional_states=(CANCELLED,),
)

APPROVERS = {COORDINATOR, SYSTEM_MANAGER}


def is_return(from_state: str | None, to_state: str | None) -> bool:
	return from_state == SUBMITTED_FOR_APPROVAL and to_state == DRAFT


def is_resubmission(from_state: str | None, to_state: str | None) -> bool:
	return from_state == DRAFT and to_state == SUBMITTED_FOR_APPROVAL


def transition_problem(from_state: str | None, to_state: str | None, values: Mapping[str, Any]) -> str | None:
	"""What is missing for a review to move between these states, or None."""
	if is_return(from_state, to_state) and not str(values.get("return_comments") or "").strip():
		return _("Write your comments for the caseworker before returning the review to draft.")
	return None


def edit_problem(roles: Iterable[str], state_before: str | None) -> str | None:
	"""Why this user may not change a review in this state, or None when they may.

	Frappe does not enforce a workflow state's "who may edit" on the server, so this does: a caseworker
	changes a review only while it is a draft (submitting it for approval is such a change).
	"""
	if state_before == SUBMITTED_FOR_APPROVAL and not set(roles) & APPROVERS:
		return _(
			"This review is waiting for a coordinator's approval; it can be changed once returned to draft."
		)
	return None
