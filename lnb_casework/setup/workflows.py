"""Workflows from code: Frappe does not sync Workflow, Workflow State or Workflow Action Master from
module folders, so each workflow the app needs is described once as a WorkflowSpec and made (or brought
back in line) after install and after every migrate.

The workflow state is what the desk shows as a document's status, in its form's header and in its list
(Frappe's "Don't Override Status" is off), coloured by STATE_STYLES.

Frappe keeps one open Workflow Action per document and state, for the roles of the transitions out of it
(no email: "Send Email Alert" stays off). Anyone holding such a role sees it only if the row rule of the
document lets them read it (lnb_casework/permissions.py). A transition into one of a spec's
`optional_states` (Frappe's "Is Optional State") leaves no Workflow Action, so a rare correction such as
cancelling an approved review does not sit in anyone's list of things to do.

Frappe checks no workflow state when a document is cancelled outside the workflow (the desk's Cancel call,
the REST API), so the controller sets the cancelled state (Review.before_cancel); after every migrate, a
document cancelled before its workflow had a cancelled state is given that state."""

from dataclasses import dataclass

import frappe


@dataclass(frozen=True)
class Transition:
	state: str
	action: str
	next_state: str
	roles: tuple[str, ...]


@dataclass(frozen=True)
class WorkflowSpec:
	name: str
	document_type: str
	# (state, docstatus, roles that may edit in it); the first state is where documents start
	states: tuple[tuple[str, int, tuple[str, ...]], ...]
	transitions: tuple[Transition, ...]
	state_field: str = "workflow_state"
	# states whose arrival creates no Workflow Action (Frappe's "Is Optional State")
	optional_states: tuple[str, ...] = ()

	def cancelled_state(self) -> str | None:
		"""The state of a cancelled document (docstatus 2), or None when the workflow has none."""
		return next((state for state, docstatus, _roles in self.states if docstatus == 2), None)


# The colour of each state's indicator, as a Workflow State style: orange for what waits on a coordinator,
# blue for work under way, green for a good end, grey for drafts and other ends.
STATE_STYLES = {
	"New": "Danger",
	"Triage": "Warning",
	"Allocated": "Info",
	"Under Review": "Primary",
	"Active Support": "Primary",
	"Advocacy": "Primary",
	"Closed": "Success",
	"Withdrawn": "",
	"Referred On": "",
	"Draft": "",
	"Submitted for Approval": "Warning",
	"Approved": "Success",
	"Cancelled": "",
	"Identified": "Warning",
	"Under Analysis": "Primary",
	"Escalated": "Danger",
	"Being Addressed": "Primary",
	"Resolved": "Success",
	"Planned": "Warning",
	"In Progress": "Primary",
	"Completed": "Success",
	"Abandoned": "",
}


def ensure_workflow(spec: WorkflowSpec) -> None:
	"""Creates the workflow, its states and actions, or updates it when the spec has changed."""
	for state, _docstatus, _roles in spec.states:
		ensure_workflow_state(state, STATE_STYLES.get(state, ""))
	for action in {transition.action for transition in spec.transitions}:
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert(
				ignore_permissions=True
			)

	wanted = {
		"document_type": spec.document_type,
		"workflow_state_field": spec.state_field,
		"is_active": 1,
		"override_status": 0,
		"send_email_alert": 0,
		"states": [
			{
				"state": state,
				"doc_status": str(docstatus),
				"allow_edit": role,
				"is_optional_state": int(state in spec.optional_states),
			}
			for state, docstatus, roles in spec.states
			for role in roles
		],
		"transitions": [
			{
				"state": transition.state,
				"action": transition.action,
				"next_state": transition.next_state,
				"allowed": role,
				"allow_self_approval": 1,
			}
			for transition in spec.transitions
			for role in transition.roles
		],
	}
	if frappe.db.exists("Workflow", spec.name):
		workflow = frappe.get_doc("Workflow", spec.name)
		if workflow_signature(workflow.as_dict()) != workflow_signature(wanted):
			workflow.set("states", [])
			workflow.set("transitions", [])
			workflow.update(wanted)
			workflow.save(ignore_permissions=True)
	else:
		workflow = frappe.new_doc("Workflow")
		workflow.workflow_name = spec.name
		workflow.update(wanted)
		workflow.save(ignore_permissions=True)
	put_cancelled_documents_in_their_state(spec)


def put_cancelled_documents_in_their_state(spec: WorkflowSpec) -> None:
	"""A document cancelled before its workflow had a cancelled state kept the state it was in."""
	cancelled = spec.cancelled_state()
	if not cancelled:
		return
	table = frappe.qb.DocType(spec.document_type)
	state = table[spec.state_field]
	(
		frappe.qb.update(table)
		.set(state, cancelled)
		.where((table.docstatus == 2) & ((state != cancelled) | state.isnull()))
		.run()
	)


def ensure_workflow_state(state: str, style: str) -> None:
	if not frappe.db.exists("Workflow State", state):
		frappe.get_doc({"doctype": "Workflow State", "workflow_state_name": state, "style": style}).insert(
			ignore_permissions=True
		)
	elif (frappe.db.get_value("Workflow State", state, "style") or "") != style:
		frappe.db.set_value("Workflow State", state, "style", style)


def workflow_signature(workflow: dict) -> tuple:
	def rows(table: str, fields: tuple[str, ...]) -> tuple:
		return tuple(
			tuple(str(row.get(field) or "") for field in fields) for row in workflow.get(table) or []
		)

	return (
		workflow.get("document_type"),
		workflow.get("workflow_state_field"),
		int(workflow.get("is_active") or 0),
		int(workflow.get("override_status") or 0),
		int(workflow.get("send_email_alert") or 0),
		rows("states", ("state", "doc_status", "allow_edit", "is_optional_state")),
		rows("transitions", ("state", "action", "next_state", "allowed", "allow_self_approval")),
	)
