"""A doctor on a phone fills in and sends the intake form /submit-a-case in real headless Chromium.

The browser is the system's (LNB_CHROMIUM, default /usr/bin/chromium), driven by Playwright; Playwright's
own browser downloads are never used. Screenshots of the form, the problem shown beside the email address
and the confirmation go to LNB_ARTIFACTS, so every run leaves evidence of what a doctor saw; when the test
fails, intake-failure.png and intake-failure-trace.zip there show the page as it was and how it got there.
"""

import contextlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser import artifact, control, field_problem, save_evidence
from playwright.sync_api import (
	Browser,
	ConsoleMessage,
	Locator,
	Page,
	Request,
	Response,
	expect,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

PHONE_WIDTH = 390
PHONE = {
	"viewport": {"width": PHONE_WIDTH, "height": 844},
	"device_scale_factor": 2,
	"is_mobile": True,
	"has_touch": True,
	"locale": "en-GB",
}
WAIT_MS = 20_000
# a web server just started may take a while over its first submission
SERVER_WAIT_MS = 60_000

BAD_EMAIL = "dr.jones@"
GRADE = "Core or specialty trainee"
PROCESS = "MHPS investigation"
SAFE = "I am safe and do not need urgent support"
FILE_NAME = "letter-from-medical-director.pdf"
REFERENCE = re.compile(r"^LNB-\d{4}-\d{5}$")
FORM_SCREENSHOT = "intake-form.png"
FIELD_ERROR_SCREENSHOT = "intake-field-error.png"
CONFIRMATION_SCREENSHOT = "intake-confirmation.png"
FAILURE_SCREENSHOT = "intake-failure.png"
FAILURE_TRACE = "intake-failure-trace.zip"


@dataclass
class Phone:
	"""A phone-sized page, and what went wrong in it (console errors, failed requests) for failure messages."""

	page: Page
	log: list[str] = field(default_factory=list)

	def what_happened(self) -> str:
		return "\n".join(self.log[-20:]) or "(the page logged no errors)"


@pytest.fixture()
def phone(chromium: Browser) -> Iterator[Phone]:
	expect.set_options(timeout=WAIT_MS // 2)
	context = chromium.new_context(**PHONE)
	context.set_default_timeout(WAIT_MS)
	phone = Phone(context.new_page())

	def on_response(response: Response) -> None:
		if response.status >= 400:
			phone.log.append(f"HTTP {response.status} {response.request.method} {response.url}")

	def on_console(message: ConsoleMessage) -> None:
		# Frappe logs a server traceback as one message; its last line says what went wrong.
		lines = message.text.strip().splitlines()
		if message.type == "error" and lines:
			phone.log.append(f"console error: {lines[-1][:300]}")

	phone.page.on("console", on_console)
	phone.page.on("pageerror", lambda error: phone.log.append(f"script error: {error.message[:300]}"))
	phone.page.on("response", on_response)
	context.tracing.start(screenshots=True, snapshots=True)
	yield phone
	with contextlib.suppress(PlaywrightError):
		context.tracing.stop()  # kept only when the test fails; see save_evidence
	context.close()


def type_into(page: Page, tag: str, fieldname: str, value: str) -> None:
	box = control(page, tag, fieldname)
	box.scroll_into_view_if_needed()
	box.fill(value)
	# Frappe's controls act on "change", which fires when a person leaves the field.
	box.dispatch_event("change")
	expect(box, f"the {fieldname} field keeps what was typed").to_have_value(value)


def choose(page: Page, fieldname: str, answer: str) -> None:
	select = control(page, "select", fieldname)
	select.scroll_into_view_if_needed()
	select.select_option(label=answer)
	expect(select, f"{fieldname} shows the chosen answer").to_have_value(answer)


def add_process(page: Page, process: str, details: str) -> None:
	"""Adds a process with the block's own button, and fills it in: one plain box per process."""
	block = page.locator('.lnb-rows[data-table="processes"]')
	add = block.locator(".lnb-add-row")
	add.scroll_into_view_if_needed()
	add.click()
	row = block.locator(".lnb-row").last
	expect(row, '"Add a process" adds a box for the process').to_be_visible()
	row.locator('select[data-column="process_type"]').select_option(label=process)
	row.locator('input[data-column="details"]').fill(details)
	expect(row.locator('input[data-column="details"]')).to_have_value(details)


def tick(page: Page, fieldname: str) -> None:
	box = control(page, "input", fieldname)
	box.scroll_into_view_if_needed()
	box.check()
	expect(box, f"{fieldname} is ticked").to_be_checked()


INTAKE_METHOD = "lnb_casework.api.intake.submit"
FRAPPE_ACCEPT = "frappe.website.doctype.web_form.web_form.accept"


def calls(request: Request, method: str) -> bool:
	"""Whether a request posts to a whitelisted method: the website's frappe.call posts to "/" and names the
	method in a header and in the form data."""
	if request.method != "POST":
		return False
	names = (request.url, request.headers.get("x-frappe-cmd") or "", request.post_data or "")
	return any(method in name for name in names)


def is_the_intake_submission(request: Request) -> bool:
	return calls(request, INTAKE_METHOD)


def send(phone: Phone) -> Response:
	"""Taps "Send my case" at the end of the form, and returns the server's answer to the submission."""
	page = phone.page
	button = page.locator(".web-form-footer .submit-btn")
	expect(button, 'the form ends with a "Send my case" button').to_have_text(re.compile("Send my case"))
	button.scroll_into_view_if_needed()
	try:
		with page.expect_response(
			lambda response: is_the_intake_submission(response.request), timeout=SERVER_WAIT_MS
		) as answer:
			try:
				with page.expect_request(is_the_intake_submission):
					button.click()
			except PlaywrightTimeoutError as silence:
				said = page.locator(".modal.show, .lnb-field-problem").all_inner_texts()
				raise AssertionError(
					f'Tapping "Send my case" sent nothing to the server within {WAIT_MS // 1000} s. '
					f"The page says: {said or '(nothing)'}\n{phone.what_happened()}"
				) from silence
	except PlaywrightTimeoutError as silence:
		raise AssertionError(
			f"The server did not answer the submission within {SERVER_WAIT_MS // 1000} s.\n"
			f"{phone.what_happened()}"
		) from silence
	return answer.value


def answer_body(response: Response) -> dict:
	try:
		return response.json()
	except (ValueError, json.JSONDecodeError):
		return {"unreadable answer": response.text()[:500]}


def expect_the_problems_listed_at_the_top(page: Page, fieldname: str) -> None:
	"""The refusal is listed at the top of the form, which takes the focus, with a link to the answer; no
	dialog covers the form (docs/accessibility.md)."""
	summary = page.locator(".lnb-error-summary")
	expect(summary, "the problems are listed at the top of the form").to_be_focused()
	expect(summary.locator(f'li[data-fieldname="{fieldname}"] a')).to_be_visible()
	expect(page.locator(".modal.show"), "no dialog covers the form").to_have_count(0)
	expect_no_shade(page, "The form with its problems")


def expect_no_shade(page: Page, what: str) -> None:
	"""Waits until the grey shade Frappe lays over the page (behind a dialog, or while it waits for the
	server) has faded away, so that nothing covers what the doctor should see."""
	try:
		expect(page.locator(".modal-backdrop")).to_have_count(0)
	except AssertionError:
		dialogs = [" ".join(text.split()) for text in page.locator(".modal.show").all_inner_texts()]
		raise AssertionError(
			f"{what} stays covered by a grey shade" + (f" and a dialog saying {dialogs}" if dialogs else "")
		) from None


def a_small_pdf(folder: Path) -> Path:
	pdf = folder / FILE_NAME
	pdf.write_bytes(
		b"%PDF-1.4\n"
		b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
		b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
		b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
		b"trailer << /Root 1 0 R >>\n"
		b"%%EOF\n"
	)
	return pdf


def screenshot(page: Page, name: str, *, full_page: bool = False) -> None:
	page.screenshot(path=str(artifact(name)), full_page=full_page)


def cases_with(email: str) -> list[str]:
	import frappe

	frappe.db.rollback()
	return frappe.get_all("Case", filters={"email": email}, pluck="name")


def files_of(case: str) -> list[dict]:
	import frappe

	frappe.db.rollback()
	return frappe.get_all(
		"File",
		filters={"attached_to_doctype": "Case", "attached_to_name": case},
		fields=["name", "file_name", "is_private", "file_size"],
	)


def delete_case(case: str) -> None:
	import frappe

	for file in files_of(case):
		frappe.delete_doc("File", file.name, ignore_permissions=True, force=True)
	for mail in frappe.get_all("Email Queue", filters={"reference_doctype": "Case", "reference_name": case}):
		frappe.delete_doc("Email Queue", mail.name, ignore_permissions=True, force=True)
	if frappe.db.exists("Case", case):
		frappe.delete_doc("Case", case, ignore_permissions=True, force=True)
	frappe.db.commit()


def test_a_doctor_sends_a_case_from_a_phone(phone, base_url, intake_open, tmp_path):
	import frappe

	page = phone.page
	email = f"dr.jones.{os.getpid()}@example.com"
	for stale in cases_with(email):
		delete_case(stale)
	pdf = a_small_pdf(tmp_path)
	# a run leaves only its own evidence
	for earlier in (
		FORM_SCREENSHOT,
		FIELD_ERROR_SCREENSHOT,
		CONFIRMATION_SCREENSHOT,
		FAILURE_SCREENSHOT,
		FAILURE_TRACE,
	):
		artifact(earlier).unlink(missing_ok=True)
	reference = None
	# the form is sent to the intake's own endpoint only, never to Frappe's web form endpoint
	frappe_accept_calls = []
	page.on("request", lambda request: calls(request, FRAPPE_ACCEPT) and frappe_accept_calls.append(request))

	try:
		opened = page.goto(f"{base_url}/submit-a-case/new")
		assert opened and opened.ok, f"/submit-a-case/new answered {opened and opened.status}"
		# Frappe's script builds the form; then the app's script adds the document picker.
		page.wait_for_function("() => Boolean(window.frappe?.web_form?.fields_dict?.email)")
		expect(page.locator("#lnb-files"), "the form offers a way to attach documents").to_be_attached()
		width = page.evaluate("() => document.documentElement.scrollWidth")
		assert width <= PHONE_WIDTH, f"the page is {width}px wide on a {PHONE_WIDTH}px phone screen"

		type_into(page, "input", "doctor_name", "Dr Alex Jones")
		type_into(page, "input", "email", BAD_EMAIL)
		type_into(page, "input", "phone", "07700 900123")
		choose(page, "grade", GRADE)
		type_into(page, "input", "specialty", "Emergency medicine")
		type_into(page, "input", "employer_name", "Example Hospitals NHS Foundation Trust")
		type_into(
			page,
			"textarea",
			"what_happened",
			"After I raised concerns about rota gaps I was told an MHPS investigation had begun. Nobody "
			"has told me what the allegations are, and the case manager has not replied for six weeks.",
		)
		add_process(page, PROCESS, "Started in March")
		choose(page, "wellbeing", SAFE)
		picker = page.locator("#lnb-files")
		picker.scroll_into_view_if_needed()
		picker.set_input_files(str(pdf))
		expect(page.locator(".lnb-chosen-files li"), "the chosen file is listed").to_have_text([FILE_NAME])
		tick(page, "consent_given")
		screenshot(page, FORM_SCREENSHOT, full_page=True)

		# With a bad email address the form is refused, and the problem is shown beside that question.
		refused = answer_body(send(phone))
		assert "email" in refused.get("field_problems", {}), (
			f"The server did not refuse the email address {BAD_EMAIL!r}; it answered {refused}"
		)
		problem = field_problem(page, "email")
		try:
			expect(problem).to_be_visible()
		except AssertionError:
			raise AssertionError(
				f"The server refused {BAD_EMAIL!r} with field problems {refused['field_problems']}, but the "
				"page shows no .lnb-field-problem beside the email field. What the page logged:\n"
				f"{phone.what_happened()}"
			) from None
		assert problem.inner_text().strip(), "the problem beside the email address has no words"
		assert not cases_with(BAD_EMAIL), "a case was created with the bad email address"
		expect_the_problems_listed_at_the_top(page, "email")
		problem.scroll_into_view_if_needed()
		expect(problem).to_be_in_viewport()
		screenshot(page, FIELD_ERROR_SCREENSHOT)

		# Corrected, the form is accepted and the doctor sees their case reference.
		type_into(page, "input", "email", email)
		accepted = send(phone)
		reference_shown = page.locator(".lnb-reference")
		try:
			expect(reference_shown).to_be_visible()
		except AssertionError:
			raise AssertionError(
				"No case reference was shown after sending the corrected form. The server answered "
				f"HTTP {accepted.status}: {answer_body(accepted)}\nWhat the page logged:\n"
				f"{phone.what_happened()}"
			) from None
		reference = reference_shown.inner_text().strip()
		assert REFERENCE.match(reference), f"the reference {reference!r} is not like LNB-YYYY-NNNNN"
		expect(page.locator(".web-form-container"), "the form is gone once sent").to_be_hidden()
		expect_no_shade(page, "The confirmation with the case reference")
		screenshot(page, CONFIRMATION_SCREENSHOT, full_page=True)

		assert cases_with(email) == [reference], f"expected exactly the case {reference} for {email}"
		case = frappe.get_doc("Case", reference)
		assert (case.doctor_name, case.wellbeing, case.grade) == ("Dr Alex Jones", SAFE, GRADE)
		assert [row.process_type for row in case.processes] == [PROCESS]
		attached = files_of(reference)
		assert len(attached) == 1, f"expected one file attached to {reference}, found {attached}"
		assert attached[0].is_private == 1, f"{attached[0].file_name} is attached as a public file"
		assert attached[0].file_name.startswith(FILE_NAME.removesuffix(".pdf")), attached[0].file_name
		assert attached[0].file_name.endswith(".pdf"), attached[0].file_name
		assert attached[0].file_size == pdf.stat().st_size, "the attached file is not the one chosen"
		assert not frappe_accept_calls, "the form posted to Frappe's web form endpoint as well"
	except Exception:
		save_evidence(page, FAILURE_SCREENSHOT, FAILURE_TRACE)
		raise
	finally:
		for case in {reference, *cases_with(email)} - {None}:
			delete_case(case)
