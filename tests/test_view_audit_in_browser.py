"""A coordinator opens a case in the desk, then finds that view in the Case View Audit report (docs/view-audit.md),
in real headless Chromium, with no script error on the way."""

import contextlib
import re
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from browser import save_evidence
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from sign_in import sign_in_in_browser

COORDINATOR = "audit-browser-coordinator@lnb.test"
PASSWORD = "Audit-browser-4rT9!x"
REPORT = "Case View Audit"
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def case() -> Iterator[str]:
	import frappe
	from frappe.utils.password import update_password

	from lnb_casework.lnb_casework.doctype.case.test_case import make_user, submit_through_form

	frappe.db.rollback()
	make_user(COORDINATOR, "LNB Coordinator")
	update_password(COORDINATOR, PASSWORD)
	name = submit_through_form(email=f"{frappe.generate_hash(length=10)}@example.com", gmc_number="").name
	frappe.db.commit()
	yield name
	frappe.db.rollback()
	frappe.db.delete("View Log", {"reference_name": name})
	frappe.db.delete("Email Queue", {"reference_doctype": "Case", "reference_name": name})
	frappe.db.delete("Case State Change", {"case": name})
	frappe.delete_doc("Case", name, ignore_permissions=True, force=True)
	frappe.db.commit()


def views_of(case: str) -> list[tuple[str, str]]:
	import frappe

	frappe.db.commit()  # a fresh read of what the served site wrote
	return [
		(log.viewed_by, log.lnb_viewed_through)
		for log in frappe.get_all(
			"View Log", filters={"reference_name": case}, fields=["viewed_by", "lnb_viewed_through"]
		)
	]


@pytest.fixture()
def page(chromium: Browser) -> Iterator[Page]:
	expect.set_options(timeout=WAIT_MS)
	context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
	context.set_default_timeout(WAIT_MS)
	context.tracing.start(screenshots=True, snapshots=True)
	page = context.new_page()
	page.errors = []
	page.on("pageerror", lambda error: page.errors.append(f"{page.url}: {error.message[:300]}"))
	yield page
	with contextlib.suppress(PlaywrightError):
		context.tracing.stop()
	context.close()


def test_a_coordinator_finds_their_view_of_a_case_in_the_report(page, base_url, case):
	try:
		sign_in_in_browser(page, base_url, COORDINATOR, PASSWORD)
		page.goto(f"{base_url}/app/learn-not-blame")
		expect(page.locator(".links-widget-box .link-item", has_text=REPORT)).to_be_visible()

		page.goto(f"{base_url}/app/case/{case}")
		expect(page.locator(".page-title .title-text")).to_be_visible()
		page.wait_for_load_state("networkidle")

		assert views_of(case) == [(COORDINATOR, "Desk")], "opening the form is one view, from the desk"

		page.goto(f"{base_url}/app/query-report/{quote(REPORT)}?{urlencode({'case': case})}")
		row = page.locator(".dt-scrollable .dt-row", has_text=COORDINATOR).first
		expect(row).to_be_visible()
		expect(row).to_contain_text("Desk")
		expect(row).to_contain_text(case)
		how = page.locator('.page-form .frappe-control[data-fieldname="how"] select')
		expect(how.locator("option", has_text=re.compile(r"^Subject access$"))).to_have_count(1)
		page.wait_for_load_state("networkidle")
		assert not page.errors, f"the pages raised script errors: {page.errors}"
	except Exception:
		save_evidence(page, "view-audit-failure.png", "view-audit-failure-trace.zip", full_page=True)
		raise
