"""A review: the Just Culture outcome it derives, and its workflow as each role meets it."""

import frappe
from frappe.model.workflow import WorkflowTransitionError, apply_workflow
from frappe.tests.utils import FrappeTestCase

from lnb_casework.lnb_casework.doctype.case.test_case import make_user, submit_through_form
from lnb_casework.review.just_culture import (
	INDIVIDUAL_LEARNING,
	INSUFFICIENT_EVIDENCE,
	QUESTIONS,
	SYSTEM_FAILURE,
)
from lnb_casework.review.story import case_story
from lnb_casework.review.test_just_culture import CLEAR
from lnb_casework.review.workflow import (
	APPROVE,
	APPROVED,
	DRAFT,
	RETURN_TO_DRAFT,
	REVIEW_WORKFLOW,
	SUBMIT_FOR_APPROVAL,
	SUBMITTED_FOR_APPROVAL,
)

CASEWORKER = "review-caseworker@example.com"
OTHER_CASEWORKER = "review-other-caseworker@example.com"
COORDINATOR = "review-coordinator@example.com"
POLICY_LEAD = "review-policy-lead@example.com"


def review_answers(case: str, answers: dict | None = None, **fields) -> dict:
	answers = {**CLEAR, **(answers or {})}
	return {
		"doctype": "Review",
		"case": case,
		"action_or_omission": "Administered the drug the protocol named",
		"circumstances": "A night shift with two doctors short.",
		"context": "The trust had no pharmacist on site at night.",
		**{f"jc_{question}": answer for question, answer in answers.items()},
		**{f"jc_{question}_evidence": f"Rota and statements ({question})" for question in answers},
		"recommendation": "Look at night staffing, not at the doctor.",
		**fields,
	}


def allocated_case(caseworker: str = CASEWORKER) -> str:
	case = submit_through_form().name
	frappe.db.set_value("Case", case, "caseworker", caseworker)
	return case


class TestReview(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(CASEWORKER, "LNB Caseworker")
		make_user(OTHER_CASEWORKER, "LNB Caseworker")
		make_user(COORDINATOR, "LNB Coordinator")
		make_user(POLICY_LEAD, "LNB Policy Lead")

	def tearDown(self):
		frappe.set_user("Administrator")

	def draft_by_caseworker(self, answers: dict | None = None, **fields):
		case = allocated_case()
		frappe.set_user(CASEWORKER)
		return frappe.get_doc(review_answers(case, answers, **fields)).insert()

	def submitted_for_approval(self):
		review = self.draft_by_caseworker()
		apply_workflow(review, SUBMIT_FOR_APPROVAL)
		frappe.set_user(COORDINATOR)
		return frappe.get_doc("Review", review.name)

	# ---- the Just Culture outcome

	def test_questions_are_asked_as_the_guide_words_them(self):
		meta = frappe.get_meta("Review")
		for question, text in QUESTIONS.items():
			self.assertEqual(meta.get_label(f"jc_{question}"), text)
			self.assertEqual(meta.get_options(f"jc_{question}"), "\nYes\nNo\nUnknown")
			self.assertTrue(meta.get_field(f"jc_{question}_evidence"))

	def test_outcome_is_derived_on_save_and_a_typed_one_is_overwritten(self):
		review = self.draft_by_caseworker(
			{"4a": "Yes"}, just_culture_outcome="Deliberate harm", system_review_needed=0
		)
		self.assertEqual(review.just_culture_outcome, SYSTEM_FAILURE)
		self.assertEqual(review.just_culture_decided_by, f"4a: {QUESTIONS['4a']}")
		self.assertEqual(review.system_review_needed, 1)
		self.assertEqual(frappe.db.get_value("Review", review.name, "just_culture_outcome"), SYSTEM_FAILURE)

		review.just_culture_outcome = "Deliberate harm"
		review.jc_4a = "No"
		review.save()
		stored = frappe.db.get_value(
			"Review", review.name, ["just_culture_outcome", "system_review_needed"], as_dict=True
		)
		self.assertEqual(stored.just_culture_outcome, INDIVIDUAL_LEARNING)
		self.assertEqual(stored.system_review_needed, 1)

	def test_insufficient_evidence_names_the_questions(self):
		review = self.draft_by_caseworker({"2b": "Unknown", "2c": ""})
		self.assertEqual(review.just_culture_outcome, INSUFFICIENT_EVIDENCE)
		self.assertEqual(
			review.just_culture_needs_evidence.splitlines(),
			[f"2b: {QUESTIONS['2b']}", f"2c: {QUESTIONS['2c']}"],
		)
		self.assertFalse(review.just_culture_decided_by)
		self.assertEqual(review.system_review_needed, 0, "no outcome reached yet")

		review.jc_2b = review.jc_2c = "No"
		review.save()
		self.assertEqual(review.just_culture_outcome, INDIVIDUAL_LEARNING)
		self.assertFalse(review.just_culture_needs_evidence)
		self.assertEqual(review.system_review_needed, 1)

	# ---- the doctor's story beside the review

	def test_the_story_is_told_only_to_whoever_may_read_the_case(self):
		case = allocated_case()
		for user in (CASEWORKER, COORDINATOR):
			frappe.set_user(user)
			story = case_story(case)
			self.assertEqual(story["what_happened"], "I was excluded for five months without a review.")
			self.assertEqual(
				story["processes"],
				[{"process": "Exclusion or restriction of practice", "details": "since June"}],
			)
			self.assertEqual(story["key_dates"], [{"what": "Disciplinary hearing", "date": "2026-12-14"}])
			self.assertEqual(story["discrimination_kinds"], ["Race"])
			for private in ("Amina", "amina.khan@example.com", "07700 900123", "7654321"):
				self.assertNotIn(private, str(story))
		for user in (OTHER_CASEWORKER, POLICY_LEAD):
			frappe.set_user(user)
			for name in (case, "LNB-1999-00001"):
				with self.assertRaises(frappe.PermissionError):
					case_story(name)
		frappe.set_user(COORDINATOR)
		with self.assertRaises(frappe.PermissionError):
			case_story("LNB-1999-00001")

	def test_a_blank_review_does_not_call_for_a_system_review(self):
		self.assertEqual(frappe.new_doc("Review").system_review_needed, 0)

	# ---- the workflow, role by role

	def test_workflow_is_installed_as_specified(self):
		workflow = frappe.get_doc("Workflow", REVIEW_WORKFLOW.name)
		self.assertTrue(workflow.is_active)
		self.assertEqual(workflow.document_type, "Review")
		self.assertEqual(
			{(row.state, int(row.doc_status), row.allow_edit) for row in workflow.states},
			{
				(state, docstatus, role)
				for state, docstatus, roles in REVIEW_WORKFLOW.states
				for role in roles
			},
		)
		self.assertEqual(
			{(row.state, row.action, row.next_state, row.allowed) for row in workflow.transitions},
			{
				(t.state, t.action, t.next_state, role)
				for t in REVIEW_WORKFLOW.transitions
				for role in t.roles
			},
		)

	def test_allocated_caseworker_drafts_and_submits_for_approval_but_cannot_approve(self):
		review = self.draft_by_caseworker()
		self.assertEqual((review.workflow_state, review.docstatus), (DRAFT, 0))
		self.assertTrue(frappe.has_permission("Review", "read", review.name, user=CASEWORKER))
		self.assertIn(review.name, frappe.get_list("Review", pluck="name"))

		review = apply_workflow(review, SUBMIT_FOR_APPROVAL)
		self.assertEqual((review.workflow_state, review.docstatus), (SUBMITTED_FOR_APPROVAL, 0))

		with self.assertRaises(WorkflowTransitionError):
			apply_workflow(review, APPROVE)
		with self.assertRaises(WorkflowTransitionError):
			apply_workflow(review, RETURN_TO_DRAFT)
		review = frappe.get_doc("Review", review.name)
		review.workflow_state = APPROVED
		with self.assertRaises(frappe.PermissionError):
			review.submit()
		self.assertEqual(frappe.db.get_value("Review", review.name, "docstatus"), 0)

	def test_caseworker_cannot_change_a_review_waiting_for_approval(self):
		review = self.submitted_for_approval()
		frappe.set_user(CASEWORKER)
		review = frappe.get_doc("Review", review.name)
		review.recommendation = "Changed while the coordinator reads it."
		with self.assertRaisesRegex(frappe.PermissionError, "waiting for a coordinator's approval"):
			review.save()

	def test_coordinator_approves_and_the_review_is_then_read_only(self):
		review = self.submitted_for_approval()
		review = apply_workflow(review, APPROVE)
		self.assertEqual((review.workflow_state, review.docstatus), (APPROVED, 1))
		self.assertEqual(frappe.db.get_value("Review", review.name, "docstatus"), 1)

		# the coordinator may update submitted documents, but no field of a review allows it
		for user, refusal in (
			(COORDINATOR, frappe.UpdateAfterSubmitError),
			(CASEWORKER, frappe.PermissionError),
		):
			frappe.set_user(user)
			approved = frappe.get_doc("Review", review.name)
			approved.recommendation = "Changed after approval."
			with self.subTest(user), self.assertRaises(refusal):
				approved.save()
		self.assertEqual(
			frappe.db.get_value("Review", review.name, "recommendation"),
			"Look at night staffing, not at the doctor.",
		)

	def test_coordinator_approves_only_through_the_workflow(self):
		review = self.draft_by_caseworker()
		frappe.set_user(COORDINATOR)
		review = frappe.get_doc("Review", review.name)
		with self.assertRaisesRegex(frappe.ValidationError, "approved through its Approve action"):
			review.submit()
		self.assertEqual(frappe.db.get_value("Review", review.name, "docstatus"), 0)

	def test_coordinator_returns_a_review_only_with_comments(self):
		review = self.submitted_for_approval()
		with self.assertRaisesRegex(frappe.ValidationError, "comments for the caseworker"):
			apply_workflow(review, RETURN_TO_DRAFT)
		self.assertEqual(frappe.db.get_value("Review", review.name, "workflow_state"), SUBMITTED_FOR_APPROVAL)

		review = frappe.get_doc("Review", review.name)
		review.return_comments = "Give the evidence for 4a: whose statements?"
		review.save()
		review = apply_workflow(review, RETURN_TO_DRAFT)
		self.assertEqual((review.workflow_state, review.docstatus), (DRAFT, 0))
		self.assertEqual(review.return_comments, "Give the evidence for 4a: whose statements?")

		# the caseworker works on the draft again (and cannot write the coordinator's comments)
		frappe.set_user(CASEWORKER)
		review = frappe.get_doc("Review", review.name)
		review.jc_4a_evidence = "Statements of the two registrars on shift."
		review.return_comments = "Nothing to see here."
		review.save()
		self.assertEqual(
			frappe.db.get_value("Review", review.name, "return_comments"),
			"Give the evidence for 4a: whose statements?",
		)
		# submitting it again answers the comments: a second return needs new ones
		review = apply_workflow(review, SUBMIT_FOR_APPROVAL)
		self.assertEqual(review.workflow_state, SUBMITTED_FOR_APPROVAL)
		self.assertFalse(review.return_comments)
		frappe.set_user(COORDINATOR)
		with self.assertRaisesRegex(frappe.ValidationError, "comments for the caseworker"):
			apply_workflow(frappe.get_doc("Review", review.name), RETURN_TO_DRAFT)

	# ---- reviews of cases not allocated to the caseworker

	def test_caseworker_cannot_create_or_read_a_review_of_a_case_not_theirs(self):
		case = allocated_case(OTHER_CASEWORKER)
		frappe.set_user(OTHER_CASEWORKER)
		theirs = frappe.get_doc(review_answers(case)).insert()

		frappe.set_user(CASEWORKER)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(review_answers(case)).insert()
		# the controller refuses it too, whatever way in skipped the permission check
		with self.assertRaisesRegex(frappe.PermissionError, "cases allocated to you"):
			frappe.get_doc(review_answers(case)).insert(ignore_permissions=True)
		self.assertFalse(frappe.has_permission("Review", "read", theirs.name, user=CASEWORKER))
		self.assertNotIn(theirs.name, frappe.get_list("Review", pluck="name"))
		self.assertEqual(frappe.db.count("Review", {"case": case}), 1)

		mine = self.draft_by_caseworker()
		frappe.db.set_value("Case", mine.case, "caseworker", OTHER_CASEWORKER)
		mine = frappe.get_doc("Review", mine.name)
		mine.recommendation = "Changed after the case went to someone else."
		with self.assertRaises(frappe.PermissionError):
			mine.save()

	def test_a_policy_lead_reads_no_review(self):
		review = self.draft_by_caseworker()
		frappe.set_user(POLICY_LEAD)
		self.assertFalse(frappe.has_permission("Review", "read", review.name, user=POLICY_LEAD))
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(review_answers(review.case)).insert()
