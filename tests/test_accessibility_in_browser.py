"""The public pages meet WCAG 2.2 AA (docs/accessibility.md), in real headless Chromium.

- axe-core, pinned (tests/accessibility.py), finds no violation of the WCAG 2.0, 2.1 and 2.2 A and AA rules on
  any public page in any of its states (the intake empty, answered, with problems found before sending, with
  problems the server found, not sent for a failed connection, sent, and sent as urgent; the accessibility statement; the sign-in page empty,
  asking for a password reset and refusing a password), at phone (375 px) and desktop (1280 px) width. Each
  page and state's count is printed and written to test-artifacts/a11y-axe-figures.txt; each state is
  screenshotted as test-artifacts/a11y-<width>-<page>-<state>.png.
- Each answer is named by its visible question; problems are listed at the top, each a link that takes the
  focus to its answer, and described on the answer itself; the focus moves to the summary or to the news
  that the case was sent.
- A doctor fills in and sends the form with Tab, Space, Enter and the arrow keys alone, in the form's order.
- No page scrolls sideways or cuts off its words at 320 px (400 % zoom) or at 200 % zoom.
"""

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import frappe
import pytest
from accessibility import axe_version, axe_violations, count_of, describe
from browser import artifact, control, field_problem
from journey import PASSWORD, Journey, journey
from playwright.sync_api import Browser, Page, expect
from sign_in import enrol_authenticator
from test_intake_in_browser import is_the_intake_submission

PHONE = {
	"viewport": {"width": 375, "height": 812},
	"device_scale_factor": 2,
	"is_mobile": True,
	"has_touch": True,
	"locale": "en-GB",
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "en-GB"}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
SERVER_WAIT_MS = 60_000
FIGURES = "a11y-axe-figures.txt"

SAFE = "I am safe and do not need urgent support"
URGENT = "I need urgent support"
PROCESS = "MHPS investigation"
BAD_EMAIL = "dr.shah@"
# the web form's answers that a doctor types or chooses, with the question each is asked by
ANSWERS = ("Data", "Select", "Text", "Check")
REQUIRED = ("doctor_name", "email", "what_happened", "wellbeing", "consent_given")


@dataclass
class Figures:
	"""axe-core's count for each page, state and width, with what it found."""

	rows: list[tuple[str, str, str, int]] = field(default_factory=list)
	found: list[str] = field(default_factory=list)
	version: str = ""

	def report(self) -> str:
		lines = [f"axe-core {self.version}: WCAG 2.0/2.1/2.2 A and AA violations per page and state"]
		lines += [f"{width:8} {page:16} {state:28} {count}" for width, page, state, count in self.rows]
		return "\n".join(lines)


@pytest.fixture(scope="module")
def figures() -> Iterator[Figures]:
	found = Figures()
	yield found
	if found.rows:
		artifact(FIGURES).write_text(found.report() + "\n")
		print("\n" + found.report())


def visit_at(browser: Browser, width: str) -> contextlib.AbstractContextManager[Journey]:
	"""A new visitor at phone or desktop width, whose page fails the test on any script or server error."""
	return journey(browser, f"a11y-{width}", size=SIZES[width])


def check_state(visit: Journey, figures: Figures, width: str, page_name: str, state: str) -> None:
	"""Screenshots the page as it is, runs axe-core on it and records the count; fails at once on a script
	or server error."""
	page = visit.page
	page.wait_for_load_state("networkidle")
	visit.check(f"{page_name} {state}")
	page.screenshot(path=str(artifact(f"a11y-{width}-{page_name}-{state}.png")), full_page=True)
	violations = axe_violations(page)
	figures.version = figures.version or axe_version(page)
	figures.rows.append((width, page_name, state, count_of(violations)))
	if violations:
		figures.found.append(f"{page_name}, {state}, at {width} width:\n{describe(violations)}")


def open_the_form(visit: Journey, base_url: str, path: str = "/submit-a-case/new") -> Page:
	visit.goto(base_url, path)
	page = visit.page
	page.wait_for_function("() => Boolean(window.frappe?.web_form?.fields_dict?.email)")
	expect(page.locator("#lnb-files")).to_be_attached()
	return page


def focused(page: Page) -> str:
	"""What has the keyboard focus: its id, or its tag and classes."""
	return page.evaluate(
		"() => { const e = document.activeElement; return e.id || `${e.tagName} ${e.className}`; }"
	)


def send(page: Page) -> None:
	button = page.locator(".web-form-footer .submit-btn")
	button.scroll_into_view_if_needed()
	button.click()


def fill_required_answers(page: Page, email: str, wellbeing: str) -> None:
	control(page, "input", "doctor_name").fill("Dr Priya Shah")
	control(page, "input", "email").fill(email)
	control(page, "textarea", "what_happened").fill(
		"I was referred to the GMC a week after I raised concerns about staffing on the labour ward."
	)
	control(page, "select", "wellbeing").select_option(label=wellbeing)
	control(page, "input", "consent_given").check()


def expect_the_summary_to_have_the_focus(page: Page, fieldnames: tuple[str, ...]) -> None:
	summary = page.locator(".lnb-error-summary")
	expect(summary).to_be_visible()
	expect(summary, "the problems are listed at the top, where the focus goes").to_be_focused()
	expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
	links = summary.locator("a")
	expect(links).to_have_count(len(fieldnames))
	expect(page.locator(".modal.show"), "no dialog covers the form").to_have_count(0)
	assert page.title().startswith("Error: "), f"the page's title {page.title()!r} does not say Error"
	for fieldname in fieldnames:
		problem = field_problem(page, fieldname)
		expect(problem).to_be_visible()
		expect(problem, "a problem says Error to a screen reader, not only in red").to_contain_text("Error:")


def expect_each_answer_named_by_its_question(page: Page) -> None:
	"""Every answer of the web form is found by its visible question, as a screen reader names it."""
	frappe.db.rollback()
	web_form = frappe.get_doc("Web Form", "submit-a-case")
	for row in web_form.web_form_fields:
		if row.fieldtype not in ANSWERS:
			continue
		answer = page.get_by_label(row.label, exact=True)
		expect(answer, f"the answer to {row.label!r} is named by it").to_have_attribute(
			"data-fieldname", row.fieldname
		)
		if row.reqd:
			expect(answer).to_have_attribute("aria-required", "true")
		if row.description:
			hint = page.locator(f"#{answer.get_attribute('aria-describedby').split()[0]}")
			expect(hint, f"the hint of {row.label!r} describes its answer").to_have_text(row.description)
	for question in ("Attach documents (optional)",):
		expect(page.get_by_label(question, exact=True)).to_have_attribute("type", "file")
	group = page.get_by_role("group", name="Which processes are you facing?")
	expect(group).to_have_attribute("aria-describedby", "lnb-processes-hint")


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_no_public_page_breaks_a_wcag_rule(
	chromium: Browser, base_url, width, figures, intake_open, doctor_email, newcomer
):
	for earlier in artifact(FIGURES).parent.glob(f"a11y-{width}-*.png"):
		earlier.unlink()
	with visit_at(chromium, width) as visit:
		page = open_the_form(visit, base_url, "/submit-a-case")
		expect(page.locator('footer a[href="/accessibility"]')).to_have_text("Accessibility statement")
		expect_each_answer_named_by_its_question(page)
		check_state(visit, figures, width, "intake", "empty")

		# sent with nothing answered: each required answer is listed at the top and marked beside itself
		send(page)
		expect_the_summary_to_have_the_focus(page, REQUIRED)
		check_state(visit, figures, width, "intake", "problems-before-sending")
		page.locator(".lnb-error-summary a").first.click()
		expect(
			control(page, "input", "doctor_name"), "a link in the summary leads to its answer"
		).to_be_focused()
		described_by = control(page, "input", "doctor_name").get_attribute("aria-describedby") or ""
		assert "lnb-problem-doctor_name" in described_by.split(), described_by

		# the server refuses a wrong email address and an empty process; no dialog, the summary again
		fill_required_answers(page, BAD_EMAIL, SAFE)
		page.locator('.lnb-rows[data-table="processes"] .lnb-add-row').click()
		with page.expect_response(lambda response: is_the_intake_submission(response.request)):
			send(page)
		expect_the_summary_to_have_the_focus(page, ("email", "processes"))
		expect(page.locator(".lnb-error-summary a").last).to_have_attribute(
			"href", re.compile(r"^#lnb-processes-1-")
		)
		check_state(visit, figures, width, "intake", "problems-from-server")

		# answered in full, rows and all
		control(page, "input", "email").fill(doctor_email)
		page.locator('.lnb-rows[data-table="processes"] select').first.select_option(label=PROCESS)
		control(page, "select", "discrimination").select_option(label="Not sure")
		page.locator('.lnb-rows[data-table="discrimination_kinds"] .lnb-add-row').click()
		page.locator('.lnb-rows[data-table="discrimination_kinds"] select').first.select_option(label="Race")
		page.locator('.lnb-rows[data-table="key_dates"] .lnb-add-row').click()
		page.locator('.lnb-rows[data-table="key_dates"] input[type="date"]').fill("2027-03-01")
		page.locator('.lnb-rows[data-table="key_dates"] input[type="text"]').fill("Hearing")
		expect(page.locator(".lnb-error-summary")).to_be_hidden()
		check_state(visit, figures, width, "intake", "answered")

		# the connection fails as the form is sent: the summary says so, with no dialog
		page.route(
			"**/*",
			lambda route: route.abort() if is_the_intake_submission(route.request) else route.continue_(),
		)
		send(page)
		summary = page.locator(".lnb-error-summary")
		expect(summary).to_be_focused()
		expect(summary).to_contain_text("could not be sent")
		expect(page.locator(".modal.show")).to_have_count(0)
		check_state(visit, figures, width, "intake", "not-sent")
		page.unroute("**/*")

		send(page)
		expect(page.locator(".lnb-reference")).to_be_visible(timeout=SERVER_WAIT_MS)
		expect(page.locator(".success-title"), "the focus moves to the news").to_be_focused()
		check_state(visit, figures, width, "intake", "sent")

		page = open_the_form(visit, base_url)
		fill_required_answers(page, doctor_email, URGENT)
		send(page)
		expect(page.locator(".lnb-signposting")).to_be_visible(timeout=SERVER_WAIT_MS)
		expect(page.locator(".success-title")).to_be_focused()
		check_state(visit, figures, width, "intake", "sent-urgent")

		visit.goto(base_url, "/accessibility")
		expect(page.locator("h1")).to_have_text("Accessibility statement for Learn Not Blame's public pages")
		for heading in ("Compliance status", "Enforcement procedure", "Reporting accessibility problems"):
			expect(page.get_by_role("heading", name=re.compile(heading))).to_be_visible()
		contact = frappe.db.get_single_value("LNB Settings", "contact_email")
		expect(
			page.locator(f'main a[href="mailto:{contact}"]'), "a problem is reported by email"
		).to_have_count(2)
		check_state(visit, figures, width, "statement", "read")

		visit.goto(base_url, "/login")
		expect(page.get_by_label("Email", exact=True)).to_be_visible()
		expect(page.get_by_label("Password", exact=True)).to_be_visible()
		check_state(visit, figures, width, "sign-in", "empty")
		page.get_by_label("Email", exact=True).fill("nobody-a11y@example.com")
		page.get_by_label("Password", exact=True).fill("not the password")
		page.locator(".for-login .btn-login.btn-primary").click()
		expect(page.locator(".for-login .lnb-sign-in-status")).to_contain_text("Invalid")
		check_state(visit, figures, width, "sign-in", "refused")
		page.locator('a[href="#forgot"]').click()
		expect(page.locator("#forgot_email")).to_be_visible()
		check_state(visit, figures, width, "sign-in", "forgot-password")

		# a caseworker's password is right: the page asks for the code from their authenticator app
		enrol_authenticator(newcomer)
		visit.goto(base_url, "/login")
		page.get_by_label("Email", exact=True).fill(newcomer)
		page.get_by_label("Password", exact=True).fill(PASSWORD)
		page.locator(".for-login .btn-login.btn-primary").click()
		expect(page.locator("#login_token")).to_be_visible()
		check_state(visit, figures, width, "sign-in", "asked-for-code")
		page.locator("#login_token").fill("000000")
		with page.expect_response(lambda response: response.request.method == "POST") as refused:
			page.locator("#verify_token").click()
		assert refused.value.status == 401
		check_state(visit, figures, width, "sign-in", "code-refused")

	mine = [row for row in figures.rows if row[0] == width]
	assert len(mine) == 13, mine
	assert not [row for row in mine if row[3]], "axe-core found violations:\n" + "\n".join(
		found for found in figures.found if f"at {width} width" in found
	)


def press_tab_until(page: Page, selector: str, most: int = 25) -> int:
	"""Presses Tab until the focus is on what `selector` matches; returns how many presses it took. Fails when
	it takes more than `most`: the answer is not next in the order a doctor reads the form."""
	for presses in range(1, most + 1):
		page.keyboard.press("Tab")
		if page.evaluate("selector => document.activeElement.matches(selector)", selector):
			return presses
	raise AssertionError(f"{most} presses of Tab did not reach {selector}; the focus is on {focused(page)}")


def choose_with_arrows(page: Page, fieldname_selector: str, answer: str) -> None:
	"""Presses the down arrow on the focused list until it shows `answer`."""
	for _ in range(12):
		if page.evaluate("() => document.activeElement.selectedOptions[0]?.text") == answer:
			return
		page.keyboard.press("ArrowDown")
	raise AssertionError(f"the arrow keys did not reach {answer!r} in {fieldname_selector}")


def test_a_doctor_sends_the_form_with_the_keyboard_alone(
	chromium: Browser, base_url, intake_open, doctor_email
):
	with visit_at(chromium, "desktop") as visit:
		page = open_the_form(visit, base_url)
		page.evaluate("() => document.activeElement.blur()")

		# Send at once: the summary takes the focus, its first link leads to the first answer
		press_tab_until(page, ".web-form-footer .submit-btn", most=80)
		page.keyboard.press("Enter")
		expect(page.locator(".lnb-error-summary")).to_be_focused()
		press_tab_until(page, ".lnb-error-summary a", most=1)
		page.keyboard.press("Enter")
		expect(control(page, "input", "doctor_name")).to_be_focused()
		visit.step("keyboard-summary-link-followed")

		page.keyboard.type("Dr Sam Lee")
		press_tab_until(page, "#lnb-answer-email", most=1)
		page.keyboard.type(doctor_email)
		press_tab_until(page, "#lnb-answer-phone", most=1)
		press_tab_until(page, "#lnb-answer-contact_preference", most=1)
		choose_with_arrows(page, "contact_preference", "Email")
		press_tab_until(page, "#lnb-answer-what_happened", most=6)
		page.keyboard.type("My rota was changed without notice after I reported a near miss.")

		press_tab_until(page, "#lnb-processes-add", most=1)
		page.keyboard.press("Enter")
		expect(page.locator("#lnb-processes-1-process_type"), "the new row takes the focus").to_be_focused()
		choose_with_arrows(page, "process_type", PROCESS)
		press_tab_until(page, "#lnb-processes-1-details", most=1)
		page.keyboard.type("Since January")

		press_tab_until(page, "#lnb-answer-discrimination", most=6)
		choose_with_arrows(page, "discrimination", "Yes")
		press_tab_until(page, "#lnb-discrimination_kinds-add", most=1)
		page.keyboard.press("Space")
		expect(page.locator("#lnb-discrimination_kinds-1-kind")).to_be_focused()
		choose_with_arrows(page, "kind", "Sex")

		press_tab_until(page, "#lnb-answer-wellbeing", most=3)
		choose_with_arrows(page, "wellbeing", SAFE)
		press_tab_until(page, "#lnb-files", most=1)
		press_tab_until(page, "#lnb-answer-equality_ethnic_group", most=1)
		press_tab_until(page, "#lnb-answer-consent_given", most=12)
		page.keyboard.press("Space")
		expect(control(page, "input", "consent_given")).to_be_checked()
		expect(page.locator(".lnb-field-problem"), "each problem clears as it is answered").to_have_count(0)
		expect(page.locator(".lnb-error-summary"), "and the summary with them").to_be_hidden()
		visit.step("keyboard-answered")

		press_tab_until(page, ".web-form-footer .submit-btn", most=3)
		page.keyboard.press("Enter")
		expect(page.locator(".lnb-reference")).to_be_visible(timeout=SERVER_WAIT_MS)
		expect(page.locator(".success-title")).to_be_focused()
		visit.step("keyboard-sent", full_page=True)

	frappe.db.rollback()
	case = frappe.get_doc("Case", {"email": doctor_email})
	assert (case.doctor_name, case.contact_preference, case.wellbeing) == ("Dr Sam Lee", "Email", SAFE)
	assert [row.process_type for row in case.processes] == [PROCESS]
	assert [row.kind for row in case.discrimination_kinds] == ["Sex"]


# What is wider than the screen, and what hides words it cannot fit (overflow hidden, text cut off).
LAYOUT_PROBLEMS = """() => {
	const width = document.documentElement.clientWidth;
	const problems = [];
	if (document.documentElement.scrollWidth > width + 1) {
		problems.push(`the page is ${document.documentElement.scrollWidth}px wide on a ${width}px screen`);
	}
	for (const element of document.querySelectorAll("body *")) {
		const style = getComputedStyle(element);
		if (style.display === "none" || style.visibility === "hidden" || element.closest(".sr-only")) continue;
		const has_words = [...element.childNodes].some((node) => node.nodeType === 3 && node.textContent.trim());
		if (has_words && ["hidden", "clip"].includes(style.overflowX) && element.scrollWidth > element.clientWidth + 1) {
			problems.push(`${element.tagName}.${element.className} cuts off "${element.textContent.trim().slice(0, 60)}"`);
		}
	}
	return problems;
}"""


@pytest.mark.parametrize(
	"viewport",
	[{"width": 320, "height": 640}, {"width": 640, "height": 400}],
	ids=["400-percent", "200-percent"],
)
def test_no_public_page_scrolls_sideways_or_cuts_off_words_when_zoomed(
	chromium: Browser, base_url, viewport, intake_open
):
	"""320 px is a 1280 px screen at 400 % zoom, and 640 px at 200 % (docs/accessibility.md)."""
	context = chromium.new_context(viewport=viewport, device_scale_factor=2, locale="en-GB")
	page = context.new_page()
	visit = Journey(page=page, name=f"a11y-zoom-{viewport['width']}")
	page.on("pageerror", lambda error: visit.problems.append(f"script error {error.message[:300]}"))
	found = {}
	try:
		open_the_form(visit, base_url)
		found["the empty form"] = page.evaluate(LAYOUT_PROBLEMS)
		send(page)
		expect(page.locator(".lnb-error-summary")).to_be_visible()
		found["the form with problems"] = page.evaluate(LAYOUT_PROBLEMS)
		page.screenshot(path=str(artifact(f"a11y-zoom-{viewport['width']}-intake-problems.png")))
		for path in ("/accessibility", "/login"):
			visit.goto(base_url, path)
			found[path] = page.evaluate(LAYOUT_PROBLEMS)
		visit.check("zoomed")
	finally:
		context.close()
	problems = {where: what for where, what in found.items() if what}
	assert not problems, f"At {viewport['width']} px: {problems}"
