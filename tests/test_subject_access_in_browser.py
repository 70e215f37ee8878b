"""Subject access from the desk, in real headless Chromium (docs/subject-access.md): a coordinator opens a
case, asks for a subject access export from its button, sees the dialog prefilled with the doctor's email and
GMC number, makes the request and sees it being gathered; once the job has made the archive the form links
to it by itself. A caseworker's case form offers no such button. Fails on any script or console error,
refused request or error dialog.

Screenshots: test-artifacts/subject-access-<nn>-<step>.png.
"""

import re
from collections.abc import Iterator

import frappe
import pytest
from intake_payloads import remove_intake_case
from journey import journey, make_person
from playwright.sync_api import expect

from lnb_casework.data_protection.subject_access import build_subject_access_archive
from lnb_casework.lnb_casework.doctype.case.test_case import submit_through_form

COORDINATOR = "sar-browser-coordinator@lnb.test"
CASEWORKER = "sar-browser-caseworker@lnb.test"
REQUEST = "Subject Access Request"


@pytest.fixture(scope="module")
def case() -> Iterator[dict]:
	make_person(COORDINATOR, "LNB Coordinator", full_name="Sara Coordinator")
	make_person(CASEWORKER, "LNB Caseworker", full_name="Cas Worker")
	email = f"sar-browser-{frappe.generate_hash(length=8)}@example.com"
	doc = submit_through_form(email=email, gmc_number="7654321")
	frappe.db.set_value("Case", doc.name, "caseworker", CASEWORKER)
	frappe.db.commit()
	yield {"name": doc.name, "email": email, "gmc_number": "7654321"}
	frappe.db.rollback()
	for request in frappe.get_all(REQUEST, filters={"email": email}, pluck="name"):
		for file in frappe.get_all(
			"File", filters={"attached_to_doctype": REQUEST, "attached_to_name": request}, pluck="name"
		):
			frappe.delete_doc("File", file, ignore_permissions=True, force=True)
		frappe.delete_doc(REQUEST, request, ignore_permissions=True, force=True)
	remove_intake_case(doc.name)
	frappe.db.commit()


def run_the_job(request: str) -> None:
	"""The queued job, run here as the coordinator (as a worker runs it): the bench's workers are shared."""
	frappe.db.rollback()
	frappe.set_user(COORDINATOR)
	try:
		build_subject_access_archive(request)
	finally:
		frappe.set_user("Administrator")


def test_a_coordinator_asks_from_the_case_and_gets_the_archive_link(chromium, base_url, case):
	with journey(chromium, "subject-access") as visit:
		page = visit.page
		visit.sign_in(base_url, COORDINATOR)
		visit.goto(base_url, f"/app/case/{case['name']}")
		expect(page.locator(".page-title:visible .title-text").first).to_contain_text(case["name"])
		page.get_by_role("button", name="Subject access export").click()
		dialog = page.locator(".modal.show")
		expect(dialog.locator('[data-fieldname="email"] input')).to_have_value(case["email"])
		expect(dialog.locator('[data-fieldname="gmc_number"] input')).to_have_value(case["gmc_number"])
		visit.step("dialog")

		dialog.locator(".modal-footer .btn-primary").click()
		expect(page).to_have_url(re.compile(r"/app/subject-access-request/SAR-"))
		progress = page.locator(".form-dashboard .progress-area:visible")
		expect(progress).to_contain_text("Gathering everything held about the doctor")
		expect(progress.locator(".progress-bar")).to_have_attribute(
			"title", re.compile("Subject access archive")
		)
		expect(page.locator(".indicator-pill:visible").first).to_have_text("Queued")
		visit.step("being-gathered")

		run_the_job(page.url.rstrip("/").rpartition("/")[2])
		link = page.locator("a.subject-access-archive")
		expect(link).to_be_visible(timeout=60_000)
		href = link.get_attribute("href")
		assert href.startswith("/private/files/") and href.endswith(".zip")
		download = page.request.get(f"{base_url}{href}")
		assert download.status == 200 and download.body().startswith(b"PK")
		visit.step("archive-ready")


def test_a_caseworker_is_not_offered_the_export(chromium, base_url, case):
	with journey(chromium, "subject-access-caseworker") as visit:
		page = visit.page
		visit.sign_in(base_url, CASEWORKER)
		visit.goto(base_url, f"/app/case/{case['name']}")
		expect(page.locator(".page-title:visible .title-text").first).to_contain_text(case["name"])
		visit.step("case")
		expect(page.get_by_role("button", name="Subject access export")).to_have_count(0)
