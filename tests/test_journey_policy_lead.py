"""The policy lead's journey, in real headless Chromium on the test site.

A policy lead signs in and lands on their own home, Systemic Learning; opens a systemic issue promoted from
reviews of several cases and sees its state, severity, SEIPS components and organisations, and the
anonymised figures from the cases, never a doctor's name or email; downloads the learning summary as a
spreadsheet and as a PDF; and plans an advocacy action on the issue from the issue itself. A coordinator
then opens the same issue without a script error.

Screenshots: test-artifacts/policy-lead-<nn>-<step>.png and policy-coordinator-<nn>-<step>.png.
"""

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from journey import WAIT_MS, Journey, journey, make_person
from playwright.sync_api import Download, Page, Response, expect

POLICY_LEAD = "journey-policy-lead@lnb.test"
COORDINATOR = "journey-policy-coordinator@lnb.test"
ORGANISATION = "Journey Policy Hospitals NHS Trust"
DOCTOR = "Dr Oluwaseun Policyjourney"
DOCTOR_EMAIL_PREFIX = "policyjourney-doctor"
CASES = 6
ACTION_TITLE = "Letter to the trust's medical director about exclusion reviews"


def remove_seeded(cases: list[str], reviews: list[str], issue: str | None) -> None:
	import frappe
	from intake_payloads import remove_intake_case

	for action in frappe.get_all(
		"Advocacy Action Issue", filters={"systemic_issue": issue or ""}, pluck="parent", distinct=True
	):
		frappe.delete_doc("Advocacy Action", action, ignore_permissions=True, force=True)
	if issue and frappe.db.exists("Systemic Issue", issue):
		frappe.delete_doc("Systemic Issue", issue, ignore_permissions=True, force=True)
	for review in reviews:
		for doctype, field in (("Workflow Action", "reference_name"), ("Version", "docname")):
			frappe.db.delete(doctype, {field: review})
		frappe.delete_doc("Review", review, ignore_permissions=True, force=True)
	for case in cases:
		frappe.db.delete("Case State Change", {"case": case})
		remove_intake_case(case)
	if frappe.db.exists("Healthcare Organisation", ORGANISATION):
		frappe.delete_doc("Healthcare Organisation", ORGANISATION, ignore_permissions=True, force=True)


@pytest.fixture(scope="module")
def issue_from_cases() -> Iterator[dict]:
	"""A systemic issue promoted (api.learning.promote) from the reviews of six cases from the intake at one
	trust, each review naming a procedural failure, a point of unfairness and the same systemic factor."""
	import frappe

	from lnb_casework.api.learning import promote
	from lnb_casework.lnb_casework.doctype.case.test_case import submit_through_form

	make_person(POLICY_LEAD, "LNB Policy Lead", full_name="Polly Policylead")
	make_person(COORDINATOR, "LNB Coordinator", full_name="Cora Policycoordinator")
	frappe.db.rollback()
	cases, reviews, issue = [], [], None
	try:
		if not frappe.db.exists("Healthcare Organisation", ORGANISATION):
			frappe.get_doc({"doctype": "Healthcare Organisation", "organisation_name": ORGANISATION}).insert(
				ignore_permissions=True
			)
		for _number in range(CASES):
			case = submit_through_form(
				email=f"{DOCTOR_EMAIL_PREFIX}-{frappe.generate_hash(length=8)}@example.com",
				doctor_name=DOCTOR,
				gmc_number="",
			)
			cases.append(case.name)
			frappe.db.set_value(
				"Case", case.name, {"organisation": ORGANISATION, "workflow_state": "Under Review"}
			)
			review = frappe.get_doc(
				{
					"doctype": "Review",
					"case": case.name,
					"procedural_failures": [
						{
							"process_type": "Exclusion or restriction of practice",
							"process_stage": "Exclusion",
							"what_went_wrong": f"{DOCTOR} was excluded with no review for months.",
						}
					],
					"unfairness": [
						{"kind": "Delay", "description": f"{DOCTOR} waited months for a decision."}
					],
					"systemic_factors": [
						{
							"seips_component": "Organisation",
							"organisation": ORGANISATION,
							"description": f"No one reviews exclusions at the trust; {DOCTOR} was left waiting.",
						}
					],
				}
			).insert(ignore_permissions=True)
			reviews.append(review.name)
			issue = promote(
				review.name,
				review.systemic_factors[0].name,
				issue,
				title=f"Exclusions at {ORGANISATION} are not reviewed",
				description=f"Doctors excluded at the trust wait months; {DOCTOR} was one of them.",
			)["systemic_issue"]
		frappe.db.commit()
		yield {"issue": issue, "cases": cases, "title": frappe.db.get_value("Systemic Issue", issue, "title")}
	finally:
		frappe.db.rollback()
		remove_seeded(cases, reviews, issue)
		frappe.db.commit()


def show_nobody(page: Page, where: str) -> None:
	"""The page, as its HTML, names no doctor and no case."""
	html = page.content()
	assert DOCTOR not in html, f"{where}: the doctor's name is on the page"
	assert DOCTOR_EMAIL_PREFIX not in html, f"{where}: the doctor's email is on the page"


def field(page: Page, fieldname: str):
	return page.locator(f'.frappe-control[data-fieldname="{fieldname}"]:visible')


def learning_summary(visit: Journey, item: str, method: str) -> bytes:
	"""Clicks Learning summary > item: the file the browser downloads, or the document the tab it opens shows
	(a PDF opens in the browser's viewer)."""
	page = visit.page
	downloads: list[Download] = []
	answers: list[Response] = []

	def keep_answer(response: Response) -> None:
		if f"/api/method/{method}?" in response.url:
			answers.append(response)

	page.on("download", lambda download: downloads.append(download))
	page.context.on("response", keep_answer)
	try:
		page.locator(".inner-group-button:visible", has_text="Learning summary").locator(
			"button"
		).first.click()
		with page.expect_popup() as popup:
			page.locator(".inner-group-button:visible .dropdown-item", has_text=item).click()
		for _ in range(WAIT_MS // 100):
			if downloads or answers:
				break
			page.wait_for_timeout(100)
	finally:
		page.context.remove_listener("response", keep_answer)
	if downloads:
		content = Path(downloads[0].path()).read_bytes()
	else:
		assert answers, f"Learning summary > {item} opened nothing"
		answer = answers[0]
		assert answer.status == 200, f"Learning summary > {item} answered {answer.status}"
		assert answer.headers.get("content-type") == "application/pdf", answer.headers
		# the tab shows the PDF in the browser's viewer, which stands in for its body: the same address,
		# asked again with the same session, gives the file itself
		content = page.context.request.get(answer.url).body()
	popup.value.close()
	return content


def test_the_policy_lead_reads_an_issue_downloads_its_summary_and_plans_an_action(
	chromium, base_url, issue_from_cases
):
	issue, title = issue_from_cases["issue"], issue_from_cases["title"]
	with journey(chromium, "policy-lead") as visit:
		page = visit.page
		visit.sign_in(base_url, POLICY_LEAD)
		expect(page).to_have_url(re.compile(r"/app/systemic-learning$"))
		expect(page.locator(".page-title .title-text:visible")).to_have_text("Systemic Learning")
		visit.step("home")

		visit.goto(base_url, f"/app/systemic-issue/{issue}")
		expect(page.locator(".page-title .title-text:visible")).to_have_text(title)
		# only a System Manager may share a record: the sidebar does not offer it
		expect(page.locator(".form-sidebar .share-doc-btn:visible")).to_have_count(0)
		expect(page.locator(".form-sidebar .add-assignment-btn:visible")).to_have_count(1)
		expect(field(page, "workflow_state").locator(".control-value")).to_have_text("Identified")
		expect(field(page, "severity").locator("select")).to_have_value("Medium")
		seips = field(page, "seips_components")
		expect(seips.locator(".control-label")).to_have_text("SEIPS components")
		expect(seips.locator(".tb-selected-value")).to_have_text(["Organisation"])
		places = field(page, "organisations")
		expect(places.locator(".control-label")).to_have_text("Where it was seen")
		expect(places.locator(".tb-selected-value")).to_have_text([ORGANISATION])
		section = page.locator(".form-section:visible", has_text="From the cases (anonymised)")
		expect(section.locator(".section-head")).to_have_text("From the cases (anonymised)")
		expect(field(page, "case_count").locator(".control-value")).to_have_text(re.compile(r"^(<5|\d+)$"))
		extract = field(page, "anonymised_extract").locator(".control-value")
		expect(extract).to_contain_text("Procedural failures, by process")
		expect(extract).to_contain_text("Points of unfairness, by kind")
		show_nobody(page, "the issue")
		visit.step("issue", full_page=True)

		spreadsheet = learning_summary(
			visit, "Spreadsheet (CSV)", "lnb_casework.learning.summary.download_learning_summary"
		).decode("utf-8")
		rows = list(csv.reader(io.StringIO(spreadsheet)))
		assert rows[0] == ["Pattern", title], rows[:2]
		assert ["SEIPS components", "Organisation"] in rows
		assert ["Procedural failures, by process", "Count"] in rows
		assert DOCTOR not in spreadsheet and DOCTOR_EMAIL_PREFIX not in spreadsheet
		assert not any(case in spreadsheet for case in issue_from_cases["cases"])
		visit.step("summary-csv")

		pdf = learning_summary(visit, "PDF", "frappe.utils.print_format.download_pdf")
		assert pdf.startswith(b"%PDF-"), pdf[:40]
		assert len(pdf) > 5_000, f"a {len(pdf)}-byte PDF is too small to hold the summary"
		from pypdf import PdfReader

		text = " ".join(" ".join(sheet.extract_text().split()) for sheet in PdfReader(io.BytesIO(pdf)).pages)
		assert "Learning summary" in text and "Cases by organisation" in text, text[:500]
		assert DOCTOR not in text and not any(case in text for case in issue_from_cases["cases"])
		visit.step("summary-pdf")

		page.locator(".inner-group-button:visible", has_text="Create").locator("button").first.click()
		page.locator(".inner-group-button:visible .dropdown-item", has_text="Advocacy action").click()
		expect(page).to_have_url(re.compile(r"/app/advocacy-action/new"))
		expect(field(page, "systemic_issues").locator(".tb-selected-value")).to_have_text([title])
		field(page, "title").locator("input").fill(ACTION_TITLE)
		field(page, "action_type").locator("select").select_option("Letter to an organisation")
		field(page, "target_body").locator("input").fill(ORGANISATION)
		responsible = field(page, "responsible").locator("input")
		responsible.fill(POLICY_LEAD)
		page.locator(".awesomplete [role=option]:visible", has_text="Polly Policylead").first.click()
		visit.step("new-action")
		page.keyboard.press("Control+s")
		expect(page).not_to_have_url(re.compile(r"/new"))
		expect(field(page, "workflow_state").locator(".control-value")).to_have_text("Planned")
		show_nobody(page, "the advocacy action")
		visit.step("action-saved")

		# opened afresh from a link, the action's breadcrumb leads to the policy lead's own home
		page.reload()
		expect(page.locator("#navbar-breadcrumbs a").first).to_have_text("Systemic Learning")

	import frappe

	frappe.db.rollback()
	actions = frappe.get_all("Advocacy Action", filters={"title": ACTION_TITLE}, fields=["name", "owner"])
	assert [action.owner for action in actions] == [POLICY_LEAD]
	assert frappe.get_all(
		"Advocacy Action Issue", filters={"parent": actions[0].name}, pluck="systemic_issue"
	) == [issue]


def test_a_coordinator_opens_the_issue_without_a_script_error(chromium, base_url, issue_from_cases):
	with journey(chromium, "policy-coordinator") as visit:
		page = visit.page
		visit.sign_in(base_url, COORDINATOR)
		visit.goto(base_url, f"/app/systemic-issue/{issue_from_cases['issue']}")
		expect(field(page, "seips_components").locator(".tb-selected-value")).to_have_text(["Organisation"])
		expect(page.locator(".inner-group-button:visible", has_text="Learning summary")).to_be_visible()
		visit.step("issue")
