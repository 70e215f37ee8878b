"""The coordinator's journey, in real headless Chromium on the test site.

A coordinator signs in and lands on the Learn Not Blame workspace; finds a new urgent case in the Case list,
where the doctor, the date received, the urgency and the state show; opens it, starts triage and allocates it
from the dialog to a caseworker who has no profile yet: the dialog leads to creating one, with a new
organisation they work for, and back to the allocation, which completes. Then every report the app ships
and the settings, each without an error. The caseworker then opens the case: nothing is offered that the
server would refuse, and the coordinator's fields are read-only.

Screenshots: test-artifacts/coordinator-<nn>-<step>.png and coordinator-then-caseworker-<nn>-<step>.png.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from journey import journey, make_person
from playwright.sync_api import Page, expect

COORDINATOR = "journey-coordinator@lnb.test"
CASEWORKER = "journey-caseworker@lnb.test"
CASE_ORGANISATION = "Journey Case Hospitals NHS Trust"
WORKS_FOR = "Journey Employer NHS Foundation Trust"
DOCTOR = "Dr Ngozi Journey"
REPORTS = sorted(
	json.loads(path.read_text())["name"]
	for path in Path(__file__).parent.parent.glob("lnb_casework/lnb_casework/report/*/*.json")
)


def forget(*organisations: str) -> None:
	import frappe

	for profile in frappe.get_all("Caseworker Profile", filters={"user": CASEWORKER}, pluck="name"):
		frappe.delete_doc("Caseworker Profile", profile, ignore_permissions=True, force=True)
	for organisation in organisations:
		if frappe.db.exists("Healthcare Organisation", organisation):
			frappe.delete_doc("Healthcare Organisation", organisation, ignore_permissions=True, force=True)


@pytest.fixture(scope="module")
def urgent_case() -> Iterator[dict]:
	"""The two people (the caseworker without a profile), and a new urgent case from the intake."""
	import frappe
	from frappe.utils import formatdate
	from intake_payloads import remove_intake_case

	from lnb_casework.intake.rules import URGENT_SUPPORT
	from lnb_casework.lnb_casework.doctype.case.test_case import submit_through_form

	make_person(COORDINATOR, "LNB Coordinator", full_name="Cora Ordinator")
	make_person(CASEWORKER, "LNB Caseworker", full_name="Casey Journeyworker")
	forget(WORKS_FOR)
	if not frappe.db.exists("Healthcare Organisation", CASE_ORGANISATION):
		frappe.get_doc({"doctype": "Healthcare Organisation", "organisation_name": CASE_ORGANISATION}).insert(
			ignore_permissions=True
		)
	case = submit_through_form(
		email=f"journey-{frappe.generate_hash(length=8)}@example.com",
		doctor_name=DOCTOR,
		gmc_number="",
		wellbeing=URGENT_SUPPORT,
	)
	frappe.db.commit()
	yield {"name": case.name, "received": formatdate(case.received_on)}
	frappe.db.rollback()
	remove_intake_case(case.name)
	forget(WORKS_FOR, CASE_ORGANISATION)
	frappe.db.commit()


def indicator(page: Page):
	return page.locator(".page-head:visible .indicator-pill").first


def test_the_coordinator_triages_allocates_and_reads_the_reports(chromium, base_url, urgent_case):
	name = urgent_case["name"]
	with journey(chromium, "coordinator") as visit:
		page = visit.page
		visit.sign_in(base_url, COORDINATOR)
		expect(page).to_have_url(re.compile(r"/app/learn-not-blame$"))
		visit.step("workspace")

		visit.goto(base_url, "/app/case")
		row = page.locator(".list-row-container", has=page.locator(f'[data-name="{name}"]'))
		expect(row).to_be_visible()
		for shown in (DOCTOR, urgent_case["received"], "Urgent", "New"):
			expect(row).to_contain_text(shown)
		expect(row.locator(".indicator-pill.red", has_text="Urgent")).to_be_visible()
		visit.step("case-list")

		row.get_by_text(name, exact=True).click()
		expect(page.locator(".page-title:visible .title-text").first).to_contain_text(name)
		expect(indicator(page)).to_have_text("New")
		expect(page.locator(".form-message.red:visible")).to_have_text(
			"Urgent: the doctor said they need urgent support. Contact them today."
		)
		visit.step("urgent-case")

		page.get_by_role("button", name="Actions").click()
		page.locator(".dropdown-menu.show .dropdown-item", has_text="Start triage").click()
		expect(indicator(page)).to_have_text("Triage")
		visit.step("in-triage")

		page.get_by_role("button", name="Allocate", exact=True).click()
		dialog = page.locator(".modal.show")
		fill_link(page, dialog.locator('[data-fieldname="organisation"] input'), CASE_ORGANISATION)
		caseworker = dialog.locator('[data-fieldname="caseworker"] select')
		expect(caseworker.locator(f'option[value="{CASEWORKER}"]')).to_have_text(
			"Casey Journeyworker: no caseworker profile yet"
		)
		caseworker.select_option(CASEWORKER)
		expect(dialog.locator(".create-profile")).to_be_visible()
		expect(dialog.locator(".modal-footer .btn-primary")).to_be_disabled()
		visit.step("no-profile-yet")

		dialog.locator(".create-profile").click()
		expect(page).to_have_url(re.compile(r"/app/caseworker-profile/new"))
		expect(page.locator('[data-fieldname="user"] input:visible')).to_have_value(CASEWORKER)
		page.get_by_role("button", name="Add an organisation not listed yet").click()
		quick_entry = page.locator(".modal.show")
		quick_entry.locator('[data-fieldname="organisation_name"] input').fill(WORKS_FOR)
		quick_entry.locator(".modal-footer .btn-primary").click()
		pill = page.locator('.frappe-control[data-fieldname="organisations"] .tb-selected-value')
		expect(pill).to_have_text(WORKS_FOR)
		visit.step("profile-with-new-organisation")

		page.keyboard.press("Control+s")
		expect(page).to_have_url(re.compile(rf"/app/case/{name}$"))
		dialog = page.locator(".modal.show")
		expect(dialog.locator('[data-fieldname="caseworker"] select')).to_have_value(CASEWORKER)
		expect(dialog.locator('[data-fieldname="organisation"] input')).to_have_value(CASE_ORGANISATION)
		expect(dialog.locator(".create-profile")).to_have_count(0)
		visit.step("back-to-allocation")

		dialog.locator(".modal-footer .btn-primary").click()
		expect(indicator(page)).to_have_text("Allocated")
		expect(
			page.locator('.form-layout:visible .frappe-control[data-fieldname="caseworker"]')
		).to_contain_text(re.compile(f"Casey Journeyworker|{re.escape(CASEWORKER)}"))
		timeline = page.locator(".new-timeline:visible .timeline-item")
		for move in ("Triage", "Allocated"):
			expect(timeline.filter(has_text=re.compile(rf"\b{move}\b"))).to_have_count(1)
		visit.step("allocated")
		import frappe

		frappe.db.rollback()
		assert frappe.get_all(
			"Caseworker Organisation", filters={"parent": CASEWORKER}, pluck="organisation"
		) == [WORKS_FOR], "the organisation made from the profile's box was kept"

		for report in REPORTS:
			visit.goto(base_url, f"/app/query-report/{quote(report)}")
			expect(page.locator(".page-title:visible .title-text").first).to_have_text(report)
			page.wait_for_load_state("networkidle")
			visit.step(f"report-{report.lower().replace(' ', '-')}")
		visit.goto(base_url, "/app/lnb-settings")
		expect(page.locator(".page-title:visible .title-text").first).to_contain_text("LNB Settings")
		visit.step("settings")

	with journey(chromium, "coordinator-then-caseworker") as visit:
		page = visit.page
		visit.sign_in(base_url, CASEWORKER)
		visit.goto(base_url, f"/app/case/{name}")
		expect(indicator(page)).to_have_text("Allocated")
		sidebar = page.locator(".form-sidebar")
		expect(sidebar.locator(".form-attachments")).to_be_visible()
		expect(sidebar.locator(".add-assignment-btn:visible")).to_have_count(0)
		expect(sidebar.locator(".share-doc-btn:visible")).to_have_count(0)
		for locked in ("priority", "organisation", "triage_notes", "outcome", "what_happened"):
			control = page.locator(f'.frappe-control[data-fieldname="{locked}"]')
			expect(control.locator("input:visible, select:visible, textarea:visible")).to_have_count(0)
		expect(
			page.locator('.frappe-control[data-fieldname="casework_notes"] textarea:visible')
		).to_be_visible()
		visit.step("allocated-case")


def fill_link(page: Page, field, value: str) -> None:
	"""Types into a Link field and picks the value from its suggestions, as a user does."""
	field.fill(value)
	page.locator(".awesomplete [role=option]:visible", has_text=value).first.click()
	page.wait_for_load_state("networkidle")
