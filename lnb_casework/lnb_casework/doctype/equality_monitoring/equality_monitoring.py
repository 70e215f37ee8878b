import frappe
from frappe import _
from frappe.model.document import Document

from lnb_casework.intake.equality import open_equality_answers


def opened_answer(question: str) -> property:
	"""A virtual field's value: the question's answer, opened from the sealed answers when it is read
	(nothing before the record is sealed)."""

	def answer(record: "EqualityMonitoring") -> str | None:
		if not record.sealed_answers:
			return None
		return open_equality_answers(record.case, record.sealed_answers)[question]

	return property(answer)


class EqualityMonitoring(Document):
	# The answers are stored only sealed (lnb_casework/intake/sealed_answers.py); the form shows them opened.
	ethnic_group = opened_answer("ethnic_group")
	sex = opened_answer("sex")
	gender_identity_same_as_birth = opened_answer("gender_identity_same_as_birth")
	sexual_orientation = opened_answer("sexual_orientation")
	disability = opened_answer("disability")
	religion_or_belief = opened_answer("religion_or_belief")
	age_band = opened_answer("age_band")
	qualification_region = opened_answer("qualification_region")

	def validate(self) -> None:
		if not self.is_new():
			frappe.throw(_("Equality monitoring answers are kept exactly as the doctor gave them."))
		open_equality_answers(self.case, self.sealed_answers)
