import datetime
from unittest.mock import patch

import frappe
from frappe.desk.query_report import run
from frappe.tests.utils import FrappeTestCase, change_settings
from frappe.utils import get_datetime

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD
from lnb_casework.casework.test_casework import case_in
from lnb_casework.lnb_casework.doctype.case.test_case import make_users
from lnb_casework.lnb_casework.report.case_ageing.case_ageing import (
	execute,
	moment_in_database,
	moment_of,
	time_in_states,
)

FIRST, SECOND = "ageing-one@lnb.test", "ageing-two@lnb.test"
LEAD, POLICY = "ageing-coordinator@lnb.test", "ageing-policy-lead@lnb.test"
NOW = get_datetime("2026-12-01 12:00:00")
MINUTE = datetime.timedelta(minutes=1)
DAY = 24 * 60 * 60


def at_now():
	"""The report's clock stopped at NOW."""
	return patch("lnb_casework.lnb_casework.report.case_ageing.case_ageing.now_datetime", return_value=NOW)


def ago(days: float) -> datetime.datetime:
	return NOW - datetime.timedelta(days=days)


def case_with_history(
	state: str,
	caseworker: str | None,
	created: datetime.datetime,
	last_activity: datetime.datetime,
	changes: list[tuple[str, str, datetime.datetime]],
) -> str:
	"""A case whose creation, last activity and transition log are exactly these."""
	name = case_in(state, caseworker)
	frappe.db.set_value(
		"Case", name, {"creation": created, "last_activity_on": last_activity}, update_modified=False
	)
	frappe.db.delete("Case State Change", {"case": name})
	for from_state, to_state, changed_on in changes:
		frappe.get_doc(
			{
				"doctype": "Case State Change",
				"case": name,
				"from_state": from_state,
				"to_state": to_state,
				"changed_by": "Administrator",
				"changed_on": changed_on,
			}
		).insert(ignore_permissions=True)
	return name


class TestTimeInStates(FrappeTestCase):
	"""Moments as whole seconds before NOW."""

	def test_time_before_the_first_change_counts_from_creation(self):
		spent, since = time_in_states(-10 * DAY, "Allocated", [("Triage", "Allocated", -4 * DAY)], 0)
		self.assertEqual(spent, {"Triage": 6 * DAY, "Allocated": 4 * DAY})
		self.assertEqual(since, -4 * DAY)

	def test_the_intake_entry_has_no_state_before_it(self):
		spent, since = time_in_states(-3 * DAY, "New", [("", "New", -3 * DAY + 60)], 0)
		self.assertEqual(spent, {"New": 3 * DAY - 60})
		self.assertEqual(since, -3 * DAY + 60)

	def test_no_log_counts_the_current_state_from_creation(self):
		self.assertEqual(time_in_states(-2 * DAY, "Triage", [], 0), ({"Triage": 2 * DAY}, -2 * DAY))


class TestMoments(FrappeTestCase):
	def test_a_datetime_counts_as_the_database_counts_it(self):
		moment = get_datetime("2026-12-01 12:00:00.500000")
		database = frappe.db.sql(
			"select to_seconds(%(moment)s) as at_seconds, microsecond(%(moment)s) as at_microsecond",
			{"moment": moment},
			as_dict=True,
		)[0]
		self.assertEqual(moment_in_database(database, "at"), moment_of(moment))


class TestCaseAgeing(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_users({FIRST: CASEWORKER, SECOND: CASEWORKER, LEAD: COORDINATOR, POLICY: POLICY_LEAD})
		frappe.db.delete("Case")
		frappe.db.delete("Case State Change")
		# stalled: its last activity is a minute before the cutoff (21 days before NOW)
		cls.slow = case_with_history(
			"Active Support",
			FIRST,
			ago(40),
			ago(21) - MINUTE,
			[
				("", "New", ago(40)),
				("New", "Triage", ago(38)),
				("Triage", "Allocated", ago(35)),
				("Allocated", "Under Review", ago(30)),
				("Under Review", "Active Support", ago(10)),
			],
		)
		# not stalled: a minute after the cutoff; no log at all, so its state counts from creation
		cls.unlogged = case_with_history("Under Review", FIRST, ago(25), ago(21) + MINUTE, [])
		# the log starts after creation: the time before counts in the state the first change left
		cls.theirs = case_with_history(
			"Advocacy",
			SECOND,
			ago(30),
			ago(1),
			[
				("Triage", "Allocated", ago(26)),
				("Allocated", "Under Review", ago(20)),
				("Under Review", "Active Support", ago(15)),
				("Active Support", "Advocacy", ago(8)),
			],
		)
		# ended, with its last activity long ago: never stalled, shown only on request
		cls.closed = case_with_history(
			"Closed",
			FIRST,
			ago(100),
			ago(50),
			[
				("", "New", ago(100)),
				("New", "Triage", ago(99)),
				("Triage", "Allocated", ago(90)),
				("Allocated", "Under Review", ago(80)),
				("Under Review", "Closed", ago(50)),
			],
		)
		# unallocated; six hours in New count as 0 days, 2 days 18 hours in Triage as 2
		cls.new = case_with_history(
			"Triage",
			None,
			ago(3),
			ago(3),
			[("", "New", ago(3)), ("New", "Triage", ago(3) + datetime.timedelta(hours=6))],
		)

	def tearDown(self):
		frappe.set_user("Administrator")

	def report(self, **filters):
		with at_now():
			columns, rows, _message, chart, summary = execute(filters)
		return columns, rows, chart, {item["label"]: item["value"] for item in summary}

	def test_a_coordinator_sees_every_open_case_with_its_time_in_each_state(self):
		frappe.set_user(LEAD)
		columns, rows, chart, summary = self.report()
		self.assertEqual([row.case for row in rows], [self.unlogged, self.slow, self.theirs, self.new])
		by_case = {row.case: row for row in rows}
		slow = by_case[self.slow]
		self.assertEqual(
			(
				slow.workflow_state,
				slow.caseworker,
				slow.days_in_state,
				slow.days_since_activity,
				slow.stalled,
			),
			("Active Support", FIRST, 10, 21, 1),
		)
		self.assertEqual(
			[slow.get(f) for f in ("days_new", "days_triage", "days_allocated", "days_under_review")],
			[2, 3, 5, 20],
		)
		self.assertEqual((slow.days_active_support, slow.age_days), (10, 40))
		unlogged = by_case[self.unlogged]
		self.assertEqual(
			(unlogged.days_in_state, unlogged.days_under_review, unlogged.days_since_activity),
			(25, 25, 20),
		)
		self.assertEqual(unlogged.stalled, 0)
		theirs = by_case[self.theirs]
		self.assertEqual(
			[
				theirs.get(f)
				for f in ("days_triage", "days_allocated", "days_under_review", "days_active_support")
			],
			[4, 6, 5, 7],
		)
		self.assertEqual((theirs.days_advocacy, theirs.days_in_state, theirs.stalled), (8, 8, 0))
		self.assertIsNone(theirs.get("days_new"))
		new = by_case[self.new]
		self.assertEqual((new.days_new, new.days_triage, new.days_in_state, new.caseworker), (0, 2, 2, None))

		self.assertEqual(
			[c["fieldname"] for c in columns][7:],
			[
				"days_new",
				"days_triage",
				"days_allocated",
				"days_under_review",
				"days_active_support",
				"days_advocacy",
			],
		)
		self.assertEqual(
			chart["data"]["labels"],
			["New", "Triage", "Allocated", "Under Review", "Active Support", "Advocacy"],
		)
		# New: 2, 0; Triage: 3, 4, 2; Allocated: 5, 6; Under Review: 20, 25, 5; Active Support: 10, 7
		self.assertEqual(chart["data"]["datasets"][0]["values"], [1.0, 3.0, 5.5, 16.7, 8.5, 8.0])
		self.assertEqual(
			summary,
			{
				"Cases shown": 4,
				"Stalled": 1,
				"Longest in its current state (days)": 25,
				"Average age (days)": 24.5,
			},
		)

	def test_ended_cases_only_on_request(self):
		frappe.set_user(LEAD)
		_columns, rows, _chart, summary = self.report(include_ended=1)
		self.assertEqual(rows[0].case, self.closed)
		closed = rows[0]
		self.assertEqual(
			[
				closed.get(f)
				for f in ("days_new", "days_triage", "days_allocated", "days_under_review", "days_closed")
			],
			[1, 9, 10, 30, 50],
		)
		self.assertEqual((closed.days_in_state, closed.days_since_activity, closed.stalled), (50, 50, 0))
		self.assertEqual((summary["Cases shown"], summary["Stalled"]), (5, 1))
		self.assertEqual([row.case for row in self.report(state="Closed")[1]], [self.closed])

	def test_stalled_on_either_side_of_the_cutoff(self):
		frappe.set_user(LEAD)
		self.assertEqual([row.case for row in self.report(stalled_only=1)[1]], [self.slow])
		self.assertEqual([row.case for row in self.report(stalled_only=1, include_ended=1)[1]], [self.slow])
		with change_settings("LNB Settings", {"stalled_after_days": 20}):
			rows = self.report(stalled_only=1)[1]
		self.assertEqual([row.case for row in rows], [self.unlogged, self.slow])
		with change_settings("LNB Settings", {"stalled_after_days": 22}):
			self.assertEqual(self.report(stalled_only=1)[1], [])

	def test_a_caseworker_sees_only_their_own(self):
		frappe.set_user(FIRST)
		_columns, rows, _chart, summary = self.report(include_ended=1)
		self.assertEqual([row.case for row in rows], [self.closed, self.unlogged, self.slow])
		self.assertEqual(summary["Average age (days)"], 55.0)
		self.assertEqual(self.report(caseworker=SECOND)[1], [])

		frappe.set_user(SECOND)
		columns, rows, chart, summary = self.report(include_ended=1)
		self.assertEqual([(row.case, row.days_in_state) for row in rows], [(self.theirs, 8)])
		self.assertEqual(
			chart["data"]["labels"], ["Triage", "Allocated", "Under Review", "Active Support", "Advocacy"]
		)
		self.assertEqual(
			summary,
			{
				"Cases shown": 1,
				"Stalled": 0,
				"Longest in its current state (days)": 8,
				"Average age (days)": 30.0,
			},
		)
		shown = frappe.as_json((columns, rows, chart, summary))
		for other in (self.slow, self.unlogged, self.closed, self.new):
			self.assertNotIn(other, shown)

	def test_who_may_run_it(self):
		for user, cases in ((LEAD, 4), (FIRST, 2), (SECOND, 1)):
			frappe.set_user(user)
			with at_now():
				self.assertEqual(len(run("Case Ageing", {})["result"]), cases)
		frappe.set_user(POLICY)
		with self.assertRaises(frappe.PermissionError):
			run("Case Ageing", {})
