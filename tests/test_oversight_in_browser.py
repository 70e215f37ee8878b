"""A coordinator signs in through /login and reads the Learn Not Blame workspace and the Discrimination and
Disproportionality report in real headless Chromium.

The browser is the system's (LNB_CHROMIUM, default /usr/bin/chromium), driven by Playwright, as in
test_intake_in_browser.py. Screenshots of what the coordinator saw go to LNB_ARTIFACTS:
workspace-coordinator.png and disproportionality-coordinator.png; when a test fails,
oversight-failure.png and oversight-failure-trace.zip there show the page as it was and how it got there.
"""

import contextlib
import re
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from browser import artifact, save_evidence
from frappe.utils import add_days, add_months, now_datetime, today
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from sign_in import sign_in_in_browser

COORDINATOR = "oversight-browser-coordinator@lnb.test"
PASSWORD = "Oversight-browser-7f3K!q"
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "en-GB"}
WAIT_MS = 30_000
REPORT = "Discrimination and Disproportionality"
WORKSPACE_SCREENSHOT = "workspace-coordinator.png"
REPORT_SCREENSHOT = "disproportionality-coordinator.png"
FAILURE_SCREENSHOT = "oversight-failure.png"
FAILURE_TRACE = "oversight-failure-trace.zip"
# the seeded cases are received in a year of their own (which has ended), so the report shows only them
PERIOD = {"period": "2002"}
OPENED_ON = "2002-02-12 11:00:00"
ETHNIC = "Ethnic group (ONS 2021 high-level)"
# twenty cases: (ethnic group, sex) of each
ANSWERS = (
	[("White", "Female")] * 7
	+ [("White", "Male")] * 4
	+ [("Asian or Asian British", "Female")] * 3
	+ [("Asian or Asian British", "Male")] * 3
	+ [("Black, Black British, Caribbean or African", "Female")] * 2
	+ [("Black, Black British, Caribbean or African", "Male")] * 1
)
# open cases for the workspace: (opened months ago, state, days since last activity, key date in days)
RECENT = [
	(0, "New", 0, 3),
	(0, "Triage", 1, None),
	(1, "Allocated", 2, 6),
	(2, "Under Review", 30, None),
	(2, "Active Support", 3, 20),
	(4, "Advocacy", 40, None),
	(5, "Under Review", 4, None),
]
ISSUES = [
	("Exclusions renewed without review", ("Organisation",)),
	("Rota gaps left unfilled", ("Organisation", "Tasks")),
	("Regulator referral without local process", ("External environment",)),
]
REFERENCE = [
	{"question": ETHNIC, "answer": "White", "share": 58, "source": "GMC register", "year": 2024},
	{
		"question": ETHNIC,
		"answer": "Asian or Asian British",
		"share": 28,
		"source": "GMC register",
		"year": 2024,
	},
	{
		"question": ETHNIC,
		"answer": "Black, Black British, Caribbean or African",
		"share": 7,
		"source": "GMC register",
		"year": 2024,
	},
	{"question": "Sex", "answer": "Female", "share": 50, "source": "GMC register", "year": 2024},
	{"question": "Sex", "answer": "Male", "share": 50, "source": "GMC register", "year": 2024},
]


@pytest.fixture(scope="module")
def seeded() -> Iterator[list[str]]:
	"""A coordinator who signs in with a password, twenty cases with monitoring answers, and reference
	shares; all removed afterwards."""
	import frappe

	from lnb_casework.lnb_casework.doctype.case.test_case import make_user, submit_through_form

	frappe.db.rollback()
	make_user(COORDINATOR, "LNB Coordinator")
	from frappe.utils.password import update_password

	update_password(COORDINATOR, PASSWORD)
	settings = frappe.get_single("LNB Settings")
	kept_shares = [row.as_dict() for row in settings.reference_shares]
	kept_threshold = settings.small_number_threshold
	settings.small_number_threshold = 5
	settings.set("reference_shares", REFERENCE)
	settings.save(ignore_permissions=True)
	cases = []

	def case(opened_on, state: str, idle_days: int = 0, deadline_in: int | None = None, **answers) -> None:
		name = submit_through_form(
			email=f"{frappe.generate_hash(length=10)}@example.com",
			gmc_number="",
			key_dates=[]
			if deadline_in is None
			else [{"description": "Hearing", "date": add_days(today(), deadline_in)}],
			**{f"equality_{question}": answer for question, answer in answers.items()},
		).name
		frappe.db.set_value(
			"Case",
			name,
			{"workflow_state": state, "last_activity_on": add_days(now_datetime(), -idle_days)},
			update_modified=False,
		)
		frappe.db.set_value("Case", name, "creation", opened_on, update_modified=False)
		cases.append(name)

	# twenty closed cases for the report, in a month of their own
	for ethnic_group, sex in ANSWERS:
		case(OPENED_ON, "Closed", ethnic_group=ethnic_group, sex=sex)
	# open cases of recent months for the workspace
	for months_ago, state, idle_days, deadline_in in RECENT:
		case(add_months(now_datetime(), -months_ago), state, idle_days, deadline_in, ethnic_group="White")
	issues = [
		frappe.get_doc(
			{
				"doctype": "Systemic Issue",
				"title": title,
				"seips_components": [{"seips_component": component} for component in components],
			}
		)
		.insert(ignore_permissions=True)
		.name
		for title, components in ISSUES
	]
	frappe.db.commit()
	yield cases

	frappe.db.rollback()
	for name in issues:
		frappe.delete_doc("Systemic Issue", name, ignore_permissions=True, force=True)
	for name in cases:
		frappe.db.delete("Email Queue", {"reference_doctype": "Case", "reference_name": name})
		frappe.db.delete("Case State Change", {"case": name})
		frappe.delete_doc("Case", name, ignore_permissions=True, force=True)
	settings = frappe.get_single("LNB Settings")
	settings.small_number_threshold = kept_threshold
	settings.set(
		"reference_shares",
		[{k: row[k] for k in ("question", "answer", "share", "source", "year")} for row in kept_shares],
	)
	settings.save(ignore_permissions=True)
	frappe.db.commit()


@pytest.fixture()
def page(chromium: Browser) -> Iterator[Page]:
	expect.set_options(timeout=WAIT_MS)
	context = chromium.new_context(**DESKTOP)
	context.set_default_timeout(WAIT_MS)
	context.tracing.start(screenshots=True, snapshots=True)
	page = context.new_page()
	page.errors = []
	page.on("pageerror", lambda error: page.errors.extend(script_error(page, error)))
	yield page
	with contextlib.suppress(PlaywrightError):
		context.tracing.stop()
	context.close()


def script_error(page: Page, error) -> list[str]:
	"""The page's script error as a message, or none for Frappe's own chart race: a dashboard chart widget
	may draw its chart twice into one place, and the replaced chart then fails to redraw itself when the
	window changes size (frappe-charts' resize handler, boundDrawFn), which shows nothing to the user."""
	if "removeChild" in error.message and "boundDrawFn" in (error.stack or ""):
		return []
	return [f"{page.url}: {error.message[:300]}\n{(error.stack or '')[:600]}"]


def screenshot(page: Page, name: str) -> None:
	"""The whole page: the desk scrolls inside a window-high layout, so the window is made as tall as the
	page first."""
	assert not page.errors, f"the page raised script errors: {page.errors}"
	hidden = page.evaluate(
		"""() => Math.max(0, ...[...document.querySelectorAll(".layout-main-section-wrapper, .page-content")]
			.map((element) => element.scrollHeight - element.clientHeight))"""
	)
	height = DESKTOP["viewport"]["height"] + hidden
	page.set_viewport_size({"width": DESKTOP["viewport"]["width"], "height": height})
	page.wait_for_timeout(500)  # charts redraw to the new size
	page.screenshot(path=str(artifact(name)), full_page=True)
	page.set_viewport_size(DESKTOP["viewport"])


def card_number(page: Page, label: str):
	card = page.locator(".number-widget-box").filter(has=page.locator(".widget-title", has_text=label))
	return card.locator(".widget-content .number")


def published_figures(report_cases: list[str]) -> dict[str, str]:
	"""What the report must show of the seeded cases: their counts published under this site's key by the
	same disclosure engine the report uses, so a White count the engine holds back (as it may under some
	keys, when the perturbed Asian count also falls below the threshold) is expected as held back."""
	from lnb_casework.intake.equality import EQUALITY_QUESTIONS
	from lnb_casework.learning.disclosure import ratio, site_disclosure
	from lnb_casework.lnb_casework.report.discrimination_and_disproportionality.discrimination_and_disproportionality import (
		question_figures,
	)

	disclosure = site_disclosure()
	ethnic_group = EQUALITY_QUESTIONS[0]
	answers_of = {
		case: {ethnic_group: answer} for case, (answer, _sex) in zip(report_cases, ANSWERS, strict=True)
	}
	shown = question_figures(ethnic_group, report_cases, answers_of, disclosure)
	share = shown.shares["White"]
	white_ratio = ratio(share, 58)
	return {
		"cases": str(disclosure.period_total(report_cases)),
		"white_share": f"{share:.1f}%" if isinstance(share, float | int) else str(share),
		"white_ratio": f"{white_ratio:.2f}" if isinstance(white_ratio, float | int) else str(white_ratio),
	}


def headline(name: str) -> int:
	"""A headline figure as the coordinator counts it, in this process."""
	import frappe

	from lnb_casework.oversight import headlines

	frappe.db.rollback()
	frappe.set_user(COORDINATOR)
	try:
		return getattr(headlines, name)()
	finally:
		frappe.set_user("Administrator")


def test_a_coordinator_reads_the_workspace_and_the_disproportionality_report(page, base_url, seeded):
	for earlier in (WORKSPACE_SCREENSHOT, REPORT_SCREENSHOT, FAILURE_SCREENSHOT, FAILURE_TRACE):
		artifact(earlier).unlink(missing_ok=True)
	try:
		sign_in_in_browser(page, base_url, COORDINATOR, PASSWORD)

		page.goto(f"{base_url}/app/learn-not-blame")
		numbers = page.locator(".number-widget-box .widget-content .number")
		expect(numbers, "the workspace shows six number cards").to_have_count(6)
		for number in numbers.all():
			expect(number).to_have_text(re.compile(r"^\s*\d+\s*$"))
		expect(card_number(page, "Open cases")).to_have_text(re.compile(rf"^\s*{headline('open_cases')}\s*$"))
		expect(card_number(page, "Awaiting triage")).to_have_text(
			re.compile(rf"^\s*{headline('awaiting_triage')}\s*$")
		)
		expect(page.locator(".widget.dashboard-widget-box .frappe-chart")).to_have_count(2)
		expect(page.locator(".links-widget-box .link-item", has_text=REPORT)).to_be_visible()
		expect(card_number(page, "Stalled cases")).to_have_text(
			re.compile(rf"^\s*{headline('stalled_cases')}\s*$")
		)
		page.wait_for_load_state("networkidle")
		screenshot(page, WORKSPACE_SCREENSHOT)

		page.goto(f"{base_url}/app/query-report/{quote(REPORT)}?{urlencode(PERIOD)}")
		table = page.locator(".dt-scrollable")
		expect(table.locator(".dt-row").first).to_be_visible()
		figures = published_figures(seeded[: len(ANSWERS)])
		cases_in_period = page.locator(".report-summary .summary-item", has_text="Cases in the period")
		expect(cases_in_period, "the summary counts the twenty cases").to_contain_text(figures["cases"])
		small = table.locator(".dt-cell__content", has_text=re.compile(r"^\s*<5\s*$"))
		expect(small.first, 'three Black doctors show as "<5"').to_be_visible()
		white = table.locator(".dt-row", has_text="White").first
		expect(white).to_contain_text(figures["white_share"])
		expect(white).to_contain_text(figures["white_ratio"])
		expect(
			page.locator(".chart-wrapper .frappe-chart, .chart-container .frappe-chart").first
		).to_be_visible()
		page.wait_for_load_state("networkidle")
		screenshot(page, REPORT_SCREENSHOT)

		# the chart follows the question chosen
		question = page.locator('.page-form .frappe-control[data-fieldname="question"] select')
		expect(question.locator("option", has_text=re.compile(r"^Sex$"))).to_have_count(1)
		question.select_option(label="Sex")
		expect(page.locator(".frappe-chart").first).to_contain_text("Sex:")
		assert not page.errors, f"the pages raised script errors: {page.errors}"
	except Exception:
		save_evidence(page, FAILURE_SCREENSHOT, FAILURE_TRACE, full_page=True)
		raise
