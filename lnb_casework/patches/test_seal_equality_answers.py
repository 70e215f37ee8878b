"""The patch that seals the equality answers an older site kept in clear (a real site: it alters the table)."""

import frappe
from frappe.tests.utils import FrappeTestCase

from lnb_casework.intake.equality import EQUALITY_QUESTIONS, answer_seal, open_equality_answers
from lnb_casework.intake.sealed_answers import ANSWER_CODES
from lnb_casework.patches import seal_equality_answers

TABLE = "tabEquality Monitoring"
IN_CLEAR = {
	"LNB-PATCH-00001": {
		**dict.fromkeys(EQUALITY_QUESTIONS),
		"ethnic_group": "Mixed or multiple ethnic groups",
		"sex": "Female",
		"religion_or_belief": "Prefer not to say",
		"age_band": "60 or over",
		"qualification_region": "European Economic Area",
	},
	"LNB-PATCH-00002": dict.fromkeys(EQUALITY_QUESTIONS),
}
ALREADY_SEALED = "LNB-PATCH-00003"


def add_old_columns() -> None:
	frappe.db.sql_ddl(
		f"alter table `{TABLE}` "
		+ ", ".join(f"add column if not exists `{question}` varchar(140)" for question in EQUALITY_QUESTIONS)
	)
	frappe.cache.hdel("table_columns", TABLE)


def old_columns() -> list[str]:
	frappe.cache.hdel("table_columns", TABLE)
	return [
		question for question in EQUALITY_QUESTIONS if frappe.db.has_column("Equality Monitoring", question)
	]


def sealed_values() -> dict[str, str]:
	return dict(
		frappe.db.sql(f"select `case`, sealed_answers from `{TABLE}` where `case` like 'LNB-PATCH-%%'")
	)


class TestSealEqualityAnswers(FrappeTestCase):
	def setUp(self):
		self.addCleanup(self.remove_test_records)
		add_old_columns()
		for case, answers in IN_CLEAR.items():
			frappe.get_doc({"doctype": "Equality Monitoring", "case": case}).db_insert()
			frappe.db.sql(
				f"update `{TABLE}` set {', '.join(f'`{q}` = %({q})s' for q in EQUALITY_QUESTIONS)} "
				"where `case` = %(case)s",
				{**answers, "case": case},
			)
		self.sealed_before = answer_seal().seal(ALREADY_SEALED, {"sex": "Male"})
		frappe.get_doc(
			{"doctype": "Equality Monitoring", "case": ALREADY_SEALED, "sealed_answers": self.sealed_before}
		).db_insert()
		frappe.db.commit()

	def remove_test_records(self):
		frappe.db.rollback()
		frappe.db.delete("Equality Monitoring", {"case": ("like", "LNB-PATCH-%")})
		frappe.db.commit()
		if old_columns():
			frappe.db.sql_ddl(
				f"alter table `{TABLE}` " + ", ".join(f"drop column `{q}`" for q in old_columns())
			)
			frappe.cache.hdel("table_columns", TABLE)

	def test_answers_in_clear_are_sealed_and_their_columns_dropped(self):
		self.assertEqual(old_columns(), list(EQUALITY_QUESTIONS))
		seal_equality_answers.execute()

		self.assertEqual(old_columns(), [])
		sealed = sealed_values()
		for case, answers in IN_CLEAR.items():
			self.assertEqual(open_equality_answers(case, sealed[case]), answers)
		self.assertEqual(sealed[ALREADY_SEALED], self.sealed_before)
		rows = frappe.db.sql(f"select * from `{TABLE}` where `case` like 'LNB-PATCH-%%'")
		options = {answer for answers in ANSWER_CODES.values() for answer in answers}
		self.assertEqual([value for row in rows for value in row if value in options], [])

	def test_a_second_run_and_an_interrupted_one_change_nothing(self):
		seal_equality_answers.execute()
		sealed = sealed_values()
		seal_equality_answers.execute()
		self.assertEqual(sealed_values(), sealed)

		# stopped after sealing, before dropping the columns: the seals stay, the columns go
		add_old_columns()
		seal_equality_answers.execute()
		self.assertEqual(sealed_values(), sealed)
		self.assertEqual(old_columns(), [])
