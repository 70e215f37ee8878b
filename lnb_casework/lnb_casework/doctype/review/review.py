import frappe
from frappe import _
from frappe.model.document import Document

from lnb_casework.alerts.review import send_review_alerts
from lnb_casework.permissions import may_read_case
from lnb_casework.review.just_culture import QUESTIONS, assess
from lnb_casework.review.workflow import (
	APPROVED,
	CANCELLED,
	edit_problem,
	is_resubmission,
	transition_problem,
)


class Review(Document):
	def validate(self) -> None:
		if not may_read_case(self.case):
			frappe.throw(_("You can only review cases allocated to you."), frappe.PermissionError)
		before = self.get_doc_before_save()
		state_before = before.workflow_state if before else None
		problem = edit_problem(frappe.get_roles(), state_before)
		if problem:
			frappe.throw(problem, frappe.PermissionError)
		problem = transition_problem(state_before, self.workflow_state, self.as_dict())
		if problem:
			frappe.throw(problem, title=_("Comments needed"))
		if is_resubmission(state_before, self.workflow_state):
			# answered by this draft; the earlier comments stay in the review's history
			self.return_comments = None
		self.derive_just_culture_outcome()

	def on_update(self) -> None:
		before = self.get_doc_before_save()
		send_review_alerts(self, before.workflow_state if before else None)

	def before_submit(self) -> None:
		# Submitting is approving: only the Approve action, from "Submitted for Approval", may do it.
		if self.workflow_state != APPROVED:
			frappe.throw(_("A review is approved through its Approve action once submitted for approval."))

	def before_cancel(self) -> None:
		# Frappe checks no workflow state on cancel, and the desk's Cancel call sends the state it showed:
		# however a review is cancelled, its state says so.
		self.workflow_state = CANCELLED

	def derive_just_culture_outcome(self) -> None:
		"""The outcome is always worked out from the answers; whatever was typed into it is replaced."""
		assessment = assess({question: self.get(f"jc_{question}") for question in QUESTIONS})
		self.just_culture_outcome = assessment.outcome
		self.just_culture_decided_by = questions_text(assessment.decided_by)
		self.just_culture_needs_evidence = questions_text(assessment.needs_evidence)
		self.system_review_needed = int(assessment.system_review_needed)


def questions_text(questions: tuple[str, ...]) -> str:
	return "\n".join(f"{question}: {QUESTIONS[question]}" for question in questions)
