import datetime

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, getdate, today

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR
from lnb_casework.deadlines.arithmetic import tribunal_limit
from lnb_casework.lnb_casework.doctype.case.test_case import make_users, submit_through_form
from lnb_casework.lnb_casework.report.deadlines_due.deadlines_due import execute

FIRST, SECOND, LEAD = "deadlines-one@lnb.test", "deadlines-two@lnb.test", "deadlines-coordinator@lnb.test"


def case_with(caseworker: str, state: str, deadlines: list[tuple[str, int]], key_dates=()) -> str:
	name = submit_through_form(
		email=f"{frappe.generate_hash(length=8)}@example.com",
		gmc_number="",
		key_dates=[{"description": what, "date": add_days(today(), days)} for what, days in key_dates],
	).name
	frappe.db.set_value("Case", name, {"workflow_state": state, "caseworker": caseworker})
	for what, days in deadlines:
		frappe.get_doc(
			{
				"doctype": "Case Deadline",
				"parenttype": "Case",
				"parentfield": "deadlines",
				"parent": name,
				"description": what,
				"due_date": add_days(today(), days),
				"source": "Caseworker",
			}
		).db_insert()
	return name


class TestDeadlinesDue(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_users({FIRST: CASEWORKER, SECOND: CASEWORKER, LEAD: COORDINATOR})
		frappe.db.delete("Case")
		cls.mine = case_with(
			FIRST, "Under Review", [("Reply to the trust", 3), ("Appeal", 45)], [("Hearing", -2)]
		)
		cls.theirs = case_with(SECOND, "Active Support", [("Tribunal claim", 10)])
		case_with(FIRST, "Closed", [("Old deadline", 1)])

	def tearDown(self):
		frappe.set_user("Administrator")

	def report(self, **filters):
		_columns, rows, _message, _chart, summary = execute(filters)
		return [(row.case, row.what, row.days_left, row.source) for row in rows], {
			s["label"]: s["value"] for s in summary
		}

	def test_a_coordinator_sees_every_open_deadline_in_order(self):
		frappe.set_user(LEAD)
		rows, summary = self.report()
		self.assertEqual(
			rows,
			[
				(self.mine, "Hearing", -2, "Doctor at intake"),
				(self.mine, "Reply to the trust", 3, "Caseworker"),
				(self.theirs, "Tribunal claim", 10, "Caseworker"),
			],
		)
		self.assertEqual(summary, {"Overdue": 1, "Due in 7 days": 1, "Due in 30 days": 2})
		self.assertEqual(len(self.report(days=60)[0]), 4)

	def test_a_caseworker_sees_only_their_own(self):
		frappe.set_user(SECOND)
		rows, summary = self.report()
		self.assertEqual(rows, [(self.theirs, "Tribunal claim", 10, "Caseworker")])
		self.assertEqual(summary["Overdue"], 0)

	def test_a_computed_deadline_shows_how_it_was_counted(self):
		frappe.db.savepoint("computed_deadline")
		try:
			self.check_computed_deadline()
		finally:
			frappe.set_user("Administrator")
			frappe.db.rollback(save_point="computed_deadline")

	def check_computed_deadline(self):
		act = add_months(getdate(today()), -3) + datetime.timedelta(days=12)
		case = frappe.get_doc("Case", case_with(SECOND, "Active Support", []))
		case.act_complained_of_on = act
		case.save()
		frappe.set_user(SECOND)
		_columns, rows, *_rest = execute({})
		(computed,) = [row for row in rows if row.source == "Computed"]
		limit = tribunal_limit(act, frappe.db.get_single_value("LNB Settings", "tribunal_limit_months"))
		self.assertEqual(
			(computed.due, computed.what), (limit.due, "Last day to claim at the employment tribunal")
		)
		self.assertEqual((computed.how, computed.check_date), (limit.how, int(limit.check)))
