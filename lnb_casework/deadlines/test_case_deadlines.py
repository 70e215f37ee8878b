"""A case's computed deadlines follow the dates recorded on it, saved through the Case form."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate

from lnb_casework.casework.test_casework import case_in, make_organisations
from lnb_casework.deadlines.arithmetic import next_exclusion_review
from lnb_casework.lnb_casework.doctype.case.test_case import make_user

CASEWORKER = "deadlines-caseworker@lnb.test"


def computed(case: str) -> dict[str, tuple]:
	rows = frappe.get_all(
		"Case Deadline",
		filters={"parent": case, "source": "Computed"},
		fields=["name", "rule", "due_date", "how", "check_date"],
	)
	return {row.rule: (str(row.due_date), row.how, row.check_date, row.name) for row in rows}


class TestCaseDeadlines(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(CASEWORKER, "LNB Caseworker")
		make_organisations()
		frappe.db.set_single_value("LNB Settings", "tribunal_limit_months", 3)
		frappe.db.set_single_value("LNB Settings", "exclusion_review_weeks", 4)
		frappe.clear_document_cache("LNB Settings", "LNB Settings")

	def setUp(self):
		self.case = case_in("Active Support", CASEWORKER)
		frappe.set_user(CASEWORKER)

	def tearDown(self):
		frappe.set_user("Administrator")

	def save(self, **dates) -> None:
		case = frappe.get_doc("Case", self.case)
		case.update(dates)
		case.save()

	def test_the_caseworker_records_dates_and_sees_the_deadlines_they_set(self):
		case = frappe.get_doc("Case", self.case)
		case.append("deadlines", {"description": "Reply to the GMC", "due_date": "2026-02-01"})
		case.act_complained_of_on = "2026-01-01"
		case.save()
		limit = computed(self.case)["Employment tribunal limit"]
		self.assertEqual(limit[:1], ("2026-03-31",))
		self.assertIn("3 months less one day from the act on 2026-01-01", limit[1])

		self.save(acas_contacted_on="2026-03-15", acas_certificate_on="2026-03-29")
		moved = computed(self.case)["Employment tribunal limit"]
		self.assertEqual(moved[0], "2026-04-29")
		self.assertIn("one month after the certificate", moved[1])
		self.assertEqual(moved[3], limit[3], "the row is updated in place, keeping its name")

		self.save(acas_contacted_on="2026-01-05", acas_certificate_on="2026-01-19")
		self.assertEqual(computed(self.case)["Employment tribunal limit"][0], "2026-04-14")

		self.save(act_complained_of_on=None, acas_contacted_on=None, acas_certificate_on=None)
		self.assertEqual(computed(self.case), {})
		self.assertEqual(
			frappe.get_all("Case Deadline", filters={"parent": self.case}, pluck="description"),
			["Reply to the GMC"],
		)

	def test_a_month_end_limit_is_marked_for_checking(self):
		self.save(act_complained_of_on="2026-08-31")
		due, how, check, _name = computed(self.case)["Employment tribunal limit"]
		self.assertEqual((due, check), ("2026-11-29", 1))
		self.assertIn("2026-11-30: check", how)

	def test_an_exclusion_is_reviewed_until_it_ends(self):
		self.save(excluded_from="2026-10-01")
		expected = next_exclusion_review(getdate("2026-10-01"), getdate(), 4).due
		self.assertEqual(computed(self.case)["Exclusion review"][0], str(expected))
		self.save(exclusion_ended_on="2026-11-01")
		self.assertEqual(computed(self.case), {})

	def test_inconsistent_dates_are_refused_and_nothing_is_saved(self):
		case = frappe.get_doc("Case", self.case)
		case.update({"act_complained_of_on": "2026-01-01", "acas_certificate_on": "2026-03-01"})
		with self.assertRaisesRegex(frappe.ValidationError, "Day A"):
			case.save()
		self.assertIsNone(frappe.db.get_value("Case", self.case, "act_complained_of_on"))
		self.assertEqual(computed(self.case), {})

	def test_the_setting_changes_the_limit(self):
		frappe.db.set_single_value("LNB Settings", "tribunal_limit_months", 6)
		frappe.clear_document_cache("LNB Settings", "LNB Settings")
		try:
			self.save(act_complained_of_on="2026-03-10")
			self.assertEqual(computed(self.case)["Employment tribunal limit"][0], "2026-09-09")
		finally:
			frappe.db.set_single_value("LNB Settings", "tribunal_limit_months", 3)
			frappe.clear_document_cache("LNB Settings", "LNB Settings")
