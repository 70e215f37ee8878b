import frappe
from frappe.tests.utils import FrappeTestCase

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR
from lnb_casework.casework.test_casework import case_in
from lnb_casework.lnb_casework.doctype.case.test_case import make_users
from lnb_casework.lnb_casework.report.caseload.caseload import execute

FIRST, SECOND = "caseload-one@lnb.test", "caseload-two@lnb.test"
LEAD = "caseload-coordinator@lnb.test"


class TestCaseload(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_users({FIRST: CASEWORKER, SECOND: CASEWORKER, LEAD: COORDINATOR})
		frappe.db.delete("Case")
		for state, caseworker in (
			("Under Review", FIRST),
			("Under Review", FIRST),
			("Active Support", FIRST),
			("Closed", FIRST),
			("Advocacy", SECOND),
			("Triage", None),
		):
			case_in(state, caseworker)

	def tearDown(self):
		frappe.set_user("Administrator")

	def rows(self) -> dict:
		_columns, data, _message, _chart, summary = execute({})
		return {row["caseworker"]: row for row in data}, {item["label"]: item["value"] for item in summary}

	def test_a_coordinator_sees_every_caseload(self):
		frappe.set_user(LEAD)
		rows, summary = self.rows()
		self.assertEqual(set(rows), {FIRST, SECOND, "Unallocated"})
		self.assertEqual(
			(rows[FIRST]["under_review"], rows[FIRST]["active_support"], rows[FIRST]["closed"]), (2, 1, 1)
		)
		self.assertEqual(rows[FIRST]["open_cases"], 3)
		self.assertEqual(rows[SECOND]["open_cases"], 1)
		self.assertEqual(summary, {"Open cases": 5, "Unallocated open cases": 1, "Caseworkers with cases": 2})

	def test_a_caseworker_sees_only_their_own(self):
		frappe.set_user(SECOND)
		rows, summary = self.rows()
		self.assertEqual(set(rows), {SECOND})
		self.assertEqual(rows[SECOND]["advocacy"], 1)
		self.assertEqual(summary["Open cases"], 1)
