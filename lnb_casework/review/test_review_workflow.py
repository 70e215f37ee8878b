"""Cancelling an approved review, and the Workflow Actions that the app's workflows leave behind.

Only a System Manager cancels a review (lnb_casework/review/workflow.py); however they do it (the Cancel
action, the desk's Cancel call, the REST API's cancel), the review's state becomes Cancelled. Frappe keeps
one Workflow Action per document and state, which only those who may act on that document can see.
"""

import dataclasses

import frappe
from frappe.client import cancel as client_cancel
from frappe.desk.form.save import cancel as desk_cancel
from frappe.model.workflow import WorkflowTransitionError, apply_workflow, get_transitions
from frappe.tests.utils import FrappeTestCase

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, SYSTEM_MANAGER
from lnb_casework.casework.test_casework import case_in, make_organisations
from lnb_casework.lnb_casework.doctype.review.test_review import review_answers
from lnb_casework.review.workflow import (
	APPROVE,
	APPROVED,
	CANCEL,
	CANCELLED,
	REVIEW_WORKFLOW,
	SUBMIT_FOR_APPROVAL,
	SUBMITTED_FOR_APPROVAL,
)
from lnb_casework.setup.workflows import STATE_STYLES, ensure_workflow

CASEWORKERS = [f"wa-caseworker-{number:02}@lnb.test" for number in range(1, 21)]
COORDINATORS = [f"wa-coordinator-{number}@lnb.test" for number in range(1, 4)]
MANAGER = "wa-system-manager@lnb.test"


def open_actions(reference: str, state: str | None = None) -> list:
	return frappe.get_all(
		"Workflow Action",
		filters={
			"reference_name": reference,
			"status": "Open",
			**({"workflow_state": state} if state else {}),
		},
		fields=["name", "workflow_state", "user"],
	)


def who_sees_the_open_action(reference: str, state: str) -> set[str]:
	"""The users (of this test) whose Workflow Action list shows the record's open action for this state."""
	seen = set()
	for user in (*CASEWORKERS, *COORDINATORS):
		frappe.set_user(user)
		if frappe.get_list(
			"Workflow Action",
			filters={"reference_name": reference, "status": "Open", "workflow_state": state},
		):
			seen.add(user)
	frappe.set_user("Administrator")
	return seen


def make_user_with_role(email: str, role: str) -> None:
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"roles": [{"role": role}],
			}
		).insert(ignore_permissions=True)


class TestReviewWorkflow(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_organisations()
		for user in CASEWORKERS:
			make_user_with_role(user, CASEWORKER)
		for user in COORDINATORS:
			make_user_with_role(user, COORDINATOR)
		make_user_with_role(MANAGER, SYSTEM_MANAGER)

	def tearDown(self):
		frappe.set_user("Administrator")

	def approved_review(self) -> str:
		case = case_in("Under Review", CASEWORKERS[0])
		frappe.set_user(CASEWORKERS[0])
		review = frappe.get_doc(review_answers(case)).insert()
		apply_workflow(review, SUBMIT_FOR_APPROVAL)
		frappe.set_user(COORDINATORS[0])
		review = apply_workflow(frappe.get_doc("Review", review.name), APPROVE)
		self.assertEqual((review.workflow_state, review.docstatus), (APPROVED, 1))
		return review.name

	def assert_cancelled(self, review: str) -> None:
		self.assertEqual(
			frappe.db.get_value("Review", review, ["workflow_state", "docstatus"]), (CANCELLED, 2)
		)

	# ---- cancelling

	def test_the_cancelled_state_is_installed_with_its_colour(self):
		workflow = frappe.get_doc("Workflow", REVIEW_WORKFLOW.name)
		states = {row.state: row for row in workflow.states}
		self.assertEqual(states[CANCELLED].doc_status, "2")
		self.assertTrue(states[CANCELLED].is_optional_state)
		self.assertFalse(any(states[state].is_optional_state for state in states if state != CANCELLED))
		self.assertEqual(
			{(row.state, row.allowed) for row in workflow.transitions if row.next_state == CANCELLED},
			{(APPROVED, SYSTEM_MANAGER)},
		)
		self.assertEqual(
			frappe.db.get_value("Workflow State", CANCELLED, "style") or "", STATE_STYLES[CANCELLED]
		)
		self.assertFalse(workflow.send_email_alert)

	def test_a_system_manager_cancels_an_approved_review_through_the_workflow(self):
		review = self.approved_review()
		frappe.set_user(MANAGER)
		self.assertIn(CANCEL, [t.action for t in get_transitions(frappe.get_doc("Review", review))])
		cancelled = apply_workflow(frappe.get_doc("Review", review), CANCEL)
		self.assertEqual((cancelled.workflow_state, cancelled.docstatus), (CANCELLED, 2))
		self.assert_cancelled(review)
		self.assertEqual(open_actions(review), [], "cancelling leaves nothing to do")

	def test_the_desk_cancel_call_and_the_rest_cancel_end_cancelled_too(self):
		frappe.set_user("Administrator")
		# the desk sends the state its form showed
		by_desk = self.approved_review()
		frappe.set_user(MANAGER)
		desk_cancel("Review", by_desk, workflow_state_fieldname="workflow_state", workflow_state=APPROVED)
		self.assert_cancelled(by_desk)

		by_rest = self.approved_review()
		frappe.set_user(MANAGER)
		client_cancel("Review", by_rest)
		self.assert_cancelled(by_rest)

	def test_nobody_else_cancels_a_review(self):
		review = self.approved_review()
		for user in (COORDINATORS[0], CASEWORKERS[0]):
			frappe.set_user(user)
			with self.subTest(user):
				self.assertNotIn(
					CANCEL, [t.action for t in get_transitions(frappe.get_doc("Review", review))]
				)
				with self.assertRaises(WorkflowTransitionError):
					apply_workflow(frappe.get_doc("Review", review), CANCEL)
				with self.assertRaises(frappe.PermissionError):
					client_cancel("Review", review)
		self.assertEqual(
			frappe.db.get_value("Review", review, ["workflow_state", "docstatus"]), (APPROVED, 1)
		)

	def test_migrate_adds_the_cancelled_state_and_puts_old_cancelled_reviews_in_it(self):
		review = self.approved_review()
		frappe.set_user("Administrator")
		# a site from before: no Cancelled state, Frappe's mail on, and a review cancelled as it was then
		before = dataclasses.replace(
			REVIEW_WORKFLOW,
			states=tuple(row for row in REVIEW_WORKFLOW.states if row[0] != CANCELLED),
			transitions=tuple(t for t in REVIEW_WORKFLOW.transitions if t.next_state != CANCELLED),
			optional_states=(),
		)
		ensure_workflow(before)
		frappe.db.set_value("Workflow", REVIEW_WORKFLOW.name, "send_email_alert", 1)
		frappe.db.set_value("Review", review, "docstatus", 2)
		self.assertNotIn(CANCELLED, [row.state for row in frappe.get_doc("Workflow", "Review").states])

		ensure_workflow(REVIEW_WORKFLOW)
		workflow = frappe.get_doc("Workflow", REVIEW_WORKFLOW.name)
		self.assertIn(
			(CANCELLED, "2", 1), [(r.state, r.doc_status, r.is_optional_state) for r in workflow.states]
		)
		self.assertEqual(workflow.send_email_alert, 0)
		self.assert_cancelled(review)

	# ---- Workflow Actions: one per record and state, seen only by whoever may act on that record

	def test_each_move_of_a_case_leaves_one_action_seen_only_by_those_who_may_act(self):
		case = case_in("New", CASEWORKERS[0])  # with what allocating and closing need
		moves = (
			(COORDINATORS[0], "Start triage", "Triage", set(COORDINATORS)),
			(COORDINATORS[0], "Allocate", "Allocated", {CASEWORKERS[0], *COORDINATORS}),
			(CASEWORKERS[0], "Start review", "Under Review", {CASEWORKERS[0], *COORDINATORS}),
			(COORDINATORS[0], "Close", "Closed", set(COORDINATORS)),  # only a coordinator reopens
		)
		self.assertEqual([a.workflow_state for a in open_actions(case)], ["New"])
		self.assertEqual(who_sees_the_open_action(case, "New"), set(COORDINATORS))
		for reached, (mover, action, state, may_act) in enumerate(moves, start=2):
			frappe.set_user(mover)
			apply_workflow(frappe.get_doc("Case", case), action)
			frappe.set_user("Administrator")
			with self.subTest(state):
				# one row per state reached, whoever holds the roles of the moves out of it (no row per user)
				self.assertEqual(frappe.db.count("Workflow Action", {"reference_name": case}), reached)
				self.assertEqual([(a.workflow_state, a.user) for a in open_actions(case)], [(state, None)])
				self.assertEqual(who_sees_the_open_action(case, state), may_act)
				for user in may_act:
					frappe.set_user(user)
					self.assertTrue(get_transitions(frappe.get_doc("Case", case)), f"{user} can act")
				frappe.set_user("Administrator")

	def test_a_reviews_actions_follow_its_case_and_end_with_approval(self):
		case = case_in("Under Review", CASEWORKERS[0])
		frappe.set_user(CASEWORKERS[0])
		review = frappe.get_doc(review_answers(case)).insert()
		frappe.set_user("Administrator")
		self.assertEqual([a.workflow_state for a in open_actions(review.name)], ["Draft"])
		self.assertEqual(who_sees_the_open_action(review.name, "Draft"), {CASEWORKERS[0], *COORDINATORS})

		frappe.set_user(CASEWORKERS[0])
		apply_workflow(frappe.get_doc("Review", review.name), SUBMIT_FOR_APPROVAL)
		frappe.set_user("Administrator")
		self.assertEqual([a.workflow_state for a in open_actions(review.name)], [SUBMITTED_FOR_APPROVAL])
		self.assertEqual(who_sees_the_open_action(review.name, SUBMITTED_FOR_APPROVAL), set(COORDINATORS))

		frappe.set_user(COORDINATORS[0])
		apply_workflow(frappe.get_doc("Review", review.name), APPROVE)
		frappe.set_user("Administrator")
		self.assertEqual(open_actions(review.name), [], "an approved review waits on nobody")
		self.assertEqual(frappe.db.count("Workflow Action", {"reference_name": review.name}), 2)
