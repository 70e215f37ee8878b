import frappe
from frappe.desk.query_report import run
from frappe.tests.utils import FrappeTestCase

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD
from lnb_casework.casework.test_casework import case_in
from lnb_casework.lnb_casework.doctype.case.test_case import make_user
from lnb_casework.lnb_casework.report.systemic_issues_by_organisation_and_seips.systemic_issues_by_organisation_and_seips import (
	ORGANISATION_TABLE,
	SEIPS_TABLE,
	execute,
)

REPORT = "Systemic Issues by Organisation and SEIPS"
NORTH, SOUTH, WEST = (
	"SEIPS Report North NHS Trust",
	"SEIPS Report South NHS Trust",
	"SEIPS Report West NHS Trust",
)
PEOPLE = {
	COORDINATOR: "seips-report-coordinator@lnb.test",
	CASEWORKER: "seips-report-caseworker@lnb.test",
	POLICY_LEAD: "seips-report-policy-lead@lnb.test",
}
SEIPS = (
	"persons",
	"tasks",
	"tools_and_technology",
	"organisation",
	"internal_environment",
	"external_environment",
)


def issue(
	state: str, severity: str, organisations: tuple[str, ...], components: tuple[str, ...], cases: list[str]
) -> str:
	name = (
		frappe.get_doc(
			{
				"doctype": "Systemic Issue",
				"title": f"{severity} pattern at {', '.join(organisations) or 'nowhere'}",
				"severity": severity,
				"seips_components": [{"seips_component": component} for component in components],
				"organisations": [{"organisation": organisation} for organisation in organisations],
			}
		)
		.insert(ignore_permissions=True)
		.name
	)
	frappe.db.set_value("Systemic Issue", name, {"workflow_state": state, "closed_reason": "Done."})
	for case in cases:
		frappe.get_doc(
			{
				"doctype": "Systemic Issue Evidence",
				"systemic_issue": name,
				"case": case,
				"seen_on": "2026-10-01",
			}
		).insert(ignore_permissions=True)
	return name


class TestSystemicIssuesByOrganisationAndSeips(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for organisation in (NORTH, SOUTH, WEST):
			if not frappe.db.exists("Healthcare Organisation", organisation):
				frappe.get_doc(
					{"doctype": "Healthcare Organisation", "organisation_name": organisation}
				).insert(ignore_permissions=True)
		for role, user in PEOPLE.items():
			make_user(user, role)
		for doctype in ("Systemic Issue Evidence", "Systemic Issue", SEIPS_TABLE, ORGANISATION_TABLE, "Case"):
			frappe.db.delete(doctype)
		cls.cases = [case_in("Under Review") for _number in range(16)]
		cls.withdrawn = case_in("Withdrawn")
		c = cls.cases
		# North: 7 cases (the first twice, and a withdrawn one that does not count)
		issue("Identified", "High", (NORTH,), ("Organisation", "Tasks"), [*c[0:7], c[0], cls.withdrawn])
		# South: 2 cases; West: 6 cases; an issue seen nowhere in particular, with no evidence
		issue("Under Analysis", "Medium", (SOUTH,), ("Tools and technology",), c[7:9])
		issue("Escalated", "Critical", (WEST,), ("Organisation",), c[9:15])
		issue("Identified", "Low", (), ("External environment",), [])
		# closed, at North and South: one more case, behind both rows
		issue("Closed", "High", (NORTH, SOUTH), ("Person(s)",), [c[15]])

	def tearDown(self):
		frappe.set_user("Administrator")

	def report(self, **filters):
		columns, data, message, chart, summary = execute(filters)
		self.assertNoCaseIn((columns, data, message, chart, summary))
		return (
			{row["organisation"]: row for row in data},
			chart,
			{item["label"]: item["value"] for item in summary},
		)

	def assertNoCaseIn(self, output) -> None:
		shown = frappe.as_json(output)
		for case in (*self.cases, self.withdrawn):
			self.assertNotIn(case, shown)
		self.assertNotIn("LNB-", shown)

	def seips(self, row: dict) -> tuple[int, ...]:
		return tuple(row[f"seips_{component}"] for component in SEIPS)

	def test_open_issues_by_organisation_with_case_counts_suppressed(self):
		frappe.set_user(PEOPLE[COORDINATOR])
		rows, chart, summary = self.report()
		self.assertEqual(list(rows), [NORTH, SOUTH, WEST, "No organisation recorded", "All organisations"])
		self.assertEqual(self.seips(rows[NORTH]), (0, 1, 0, 1, 0, 0))
		self.assertEqual(self.seips(rows["All organisations"]), (0, 1, 1, 2, 0, 1))
		self.assertEqual([row["issues"] for row in rows.values()], [1, 1, 1, 1, 4])
		# 7 shows; 2 is below 5; 6 is held back too, or 15 - 7 - 0 would give the 2 away
		self.assertEqual([row["cases"] for row in rows.values()], ["7", "<5", "[c]", "0", "15"])
		# what the total leaves after the shown cells (15 - 7 - 0 = 8) is shared by two hidden cells
		cells = [row["cases"] for key, row in rows.items() if key != "All organisations"]
		self.assertEqual(len([cell for cell in cells if not cell.isdigit()]), 2)
		self.assertEqual(15 - sum(int(cell) for cell in cells if cell.isdigit()), 8)
		self.assertEqual(chart["data"]["labels"][:2], ["Person(s)", "Tasks"])
		self.assertEqual(chart["data"]["datasets"][0]["values"], [0, 1, 1, 2, 0, 1])
		self.assertEqual(
			summary,
			{"Open issues": 4, "Organisations affected": 3, "High or Critical issues": 2, "Cases": "15"},
		)

	def test_a_case_behind_two_rows_counts_in_each_and_once_in_the_total(self):
		frappe.set_user(PEOPLE[COORDINATOR])
		rows, _chart, summary = self.report(state="All")
		self.assertEqual(
			[(row["issues"], row["cases"]) for row in rows.values()],
			[(2, "8"), (2, "<5"), (1, "[c]"), (1, "0"), (5, "16")],
		)
		self.assertEqual(self.seips(rows[SOUTH]), (1, 0, 1, 0, 0, 0))
		self.assertEqual(summary["Open issues"], 4)
		self.assertEqual(summary["High or Critical issues"], 3)

	def test_filters(self):
		frappe.set_user(PEOPLE[COORDINATOR])
		rows, _chart, summary = self.report(severity="High")
		self.assertEqual(
			{key: row["cases"] for key, row in rows.items()}, {NORTH: "7", "All organisations": "7"}
		)
		# an organisation shows only its own row; here everything is small
		rows, _chart, summary = self.report(state="All", organisation=SOUTH)
		self.assertEqual(
			{key: (row["issues"], row["cases"]) for key, row in rows.items()},
			{SOUTH: (2, "<5"), "All organisations": (2, "<5")},
		)
		self.assertEqual(summary["Cases"], "<5")
		rows, _chart, _summary = self.report(seips_component="Organisation")
		self.assertEqual(
			{key: row["cases"] for key, row in rows.items()},
			{NORTH: "7", WEST: "6", "All organisations": "13"},
		)
		rows, _chart, summary = self.report(state="Closed")
		self.assertEqual([row["issues"] for row in rows.values()], [1, 1, 1])
		self.assertEqual((summary["Open issues"], summary["Cases"]), (0, "<5"))
		self.assertEqual(self.report(state="Resolved")[0], {})

	def test_every_role_may_run_it_and_sees_the_same_suppressed_figures(self):
		results = {}
		for role, user in PEOPLE.items():
			frappe.set_user(user)
			result = run(REPORT, {"state": "Open"})
			self.assertNoCaseIn(result)
			results[role] = [(row["organisation"], row["cases"]) for row in result["result"]]
		self.assertEqual(results[CASEWORKER], results[COORDINATOR])
		self.assertEqual(results[POLICY_LEAD], results[COORDINATOR])
		self.assertEqual([cases for _o, cases in results[POLICY_LEAD]], ["7", "<5", "[c]", "0", "15"])
