"""Equality monitoring answers: collected by the intake form, kept apart from the case.

The Case carries them only in virtual fields, never stored; they are written to an Equality Monitoring
record that no casework role can open, so no filter on Case can reveal them.
"""

import frappe

EQUALITY_QUESTIONS = (
	"ethnic_group",
	"sex",
	"gender_identity_same_as_birth",
	"sexual_orientation",
	"disability",
	"religion_or_belief",
	"age_band",
	"qualification_region",
)


def case_field(question: str) -> str:
	return f"equality_{question}"


def record_equality_answers(case) -> str:
	"""Writes the case's equality answers (unanswered questions stay empty) and returns the record's name."""
	record = frappe.get_doc(
		{
			"doctype": "Equality Monitoring",
			"case": case.name,
			**{question: case.get(case_field(question)) or None for question in EQUALITY_QUESTIONS},
		}
	)
	record.insert(ignore_permissions=True)
	return record.name
