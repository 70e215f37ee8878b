"""The headline figures, counted as each user may see them, and the workspace that shows them."""

import json

import frappe
from frappe.desk.desktop import get_desktop_page, get_workspace_sidebar_items
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, now_datetime, today

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD
from lnb_casework.casework.test_casework import READY
from lnb_casework.lnb_casework.dashboard_chart_source.cases_by_month_and_state.cases_by_month_and_state import (
	cases_by_month_and_state,
)
from lnb_casework.lnb_casework.dashboard_chart_source.systemic_issues_by_seips_component.systemic_issues_by_seips_component import (
	systemic_issues_by_seips_component,
)
from lnb_casework.lnb_casework.doctype.case.test_case import make_user, submit_through_form
from lnb_casework.oversight import headlines

LEAD = "headlines-coordinator@lnb.test"
ONE, TWO = "headlines-caseworker-one@lnb.test", "headlines-caseworker-two@lnb.test"
POLICY = "headlines-policy@lnb.test"
WORKSPACE = "Learn Not Blame"
CARDS = {
	"Awaiting triage": "awaiting_triage",
	"Open cases": "open_cases",
	"Stalled cases": "stalled_cases",
	"Deadlines in 7 days": "deadlines_within",
	"Open systemic issues": "open_systemic_issues",
	"Overdue actions": "overdue_actions",
}
CHARTS = ("Cases by Month and State", "Systemic Issues by SEIPS Component")
REPORTS = (
	"Caseload",
	"Deadlines Due",
	"Case Ageing",
	"Systemic Issues by Organisation and SEIPS",
	"Discrimination and Disproportionality",
	"Advocacy Pipeline",
)


def case_with(
	state: str, caseworker: str | None = None, idle_days: int = 0, key_dates=(), deadlines=()
) -> str:
	"""A case in a state, last active idle_days ago, with key dates and deadlines days from today."""
	name = submit_through_form(
		email=f"{frappe.generate_hash(length=10)}@example.com",
		gmc_number="",
		key_dates=[{"description": "Hearing", "date": add_days(today(), days)} for days in key_dates],
	).name
	frappe.db.set_value(
		"Case",
		name,
		{
			**READY,
			"workflow_state": state,
			"caseworker": caseworker,
			"last_activity_on": add_to_date(now_datetime(), days=-idle_days),
		},
	)
	for days in deadlines:
		frappe.get_doc(
			{
				"doctype": "Case Deadline",
				"parenttype": "Case",
				"parentfield": "deadlines",
				"parent": name,
				"description": "Reply to the trust",
				"due_date": add_days(today(), days),
				"source": "Caseworker",
			}
		).db_insert()
	return name


def issue(state: str, *components: str) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Systemic Issue",
			"title": f"Pattern {frappe.generate_hash(length=6)}",
			"seips_components": [{"seips_component": component} for component in components],
		}
	).insert(ignore_permissions=True)
	frappe.db.set_value("Systemic Issue", doc.name, "workflow_state", state)
	return doc.name


def action(state: str, due_in_days: int | None) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Advocacy Action",
			"title": f"Letter {frappe.generate_hash(length=6)}",
			"action_type": "Letter to an organisation",
			"responsible": LEAD,
		}
	).insert(ignore_permissions=True)
	due = None if due_in_days is None else add_days(today(), due_in_days)
	frappe.db.set_value("Advocacy Action", doc.name, {"workflow_state": state, "due_date": due})
	return doc.name


class TestHeadlines(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(LEAD, COORDINATOR)
		make_user(ONE, CASEWORKER)
		make_user(TWO, CASEWORKER)
		make_user(POLICY, POLICY_LEAD)
		settings = frappe.get_single("LNB Settings")
		settings.stalled_after_days = 21
		settings.save(ignore_permissions=True)
		for doctype in ("Case", "Systemic Issue", "Advocacy Action"):
			frappe.db.delete(doctype)

		case_with("New", key_dates=[0])
		case_with("Triage", idle_days=30)
		case_with("Allocated", ONE, deadlines=[3])
		case_with("Under Review", ONE, idle_days=30, key_dates=[7], deadlines=[1])
		case_with("Active Support", TWO, idle_days=40, deadlines=[8])
		case_with("Advocacy", ONE, idle_days=5, key_dates=[-1])
		case_with("Closed", ONE, idle_days=60, deadlines=[2])
		case_with("Withdrawn", idle_days=60, key_dates=[1])

		issue("Identified", "Organisation", "Tasks")
		issue("Under Analysis", "Organisation")
		issue("Resolved", "Organisation")
		issue("Closed", "External environment")

		action("Planned", -1)
		action("In Progress", -10)
		action("In Progress", 1)
		action("Completed", -7)
		action("Planned", None)

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_a_coordinator_counts_every_case(self):
		frappe.set_user(LEAD)
		self.assertEqual(
			headlines.headline_figures(),
			{
				"awaiting_triage": 2,
				"open_cases": 6,
				"stalled_cases": 3,
				"deadlines_within": 3,
				"open_systemic_issues": 2,
				"overdue_actions": 2,
			},
		)
		self.assertEqual(headlines.deadlines_within(0), 1)
		self.assertEqual(headlines.deadlines_within(30), 4)

	def test_a_caseworker_counts_only_their_own_cases(self):
		frappe.set_user(ONE)
		self.assertEqual(
			headlines.headline_figures(),
			{
				"awaiting_triage": 0,
				"open_cases": 3,
				"stalled_cases": 1,
				"deadlines_within": 2,
				"open_systemic_issues": 2,
				"overdue_actions": 2,
			},
		)
		frappe.set_user(TWO)
		self.assertEqual(
			(headlines.open_cases(), headlines.stalled_cases(), headlines.deadlines_within()), (1, 1, 0)
		)

	def test_the_stalled_threshold_comes_from_the_settings(self):
		frappe.set_user(LEAD)
		frappe.db.set_single_value("LNB Settings", "stalled_after_days", 35)
		self.assertEqual(headlines.stalled_cases(), 1)
		frappe.db.set_single_value("LNB Settings", "stalled_after_days", 3)
		self.assertEqual(headlines.stalled_cases(), 4)
		frappe.db.set_single_value("LNB Settings", "stalled_after_days", 21)

	def test_a_policy_lead_counts_no_cases(self):
		frappe.set_user(POLICY)
		with self.assertRaises(frappe.PermissionError):
			headlines.open_cases()
		self.assertEqual(headlines.open_systemic_issues(), 2)

	def test_each_card_shows_its_figure_and_leads_to_the_cases_behind_it(self):
		frappe.set_user(ONE)
		card = headlines.stalled_cases_card(filters="[]")
		self.assertEqual(card["value"], 1)
		self.assertEqual(card["fieldtype"], "Int")
		self.assertEqual(card["route"], ["query-report", "Case Ageing"])
		card = headlines.open_systemic_issues_card()
		self.assertEqual(card["value"], 2)
		self.assertEqual(card["route"], ["List", "Systemic Issue"])
		self.assertEqual(card["route_options"], {"workflow_state": ["not in", ["Resolved", "Closed"]]})
		card = headlines.awaiting_triage_card()
		self.assertEqual(card["route_options"], {"workflow_state": ["in", ["New", "Triage"]]})

	def test_the_charts_count_what_the_user_may_see(self):
		frappe.set_user(LEAD)
		chart = cases_by_month_and_state()
		self.assertEqual(len(chart["labels"]), 12)
		this_month = {dataset["name"]: dataset["values"][-1] for dataset in chart["datasets"]}
		self.assertEqual(
			this_month,
			{
				"Awaiting triage": 2,
				"Allocated": 1,
				"Under Review": 1,
				"Active Support": 1,
				"Advocacy": 1,
				"Ended": 2,
			},
		)
		self.assertEqual({sum(dataset["values"][:-1]) for dataset in chart["datasets"]}, {0})
		frappe.set_user(ONE)
		chart = cases_by_month_and_state()
		self.assertEqual(
			[dataset["values"][-1] for dataset in chart["datasets"]],
			[0, 1, 1, 0, 1, 1],
		)
		chart = systemic_issues_by_seips_component()
		values = dict(
			zip(chart["labels"], zip(*(d["values"] for d in chart["datasets"]), strict=True), strict=True)
		)
		self.assertEqual(values["Organisation"], (2, 1))
		self.assertEqual(values["Tasks"], (1, 0))
		self.assertEqual(values["External environment"], (0, 1))
		self.assertEqual(values["Person(s)"], (0, 0))


class TestLearnNotBlameWorkspace(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")

	def page(self) -> dict:
		return get_desktop_page(json.dumps({"name": WORKSPACE, "title": WORKSPACE, "public": 1}))

	def test_the_workspace_cards_and_charts_are_installed(self):
		self.assertTrue(frappe.db.exists("Workspace", WORKSPACE))
		for card in CARDS:
			self.assertEqual(frappe.db.get_value("Number Card", card, "type"), "Custom", card)
		for chart in CHARTS:
			self.assertEqual(frappe.db.get_value("Dashboard Chart", chart, "source"), chart)
			self.assertTrue(frappe.db.exists("Dashboard Chart Source", chart))
		workspace = frappe.get_doc("Workspace", WORKSPACE)
		blocks = json.loads(workspace.content)
		self.assertEqual(
			[block["data"]["number_card_name"] for block in blocks if block["type"] == "number_card"],
			list(CARDS),
		)
		self.assertEqual({row.role for row in workspace.roles}, {COORDINATOR, CASEWORKER, "System Manager"})

	def test_a_coordinator_sees_every_card_with_its_figure(self):
		make_user(LEAD, COORDINATOR)
		frappe.clear_cache(user=LEAD)  # what each user may open is cached, and outlives rolled-back tests
		frappe.set_user(LEAD)
		page = self.page()
		self.assertEqual([card.label for card in page["number_cards"]["items"]], list(CARDS))
		self.assertEqual([chart.label for chart in page["charts"]["items"]], list(CHARTS))
		shortcuts = [shortcut["label"] for shortcut in page["shortcuts"]["items"]]
		self.assertEqual(shortcuts, ["Case", "Review", "Caseload", "Deadlines Due", "Case Ageing"])
		links = [link["label"] for card in page["cards"]["items"] for link in card["links"]]
		self.assertIn("Discrimination and Disproportionality", links)
		self.assertFalse(set(shortcuts) & set(links), "each record or report is offered once")
		figures = headlines.headline_figures()
		for name, figure in CARDS.items():
			card = frappe.get_doc("Number Card", name)
			self.assertTrue(frappe.has_permission("Number Card", doc=card, user=LEAD), name)
			self.assertEqual(frappe.get_attr(card.method)(filters="[]")["value"], figures[figure], name)
		for name in CHARTS:
			chart = frappe.get_doc("Dashboard Chart", name)
			self.assertTrue(frappe.has_permission("Dashboard Chart", doc=chart, user=LEAD), name)
			source = frappe.get_attr(
				f"lnb_casework.lnb_casework.dashboard_chart_source.{frappe.scrub(name)}.{frappe.scrub(name)}.get"
			)
			self.assertTrue(source(chart_name=name)["labels"], name)

	def test_a_caseworker_sees_the_cards_but_not_the_disproportionality_report(self):
		make_user(ONE, CASEWORKER)
		frappe.clear_cache(user=ONE)  # what each user may open is cached, and outlives rolled-back tests
		frappe.set_user(ONE)
		self.assertIn(WORKSPACE, [page.name for page in get_workspace_sidebar_items()["pages"]])
		page = self.page()
		self.assertEqual(len(page["number_cards"]["items"]), len(CARDS))
		self.assertEqual(len(page["charts"]["items"]), len(CHARTS))
		shortcuts = [shortcut["label"] for shortcut in page["shortcuts"]["items"]]
		self.assertNotIn("Discrimination and Disproportionality", shortcuts)
		self.assertIn("Caseload", shortcuts)
		links = [link["label"] for card in page["cards"]["items"] for link in card["links"]]
		self.assertNotIn("LNB Settings", links)

	def test_a_policy_lead_is_not_offered_the_workspace(self):
		make_user(POLICY, POLICY_LEAD)
		frappe.clear_cache(user=POLICY)  # what each user may open is cached, and outlives rolled-back tests
		frappe.set_user(POLICY)
		self.assertNotIn(WORKSPACE, [page.name for page in get_workspace_sidebar_items()["pages"]])
