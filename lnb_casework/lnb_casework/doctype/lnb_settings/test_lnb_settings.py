import frappe
from frappe.tests.utils import FrappeTestCase

from lnb_casework.intake.equality import EQUALITY_QUESTIONS, QUESTION_LABELS, question_answers
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import fill_in_defaults

ETHNIC = QUESTION_LABELS["ethnic_group"]
SEX = QUESTION_LABELS["sex"]


def share(question: str, answer: str, value: float, source: str = "GMC register", year: int = 2024) -> dict:
	return {"question": question, "answer": answer, "share": value, "source": source, "year": year}


class TestReferencePopulationShares(FrappeTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def save(self, *rows: dict):
		settings = frappe.get_single("LNB Settings")
		settings.set("reference_shares", list(rows))
		settings.save(ignore_permissions=True)
		return settings

	def refused(self, *rows: dict) -> str:
		with self.assertRaises(frappe.ValidationError) as refused:
			self.save(*rows)
		return str(refused.exception)

	def test_the_questions_offered_are_the_monitoring_questions(self):
		options = frappe.get_meta("Reference Population Share").get_options("question").split("\n")
		self.assertEqual(options, ["", *(QUESTION_LABELS[question] for question in EQUALITY_QUESTIONS)])
		self.assertEqual(
			question_answers("ethnic_group"),
			[
				"Asian or Asian British",
				"Black, Black British, Caribbean or African",
				"Mixed or multiple ethnic groups",
				"White",
				"Other ethnic group",
			],
		)
		self.assertEqual(question_answers("qualification_region")[-1], "Elsewhere")

	def test_good_shares_are_kept_and_answers_take_the_forms_spelling(self):
		settings = self.save(
			share(ETHNIC, "White", 58.5),
			share(ETHNIC, " asian or asian british ", 28.0),
			share(ETHNIC, "Black, Black British, Caribbean or African", 13.5),
			share(SEX, "Female", 0),
		)
		self.assertEqual(
			[(row.answer, row.share) for row in settings.reference_shares],
			[
				("White", 58.5),
				("Asian or Asian British", 28.0),
				("Black, Black British, Caribbean or African", 13.5),
				("Female", 0),
			],
		)

	def test_an_answer_must_belong_to_its_question(self):
		message = self.refused(share(ETHNIC, "White", 60), share(SEX, "White", 40))
		self.assertIn('Row 2: "White" is not an answer to "Sex". Its answers are: Female; Male.', message)
		self.assertNotIn("Row 1", message)
		self.assertIn("has no reference share", self.refused(share(SEX, "Prefer not to say", 1)))

	def test_a_group_is_given_once(self):
		message = self.refused(share(SEX, "Female", 40), share(SEX, "Male", 50), share(SEX, "female", 5))
		self.assertIn('Row 3: "Female" for "Sex" is already given in row 1.', message)

	def test_shares_of_one_question_add_up_to_at_most_100(self):
		message = self.refused(share(SEX, "Female", 60), share(SEX, "Male", 45.5), share(ETHNIC, "White", 90))
		self.assertIn('The shares for "Sex" add up to 105.5%, more than 100%.', message)
		self.assertNotIn("Ethnic", message)
		self.save(share(SEX, "Female", 33.33), share(SEX, "Male", 66.67))

	def test_share_source_and_year_are_checked_row_by_row(self):
		message = self.refused(
			share(SEX, "Female", 120),
			share(SEX, "Male", -1),
			share(ETHNIC, "White", 50, source=" "),
			share(ETHNIC, "Other ethnic group", 5, year=0),
			share(ETHNIC, "Asian or Asian British", 5, year=1850),
		)
		for expected in (
			"Row 1: the share must be between 0 and 100%.",
			"Row 2: the share must be between 0 and 100%.",
			"Row 3: give the source of the share, e.g. GMC register.",
			"Row 4: give the year the share is for.",
			"Row 5: the year must be between 1900 and",
		):
			self.assertIn(expected, message)


class TestDefaultsFromTheDoctype(FrappeTestCase):
	"""lnb_settings.json is the one place a setting's default is written; migrate stores the missing ones."""

	def tearDown(self):
		frappe.db.rollback()
		frappe.clear_document_cache("LNB Settings", "LNB Settings")

	def test_every_declared_default_is_stored(self):
		stored = frappe.db.get_singles_dict("LNB Settings")
		declared = [field for field in frappe.get_meta("LNB Settings").fields if field.default]
		self.assertGreaterEqual(len(declared), 14)
		for field in declared:
			self.assertNotIn(stored.get(field.fieldname), (None, ""), field.fieldname)

	def test_migrate_fills_in_a_missing_setting_and_keeps_what_a_coordinator_set(self):
		frappe.db.delete("Singles", {"doctype": "LNB Settings", "field": "stalled_after_days"})
		frappe.db.set_single_value("LNB Settings", "consent_wording", "")
		frappe.db.set_single_value("LNB Settings", "retention_months", 0)
		frappe.db.set_single_value("LNB Settings", "deadline_reminder_days", "10, 3")
		self.assertIsNone(frappe.db.get_singles_dict("LNB Settings").get("stalled_after_days"))

		fill_in_defaults()  # as every migrate does (setup/install.py)

		meta = frappe.get_meta("LNB Settings")
		settings = frappe.get_single("LNB Settings")
		self.assertEqual(settings.stalled_after_days, int(meta.get_field("stalled_after_days").default))
		self.assertEqual(settings.consent_wording, meta.get_field("consent_wording").default)
		self.assertTrue(settings.consent_wording.startswith("I give my explicit consent"))
		self.assertEqual(settings.retention_months, 0)
		self.assertEqual(settings.deadline_reminder_days, "10, 3")
