"""The caseworker's journey, in real headless Chromium on a fresh site, and the coordinator's approval of
their review.

A doctor's case comes in through the intake (real HTTP) and a coordinator allocates it through the app's
allocation code. The caseworker signs in, finds the case in the list, reads it, starts the review with the
workflow action, creates a Review from the case's connections with the doctor's story beside it, fills it
(Just Culture answers, a procedural failure, one systemic factor) and submits it for approval. The
coordinator sees it awaiting approval in the Review list, approves it, promotes its factor from the
dialog (preselected) and follows the toast's link to the new Systemic Issue, whose title and description
say what was found and where, without naming the doctor.

Screenshots: test-artifacts/caseworker-<nn>-<step>.png, one per step.
"""

import re
import uuid
from collections.abc import Iterator

import pytest
import requests
from intake_payloads import answers, remove_intake_case, submit
from journey import Journey, journey, make_person
from playwright.sync_api import Browser, expect

CASEWORKER = "caseworker-journey-caseworker@lnb.test"
COORDINATOR = "caseworker-journey-coordinator@lnb.test"
TRUST = "Eastmoor Hospitals NHS Trust"
WHAT_HAPPENED = (
	"I was excluded for five months after raising concerns about night rota gaps on the acute ward."
)
# the read-only "System-level review needed" box, as the form shows it
SYSTEM_REVIEW = '.frappe-control[data-fieldname="system_review_needed"]'
FACTOR = "Nobody reviewed the exclusion at four weeks, as the trust's own MHPS policy requires."


@pytest.fixture()
def allocated_case(base_url: str, intake_open) -> Iterator[str]:
	"""A case sent through the intake and allocated, through the app's code, to a caseworker with a profile."""
	import frappe
	from frappe.model.workflow import apply_workflow

	from lnb_casework.api.casework import allocate

	make_person(CASEWORKER, "LNB Caseworker", full_name="Casey Worker")
	make_person(COORDINATOR, "LNB Coordinator", full_name="Cora Ordinator")
	if not frappe.db.exists("Caseworker Profile", CASEWORKER):
		frappe.get_doc(
			{"doctype": "Caseworker Profile", "user": CASEWORKER, "full_name": "Casey Worker", "capacity": 20}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("Healthcare Organisation", TRUST):
		frappe.get_doc({"doctype": "Healthcare Organisation", "organisation_name": TRUST}).insert(
			ignore_permissions=True
		)
	frappe.db.commit()

	email = f"journey-doctor-{uuid.uuid4().hex[:8]}@example.com"
	with requests.Session() as doctor:
		sent = submit(
			doctor,
			base_url,
			answers(email, what_happened=WHAT_HAPPENED, employer_name=TRUST, lnb_attachments=[]),
		)
	assert sent.status_code == 200, sent.text
	frappe.db.rollback()
	case = frappe.db.get_value("Case", {"email": email})
	assert case, "the intake made no case"

	frappe.set_user(COORDINATOR)
	doc = frappe.get_doc("Case", case)
	if doc.workflow_state == "New":
		doc = apply_workflow(doc, "Start triage")
	doc.organisation = TRUST
	doc.save()
	assert allocate(case, CASEWORKER)["workflow_state"] == "Allocated"
	frappe.set_user("Administrator")
	frappe.db.commit()
	yield case

	frappe.db.rollback()
	reviews = frappe.get_all("Review", filters={"case": case}, pluck="name")
	for evidence in frappe.get_all(
		"Systemic Issue Evidence", filters={"case": case}, fields=["name", "systemic_issue"]
	):
		frappe.delete_doc("Systemic Issue Evidence", evidence.name, ignore_permissions=True, force=True)
		frappe.delete_doc("Systemic Issue", evidence.systemic_issue, ignore_permissions=True, force=True)
	for review in reviews:
		frappe.db.set_value("Review", review, "docstatus", 0, update_modified=False)
		frappe.delete_doc("Review", review, ignore_permissions=True, force=True)
	remove_intake_case(case)
	frappe.db.commit()


def workflow_action(visit: Journey, action: str) -> None:
	page = visit.page
	page.locator(".page-actions .actions-btn-group > button:visible").click()
	page.locator(".actions-btn-group .dropdown-menu a:visible", has_text=action).click()
	page.wait_for_load_state("networkidle")


def open_tab(visit: Journey, label: str) -> None:
	visit.page.locator(".form-tabs-list .nav-link:visible", has_text=label).click()


def add_table_row(visit: Journey, table: str, values: dict[str, str]) -> None:
	"""Adds a row to a child table and fills it in the row's own form, as a user does with long text."""
	page = visit.page
	grid = page.locator(f'.frappe-control[data-fieldname="{table}"]')
	grid.locator(".grid-add-row:visible").click()
	grid.locator(".grid-body .grid-row").last.locator(".btn-open-row").click()
	row = page.locator(".grid-row-open")
	for fieldname, value in values.items():
		control = row.locator(f'.form-in-grid .frappe-control[data-fieldname="{fieldname}"]')
		control.wait_for()
		fieldtype = control.get_attribute("data-fieldtype")
		if fieldtype == "Select":
			control.locator("select").select_option(value)
			expect(control.locator("select")).to_have_value(value)
			continue
		field = control.locator("textarea" if fieldtype in ("Small Text", "Text", "Long Text") else "input")
		field.fill(value)
		if fieldtype == "Link":
			page.locator('.awesomplete [role="option"]:visible', has_text=value).first.click()
		expect(field).to_have_value(value)
	row.locator(".grid-collapse-row").click()


def header_state(visit: Journey) -> str:
	return visit.page.locator(".page-head .indicator-pill:visible").first.inner_text().strip()


def test_caseworker_reviews_a_case_and_the_coordinator_approves_and_promotes(
	chromium: Browser, base_url: str, allocated_case: str
):
	case = allocated_case
	with journey(chromium, "caseworker") as visit:
		page = visit.page
		visit.sign_in(base_url, CASEWORKER)
		visit.step("signed-in")

		visit.goto(base_url, "/app/case")
		row = page.locator(f'.list-row-container .list-subject a[data-name="{case}"]')
		expect(row).to_be_visible()
		visit.step("case-list")

		row.click()
		expect(page.locator(".page-title .title-text:visible").first).to_contain_text(case)
		expect(page.locator('.frappe-control[data-fieldname="what_happened"]')).to_contain_text(
			"night rota gaps"
		)
		visit.step("case-read")

		workflow_action(visit, "Start review")
		expect(page.locator(".page-head .indicator-pill:visible").first).to_have_text("Under Review")
		visit.step("case-under-review")
		# The case's doc_update (the realtime server now runs) makes Frappe reload the case form a moment
		# later, and that reload takes over a review form opened before it lands: start from the case as
		# stored. Reported in the closing note of issue 22.
		page.reload()
		expect(page.locator(".page-head .indicator-pill:visible").first).to_have_text("Under Review")

		page.locator('.form-dashboard .document-link button.btn-new[data-doctype="Review"]').click()
		page.wait_for_url(re.compile(r"/app/review/new"))
		expect(page.locator('.frappe-control[data-fieldname="case"] input')).to_have_value(case)
		story = page.locator(".lnb-case-story")
		expect(story).to_contain_text("night rota gaps")
		expect(story).to_contain_text("GMC fitness to practise")
		expect(story).to_contain_text("Reply to the GMC")
		expect(story).to_contain_text("Race")
		expect(story).not_to_contain_text("Adeyemi")
		visit.step("review-new-with-story")

		page.locator('.frappe-control[data-fieldname="action_or_omission"] textarea').fill(
			"The trust's decision to keep the doctor excluded without a review."
		)
		page.locator('.frappe-control[data-fieldname="circumstances"] textarea').fill(
			"Excluded in June after raising rota concerns; no review since."
		)
		open_tab(visit, "Just Culture")
		expect(page.locator(f"{SYSTEM_REVIEW} .disabled-deselected")).to_be_visible()
		for question, answer in {
			"1a": "No",
			"2a": "No",
			"2b": "No",
			"2c": "No",
			"3a": "Yes",
			"3b": "No",
		}.items():
			page.locator(f'select[data-fieldname="jc_{question}"]').select_option(answer)
		page.locator('.frappe-control[data-fieldname="jc_3b_evidence"] textarea').fill(
			"The MHPS four-weekly exclusion review was never held."
		)
		visit.step("review-just-culture")

		open_tab(visit, "Findings")
		add_table_row(
			visit,
			"procedural_failures",
			{
				"process_type": "MHPS investigation",
				"process_stage": "Exclusion review",
				"what_went_wrong": "No review of the exclusion at four weeks.",
			},
		)
		add_table_row(
			visit,
			"systemic_factors",
			{"seips_component": "Organisation", "description": FACTOR, "organisation": TRUST},
		)
		visit.step("review-findings")

		page.keyboard.press("Control+s")
		page.wait_for_url(re.compile(r"/app/review/REV-"))
		review = page.url.rstrip("/").split("/")[-1]
		expect(page.locator(".page-head .indicator-pill:visible").first).to_have_text("Draft")
		open_tab(visit, "Just Culture")
		expect(page.locator('.frappe-control[data-fieldname="just_culture_outcome"]')).to_contain_text(
			"System failure"
		)
		expect(page.locator(f"{SYSTEM_REVIEW} .disabled-selected")).to_be_visible()
		sidebar = page.locator(".form-sidebar")
		expect(sidebar.locator(".add-assignment-btn:visible, .share-doc-btn:visible")).to_have_count(0)
		visit.step("review-saved")

		workflow_action(visit, "Submit for approval")
		expect(page.locator(".page-head .indicator-pill:visible").first).to_have_text(
			"Submitted for Approval"
		)
		visit.step("review-submitted-for-approval")

		visit.sign_out(base_url)
		visit.sign_in(base_url, COORDINATOR)
		visit.goto(base_url, "/app/review")
		listed = page.locator(
			".list-row-container", has=page.locator(f'.list-subject a[data-name="{review}"]')
		)
		expect(listed).to_contain_text("Submitted for Approval")
		visit.step("coordinator-review-list")

		listed.locator(f'.list-subject a[data-name="{review}"]').click()
		expect(page.locator(".lnb-case-story")).to_contain_text("night rota gaps")
		workflow_action(visit, "Approve")
		expect(page.locator(".page-head .indicator-pill:visible").first).to_have_text("Approved")
		visit.step("review-approved")

		page.locator(".page-actions button:visible", has_text="Promote a systemic factor").click()
		dialog = page.locator(".modal.show")
		expect(dialog.locator('select[data-fieldname="factor"]')).not_to_have_value("")
		expect(dialog.locator('select[data-fieldname="factor"] option:checked')).to_contain_text(
			"Organisation"
		)
		expect(dialog.locator('select[data-fieldname="issue"] option:checked')).to_have_text(
			"A new systemic issue"
		)
		expect(dialog.locator('input[data-fieldname="title"]')).to_have_value(
			re.compile(f"Organisation at {TRUST}: Nobody reviewed the exclusion")
		)
		expect(dialog.locator('textarea[data-fieldname="description"]')).to_have_value(
			re.compile("Nobody reviewed the exclusion")
		)
		visit.step("promote-dialog")

		dialog.locator(".btn-primary", has_text="Promote").click()
		toast = page.locator("#alert-container a", has_text=TRUST)
		expect(toast).to_be_visible()
		visit.step("promoted-toast")

		toast.click()
		page.wait_for_url(re.compile(r"/app/systemic-issue/SI-"))
		title = page.locator(".page-title .title-text:visible").first
		expect(title).to_contain_text(f"Organisation at {TRUST}: Nobody reviewed the exclusion")
		expect(
			page.locator('.page-container:visible .frappe-control[data-fieldname="description"]')
		).to_contain_text(FACTOR)
		for private in ("Adeyemi", "Olu", "1234567"):
			expect(page.locator(".page-container:visible").first).not_to_contain_text(private)
		visit.step("systemic-issue")
