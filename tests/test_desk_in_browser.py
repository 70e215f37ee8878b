"""The desk still works through the request layer: each casework role signs in in real headless Chromium and
opens the lists, report views, forms, reports and the workspace they use, and not one request the desk
makes on their behalf is refused, and no page raises a script error.

The request layer (lnb_casework/request_guard.py) refuses query arguments that are not plain fields the user
may read, and references to cases the user may not read; this proves it refuses nothing the desk itself
sends. Screenshots of the last page of each role go to LNB_ARTIFACTS as desk-<role>.png.
"""

import contextlib
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from browser import artifact
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from sign_in import sign_in_in_browser

PASSWORD = "Desk-browser-9q!Lm4"
PEOPLE = {
	"caseworker": ("desk-browser-caseworker@lnb.test", "LNB Caseworker"),
	"coordinator": ("desk-browser-coordinator@lnb.test", "LNB Coordinator"),
	"policy-lead": ("desk-browser-policy-lead@lnb.test", "LNB Policy Lead"),
}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "en-GB"}
WAIT_MS = 30_000
LISTS = ("case", "review", "systemic-issue", "advocacy-action", "healthcare-organisation")
PAGES = {
	"caseworker": [
		"/app/learn-not-blame",
		*(f"/app/{doctype}" for doctype in LISTS),
		"/app/case/view/report",
		"/app/review/view/report",
		"/app/query-report/Caseload",
		"/app/query-report/Case Ageing",
		"/app/query-report/Deadlines Due",
		"/app/query-report/Advocacy Pipeline",
		"CASE",
	],
	"coordinator": [
		"/app/learn-not-blame",
		*(f"/app/{doctype}" for doctype in LISTS),
		"/app/case/view/report",
		"/app/query-report/Caseload",
		"/app/query-report/Systemic Issues by Organisation and SEIPS",
		"CASE",
	],
	"policy-lead": [
		"/app/systemic-issue",
		"/app/systemic-issue/view/report",
		"/app/advocacy-action",
		"/app/healthcare-organisation",
		"/app/query-report/Advocacy Pipeline",
		"/app/query-report/Systemic Issues by Organisation and SEIPS",
	],
}


@pytest.fixture(scope="module")
def allocated_case() -> Iterator[str]:
	"""The three people, who sign in with a password, and a case allocated to the caseworker."""
	import frappe
	from frappe.utils.password import update_password

	from lnb_casework.lnb_casework.doctype.case.test_case import make_user, submit_through_form

	frappe.db.rollback()
	for email, role in PEOPLE.values():
		make_user(email, role)
		update_password(email, PASSWORD)
	case = submit_through_form(email=f"{frappe.generate_hash(length=10)}@example.com", gmc_number="").name
	frappe.db.set_value(
		"Case", case, {"workflow_state": "Under Review", "caseworker": PEOPLE["caseworker"][0]}
	)
	frappe.db.commit()
	yield case
	frappe.db.rollback()
	frappe.db.delete("Email Queue", {"reference_doctype": "Case", "reference_name": case})
	frappe.delete_doc("Case", case, ignore_permissions=True, force=True)
	frappe.db.commit()


@pytest.fixture()
def page(chromium: Browser) -> Iterator[Page]:
	expect.set_options(timeout=WAIT_MS)
	context = chromium.new_context(**DESKTOP)
	context.set_default_timeout(WAIT_MS)
	page = context.new_page()
	page.problems = []
	page.methods = []
	page.on(
		"request", lambda request: page.methods.append(request.url.split("/api/method/")[-1].split("?")[0])
	)
	page.on(
		"pageerror", lambda error: page.problems.append(f"{page.url}: script error {error.message[:300]}")
	)
	page.on("response", lambda response: page.problems.extend(refused(response)))
	yield page
	with contextlib.suppress(PlaywrightError):
		context.close()


def refused(response) -> list[str]:
	if "/api/" not in response.url or response.status < 400:
		return []
	with contextlib.suppress(PlaywrightError):
		body = response.text()[:300]
		return [f"{response.request.method} {response.url[:300]} answered {response.status}: {body}"]
	return [f"{response.url[:300]} answered {response.status}"]


def open_sidebar_counts(page: Page) -> None:
	"""A list's sidebar counts by "Assigned To" and "Created By" (get_group_by_count)."""
	for dropdown in page.locator(".list-group-by-fields .group-by-field .list-sidebar-button:visible").all():
		with contextlib.suppress(PlaywrightError):
			dropdown.click(timeout=3000)
			page.wait_for_load_state("networkidle")
			page.keyboard.press("Escape")


@pytest.mark.parametrize("role", list(PEOPLE))
def test_each_role_uses_the_desk_without_a_refused_request(page, base_url, allocated_case, role):
	email, _role = PEOPLE[role]
	sign_in_in_browser(page, base_url, email, PASSWORD)
	for path in PAGES[role]:
		path = f"/app/case/{allocated_case}" if path == "CASE" else path
		page.goto(f"{base_url}{quote(path)}")
		page.wait_for_load_state("networkidle")
		expect(page.locator(".page-container:visible").first).to_be_visible()
		if path.startswith("/app/") and path.count("/") == 2 and "query-report" not in path:
			open_sidebar_counts(page)
		if path == f"/app/case/{allocated_case}":
			expect(page.locator(".page-title .title-text").first).to_contain_text(allocated_case)
	page.screenshot(path=str(artifact(f"desk-{role}.png")))
	assert not page.problems, "\n".join(page.problems)
	assert "frappe.desk.reportview.get" in page.methods, "the lists were not loaded"
	if role != "policy-lead":
		assert "frappe.desk.listview.get_group_by_count" in page.methods, "the sidebar counts were not opened"
