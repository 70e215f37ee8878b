import frappe
from frappe.desk.query_report import run
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, today

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD
from lnb_casework.lnb_casework.doctype.case.test_case import make_user
from lnb_casework.lnb_casework.report.advocacy_pipeline.advocacy_pipeline import execute

PEOPLE = {
	COORDINATOR: "pipeline-coordinator@lnb.test",
	CASEWORKER: "pipeline-caseworker@lnb.test",
	POLICY_LEAD: "pipeline-policy-lead@lnb.test",
}
LETTER = "Letter to an organisation"


def systemic_issue(title: str) -> str:
	return (
		frappe.get_doc(
			{"doctype": "Systemic Issue", "title": title, "seips_components": [{"seips_component": "Tasks"}]}
		)
		.insert(ignore_permissions=True)
		.name
	)


def action(title, state, action_type, responsible, due_in=None, issues=()) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Advocacy Action",
			"title": title,
			"action_type": action_type,
			"target_body": "Northshire Trust board",
			"responsible": responsible,
			"due_date": None if due_in is None else add_days(today(), due_in),
			"systemic_issues": [{"systemic_issue": issue} for issue in issues],
		}
	).insert(ignore_permissions=True)
	frappe.db.set_value(
		"Advocacy Action",
		doc.name,
		{"workflow_state": state, "outcome": "Done.", "abandoned_reason": "Overtaken."},
	)
	return doc.name


class TestAdvocacyPipeline(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for role, user in PEOPLE.items():
			make_user(user, role)
		frappe.db.delete("Advocacy Action")
		frappe.db.delete("Advocacy Action Issue")
		lead, coordinator = PEOPLE[POLICY_LEAD], PEOPLE[COORDINATOR]
		cls.rotas = systemic_issue("Unsafe rotas")
		cls.exclusions = systemic_issue("Exclusions without review")
		cls.late_letter = action("Letter on rotas", "Planned", LETTER, lead, -3, (cls.rotas,))
		cls.due_today = action("Annual report", "Planned", "Publication", lead, 0)
		cls.late_meeting = action(
			"Meet the medical director",
			"In Progress",
			"Meeting",
			coordinator,
			-1,
			(cls.exclusions, cls.rotas),
		)
		cls.regulator = action("Brief the GMC", "In Progress", "Regulator engagement", lead, 5)
		cls.done = action("Letter on exclusions", "Completed", LETTER, coordinator, -10)
		cls.dropped = action("Press release", "Abandoned", "Media", lead)

	def tearDown(self):
		frappe.set_user("Administrator")

	def report(self, **filters):
		_columns, rows, _message, chart, summary = execute(filters)
		return rows, chart, {item["label"]: item["value"] for item in summary}

	def names(self, **filters) -> list[str]:
		return [row.name for row in self.report(**filters)[0]]

	def test_every_action_in_pipeline_order_with_days_overdue(self):
		frappe.set_user(PEOPLE[POLICY_LEAD])
		rows, chart, summary = self.report()
		self.assertEqual(
			[(row.name, row.days_overdue) for row in rows],
			[
				(self.late_letter, 3),
				(self.due_today, None),
				(self.late_meeting, 1),
				(self.regulator, None),
				(self.done, None),
				(self.dropped, None),
			],
		)
		meeting = rows[2]
		self.assertEqual(
			(meeting.title, meeting.action_type, meeting.target_body, meeting.workflow_state),
			("Meet the medical director", "Meeting", "Northshire Trust board", "In Progress"),
		)
		self.assertEqual(
			(meeting.responsible, meeting.due_date), (PEOPLE[COORDINATOR], getdate(add_days(today(), -1)))
		)
		self.assertEqual(
			meeting.systemic_issues,
			f"{self.exclusions}: Exclusions without review; {self.rotas}: Unsafe rotas",
		)
		self.assertEqual(rows[1].systemic_issues, "")
		self.assertEqual(chart["data"]["labels"], ["Planned", "In Progress", "Completed", "Abandoned"])
		self.assertEqual(chart["data"]["datasets"][0]["values"], [2, 2, 1, 1])
		self.assertEqual(
			summary, {"Planned": 2, "In progress": 2, "Overdue": 2, "Completed": 1, "Abandoned": 1}
		)

	def test_filters(self):
		frappe.set_user(PEOPLE[COORDINATOR])
		self.assertEqual(self.names(overdue_only=1), [self.late_letter, self.late_meeting])
		self.assertEqual(self.names(state="In Progress"), [self.late_meeting, self.regulator])
		self.assertEqual(self.names(action_type=LETTER), [self.late_letter, self.done])
		self.assertEqual(self.names(responsible=PEOPLE[COORDINATOR]), [self.late_meeting, self.done])
		self.assertEqual(self.names(overdue_only=1, responsible=PEOPLE[POLICY_LEAD]), [self.late_letter])
		_rows, _chart, summary = self.report(overdue_only=1)
		self.assertEqual(
			summary, {"Planned": 1, "In progress": 1, "Overdue": 2, "Completed": 0, "Abandoned": 0}
		)

	def test_every_role_may_run_it(self):
		for user in PEOPLE.values():
			frappe.set_user(user)
			result = run("Advocacy Pipeline", {})
			self.assertEqual(len(result["result"]), 6)
			self.assertEqual(result["report_summary"][2]["value"], 2)
