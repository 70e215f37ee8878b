import frappe
from frappe.desk.query_report import run
from frappe.tests.utils import FrappeTestCase

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD
from lnb_casework.casework.test_casework import case_in
from lnb_casework.learning.disclosure import site_perturbation
from lnb_casework.learning.perturbation import MAX_NOISE
from lnb_casework.learning.suppression import suppress_linked_lines
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
TOTAL = "All organisations"
NOWHERE = "No organisation recorded"


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


def published(rows: dict[str, list[str]], total: list[str]) -> list[str]:
	"""The case column as the report must show it: each row's distinct cases and the total perturbed (the
	pure functions of learning/perturbation.py, under this site's key), then suppressed together."""
	perturbation = site_perturbation()
	values = [perturbation.count(cases) for cases in rows.values()] + [perturbation.count(total)]
	return [str(figure) for figure in suppress_linked_lines(values, [(range(len(rows)), len(rows))], 5)]


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
		settings = frappe.get_single("LNB Settings")
		settings.small_number_threshold = 5
		settings.save(ignore_permissions=True)
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
		c = cls.cases
		cls.open_rows = {NORTH: c[0:7], SOUTH: c[7:9], WEST: c[9:15], NOWHERE: []}
		cls.all_rows = {NORTH: [*c[0:7], c[15]], SOUTH: [*c[7:9], c[15]], WEST: c[9:15], NOWHERE: []}

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

	def assertCloseToTheTruth(self, shown: list[str], true_counts: list[int]) -> None:
		for figure, count in zip(shown, true_counts, strict=True):
			if figure.isdigit():
				self.assertLessEqual(abs(int(figure) - count), MAX_NOISE)
				self.assertNotIn(int(figure), (1, 2))
			else:
				self.assertIn(figure, ("<5", "[c]"))

	def seips(self, row: dict) -> tuple[int, ...]:
		return tuple(row[f"seips_{component}"] for component in SEIPS)

	def test_open_issues_by_organisation_with_case_counts_perturbed_and_suppressed(self):
		frappe.set_user(PEOPLE[COORDINATOR])
		rows, chart, summary = self.report()
		self.assertEqual(list(rows), [NORTH, SOUTH, WEST, NOWHERE, TOTAL])
		self.assertEqual(self.seips(rows[NORTH]), (0, 1, 0, 1, 0, 0))
		self.assertEqual(self.seips(rows[TOTAL]), (0, 1, 1, 2, 0, 1))
		self.assertEqual([row["issues"] for row in rows.values()], [1, 1, 1, 1, 4])
		shown = [row["cases"] for row in rows.values()]
		self.assertEqual(shown, published(self.open_rows, self.cases[:15]))
		self.assertCloseToTheTruth(shown, [7, 2, 6, 0, 15])
		# South's 2 never shows as itself; an empty row stays 0
		self.assertIn(rows[SOUTH]["cases"], ("0", "<5", "[c]"))
		self.assertEqual(rows[NOWHERE]["cases"], "0")
		self.assertEqual(chart["data"]["labels"][:2], ["Person(s)", "Tasks"])
		self.assertEqual(chart["data"]["datasets"][0]["values"], [0, 1, 1, 2, 0, 1])
		self.assertEqual(
			summary,
			{
				"Open issues": 4,
				"Organisations affected": 3,
				"High or Critical issues": 2,
				"Cases": rows[TOTAL]["cases"],
			},
		)

	def test_a_case_behind_two_rows_counts_in_each_and_once_in_the_total(self):
		frappe.set_user(PEOPLE[COORDINATOR])
		rows, _chart, summary = self.report(state="All")
		self.assertEqual([row["issues"] for row in rows.values()], [2, 2, 1, 1, 5])
		self.assertEqual([row["cases"] for row in rows.values()], published(self.all_rows, self.cases))
		self.assertCloseToTheTruth([row["cases"] for row in rows.values()], [8, 3, 6, 0, 16])
		self.assertEqual(self.seips(rows[SOUTH]), (1, 0, 1, 0, 0, 0))
		self.assertEqual(summary["Open issues"], 4)
		self.assertEqual(summary["High or Critical issues"], 3)
		self.assertEqual(summary["Cases"], rows[TOTAL]["cases"])

	def test_the_same_cases_show_the_same_figure_in_every_run(self):
		frappe.set_user(PEOPLE[POLICY_LEAD])
		unfiltered, _chart, _summary = self.report(state="All")
		for organisation in (NORTH, SOUTH, WEST):
			rows, _chart, summary = self.report(state="All", organisation=organisation)
			# the organisation's row, and the total of its run, count the same cases as its row here
			self.assertEqual(list(rows), [organisation, TOTAL])
			row_figure = rows[organisation]["cases"]
			expected = unfiltered[organisation]["cases"]
			if expected != "[c]":
				self.assertEqual(row_figure, expected)
			self.assertEqual(rows[TOTAL]["cases"], row_figure)
			self.assertEqual(summary["Cases"], row_figure)
		again, _chart, _summary = self.report(state="All")
		self.assertEqual(again, unfiltered)

	def test_case_counts_only_for_open_or_all_issues_not_narrowed_further(self):
		frappe.set_user(PEOPLE[COORDINATOR])
		for filters in (
			{"severity": "High"},
			{"seips_component": "Organisation"},
			{"state": "Closed"},
			{"state": "Identified"},
			{"state": "All", "severity": "Critical"},
		):
			with self.subTest(filters=filters):
				columns, data, message, _chart, summary = execute(filters)
				self.assertNotIn("cases", [column["fieldname"] for column in columns])
				self.assertTrue(all("cases" not in row for row in data))
				self.assertNotIn("Cases", [item["label"] for item in summary])
				self.assertIn("Case counts are shown for open issues or all issues", message)

	def test_filters_narrow_the_issues(self):
		frappe.set_user(PEOPLE[COORDINATOR])
		rows, _chart, _summary = self.report(severity="High")
		self.assertEqual({key: row["issues"] for key, row in rows.items()}, {NORTH: 1, TOTAL: 1})
		rows, _chart, summary = self.report(state="All", organisation=SOUTH)
		self.assertEqual({key: row["issues"] for key, row in rows.items()}, {SOUTH: 2, TOTAL: 2})
		# three cases: a published 3 or 4, shown as "<5" (a true 3 never shows as 5 or more)
		self.assertEqual(summary["Cases"], "<5")
		rows, _chart, _summary = self.report(seips_component="Organisation")
		self.assertEqual({key: row["issues"] for key, row in rows.items()}, {NORTH: 1, WEST: 1, TOTAL: 2})
		rows, _chart, summary = self.report(state="Closed")
		self.assertEqual([row["issues"] for row in rows.values()], [1, 1, 1])
		self.assertEqual(summary["Open issues"], 0)
		self.assertEqual(self.report(state="Resolved")[0], {})

	def test_bad_filters_are_refused_with_a_message(self):
		frappe.set_user(PEOPLE[POLICY_LEAD])
		for filters in (
			{"organisation": [NORTH, SOUTH]},
			{"organisation": {"name": NORTH}},
			{"organisation": "No Such Trust"},
			{"organisation": "x' or '1'='1"},
			{"state": "Everything"},
			{"state": ["Open"]},
			{"severity": "Severe"},
			{"severity": 3},
			{"seips_component": "Tasks') or 1=1 -- "},
		):
			with self.subTest(filters=filters), self.assertRaises(frappe.ValidationError):
				execute(filters)

	def test_every_role_may_run_it_and_sees_the_same_figures(self):
		results = {}
		for role, user in PEOPLE.items():
			frappe.set_user(user)
			result = run(REPORT, {"state": "Open"})
			self.assertNoCaseIn(result)
			results[role] = [(row["organisation"], row["cases"]) for row in result["result"]]
		self.assertEqual(results[CASEWORKER], results[COORDINATOR])
		self.assertEqual(results[POLICY_LEAD], results[COORDINATOR])
		self.assertEqual(
			[cases for _o, cases in results[POLICY_LEAD]], published(self.open_rows, self.cases[:15])
		)
