"""The doctor's journey, in real headless Chromium on a phone (390 px) and at desktop width, with no account:
the public pages are Learn Not Blame's, the intake takes every kind of answer without Frappe's grid, a
mistake shows once the doctor leaves the answer and clears once it is corrected, and the confirmation says
only what happened. An urgent case reaches a coordinator made as on a new site (no alert recipients set) by
real SMTP and in their bell.

Screenshots: test-artifacts/doctor-<phone|desktop>-<nn>-<step>.png.
"""

import re
import uuid
from pathlib import Path

import frappe
import pytest
from aiosmtpd.controller import Controller
from browser import artifact, control, field_problem
from intake_payloads import bench_execute, remove_intake_case, run_mail_job, utc_now
from journey import Journey, journey, make_person
from playwright.sync_api import Browser, Locator, Page, expect
from test_intake_mail_over_http import Mailbox, free_port

from lnb_casework.intake.equality import case_field, equality_answers_of
from lnb_casework.mail_testing import insert_local_outgoing_account

URGENT = "I need urgent support"
BAD_EMAIL = "dr.okafor@"
REFERENCE = re.compile(r"LNB-\d{4}-\d{5}")
FILE_NAME = "exclusion-letter.pdf"
PROCESS = "Exclusion or restriction of practice"
KIND = "Race"
DEADLINE = "2027-02-15"
EQUALITY = {
	"equality_ethnic_group": "Black, Black British, Caribbean or African",
	"equality_sex": "Female",
	"equality_age_band": "40–49",
	"equality_qualification_region": "Elsewhere",
	"equality_religion_or_belief": "Prefer not to say",
}
REQUIRED = ("doctor_name", "email", "what_happened", "wellbeing", "consent_given")
NOT_OURS = ("Built on Frappe", "Powered by Frappe", "Login to Frappe", "Submit another response")


@pytest.fixture(scope="module")
def mailbox():
	box = Mailbox()
	controller = Controller(box, hostname="127.0.0.1", port=free_port())
	controller.start()
	box.port = controller.port
	frappe.db.rollback()
	account = insert_local_outgoing_account(
		f"Doctor journey {uuid.uuid4().hex[:6]}", "learnnotblame@example.com", box.port
	)
	frappe.db.commit()
	yield box
	frappe.db.rollback()
	frappe.delete_doc("Email Account", account, ignore_permissions=True, force=True)
	frappe.db.commit()
	controller.stop()


@pytest.fixture(scope="module")
def new_site_alerts():
	"""LNB Settings as on a new site (no coordinator alert recipients), with room for this module's
	submissions from one address; put back afterwards."""
	frappe.db.rollback()
	settings = frappe.get_single("LNB Settings")
	kept = {field: settings.get(field) for field in ("coordinator_alert_emails", "intake_rate_limit")}
	settings.update({"coordinator_alert_emails": "", "intake_rate_limit": 1000})
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	frappe.cache.delete_keys("rl:")
	yield settings
	frappe.db.rollback()
	settings = frappe.get_single("LNB Settings")
	settings.update(kept)
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	frappe.cache.delete_keys("rl:")


@pytest.fixture(scope="module")
def coordinator() -> str:
	return make_person(
		"journey-doctor-coordinator@example.com", "LNB Coordinator", full_name="Cora Ordinator"
	)


@pytest.fixture()
def doctor():
	address = f"dr.okafor.{uuid.uuid4().hex[:8]}@example.com"
	yield address
	frappe.db.rollback()
	for case in frappe.get_all("Case", filters={"email": address}, pluck="name"):
		for log in frappe.get_all("Notification Log", filters={"document_name": case}, pluck="name"):
			frappe.delete_doc("Notification Log", log, ignore_permissions=True, force=True)
		remove_intake_case(case)
	frappe.db.commit()


def a_small_pdf(folder: Path) -> Path:
	pdf = folder / FILE_NAME
	pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	return pdf


def type_into(page: Page, tag: str, fieldname: str, value: str) -> None:
	box = control(page, tag, fieldname)
	box.scroll_into_view_if_needed()
	box.fill(value)
	box.blur()


def choose(page: Page, fieldname: str, answer: str) -> None:
	select = control(page, "select", fieldname)
	select.scroll_into_view_if_needed()
	select.select_option(label=answer)
	expect(select).to_have_value(answer)


def add_row(page: Page, table: str, answers: dict[str, str]) -> None:
	"""Adds a row with the block's own button and fills it in: every answer is a plain labelled control."""
	block = page.locator(f'.lnb-rows[data-table="{table}"]')
	before = block.locator(".lnb-row").count()
	add = block.locator(".lnb-add-row")
	add.scroll_into_view_if_needed()
	add.click()
	row = block.locator(".lnb-row").nth(before)
	expect(row).to_be_visible()
	for column, value in answers.items():
		box = row.locator(f'[data-column="{column}"]')
		label = row.locator(f'label[for="{box.get_attribute("id")}"]')
		expect(label, f"the {column} answer of a {table} row has a label").not_to_be_empty()
		if box.evaluate("element => element.tagName") == "SELECT":
			box.select_option(label=value)
		else:
			box.fill(value)
		expect(box).to_have_value(value)


def text_of_page(page: Page) -> str:
	return page.locator("body").inner_text()


def assert_ours(page: Page, contact: str) -> None:
	"""The public page carries Learn Not Blame's name and a way to write to it, and nothing of Frappe's."""
	expect(page.locator(".navbar-brand")).to_have_text("Learn Not Blame")
	expect(page.locator("footer")).to_contain_text(contact)
	expect(page.locator(f'footer a[href="mailto:{contact}"]')).to_be_visible()
	shown = text_of_page(page)
	for words in NOT_OURS:
		assert words not in shown, f"{page.url} shows {words!r}"
	expect(page.get_by_role("link", name=re.compile(r"^\s*Log ?in\s*$", re.I))).to_have_count(0)


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_a_doctor_tells_us_about_their_case(
	chromium: Browser, base_url, phone, mailbox, new_site_alerts, coordinator, doctor, tmp_path
):
	contact = frappe.db.get_single_value("LNB Settings", "contact_email")
	name = f"doctor-{'phone' if phone else 'desktop'}"
	for earlier in artifact(name).parent.glob(f"{name}-*.png"):
		earlier.unlink()  # a run leaves only its own screenshots
	started = utc_now()
	with journey(chromium, name, phone=phone) as visit:
		fill_in_the_form(visit, base_url, contact, a_small_pdf(tmp_path))
		make_and_correct_a_mistake(visit, doctor)
		reference = send_and_read_the_confirmation(visit, contact)

	frappe.db.rollback()
	case = frappe.get_doc("Case", reference)
	assert (case.email, case.wellbeing, case.discrimination) == (doctor, URGENT, "Yes")
	assert [(row.process_type, row.details) for row in case.processes] == [(PROCESS, "Since 3 March")]
	assert [(row.description, str(row.date)) for row in case.key_dates] == [("Meeting with HR", DEADLINE)]
	assert [row.kind for row in case.discrimination_kinds] == [KIND]
	files = frappe.get_all(
		"File", filters={"attached_to_doctype": "Case", "attached_to_name": reference}, pluck="file_name"
	)
	assert len(files) == 1 and files[0].endswith(".pdf"), files
	answers = equality_answers_of([reference])[reference]
	assert {case_field(question): answer for question, answer in answers.items() if answer} == EQUALITY

	# the case's job sends the urgent alert at once; the rest of the queue goes when it is flushed, as the
	# scheduler does
	run_mail_job(reference, started)
	bench_execute("frappe.email.queue.flush")
	urgent = mailbox.wait_for(
		lambda message: (
			reference in message["Subject"]
			and message["Subject"].startswith("Urgent")
			and coordinator in message.envelope_recipients
		),
		count=1,
	)
	assert urgent, f"no urgent alert about {reference} reached {coordinator} by SMTP"
	body = urgent[0].get_body(preferencelist=("html", "plain")).get_content()
	assert f"/app/case/{reference}" in body and doctor not in body
	acknowledged = mailbox.wait_for(
		lambda message: reference in message["Subject"] and doctor in message.envelope_recipients, count=1
	)
	assert acknowledged, f"the doctor's acknowledgement of {reference} was not delivered"

	frappe.db.rollback()
	bell = frappe.get_all(
		"Notification Log", filters={"for_user": coordinator, "document_name": reference}, pluck="subject"
	)
	assert bell, f"{coordinator} has no bell notification about {reference}"


def fill_in_the_form(visit: Journey, base_url: str, contact: str, pdf: Path) -> None:
	page = visit.page
	# the site's home is the intake: the brand leads there, not to a sign-in page
	visit.goto(base_url, "/")
	page.wait_for_function("() => Boolean(window.frappe?.web_form?.fields_dict?.email)")
	assert_ours(page, contact)
	expect(page.locator(".web-form-head h1")).to_have_text("Tell us about your case")
	visit.step("home-is-the-intake")

	# staff sign in at /login: it names Learn Not Blame, not Frappe
	visit.goto(base_url, "/login")
	expect(page.locator(".page-card-head h4").first).to_have_text("Login to Learn Not Blame")
	assert_ours(page, contact)

	visit.goto(base_url, "/submit-a-case")
	page.wait_for_function("() => Boolean(window.frappe?.web_form?.fields_dict?.email)")
	assert_ours(page, contact)
	width = page.evaluate("() => document.documentElement.scrollWidth")
	viewport = page.viewport_size["width"]
	assert width <= viewport, f"the page is {width}px wide on a {viewport}px screen"
	# nothing is marked wrong before the doctor has answered anything
	expect(page.locator(".lnb-field-problem, .lnb-has-problem")).to_have_count(0)
	border = "box => getComputedStyle(box).borderTopColor"
	email_border = control(page, "input", "email").evaluate(border)
	assert email_border == control(page, "input", "specialty").evaluate(border), (
		"the empty email answer (required) is outlined as wrong before anything was typed"
	)
	for table in ("processes", "key_dates"):
		block = page.locator(f'.lnb-rows[data-table="{table}"]')
		expect(block.locator(".lnb-no-rows")).to_be_visible()
		assert "No Data" not in block.inner_text()
	expect(page.locator(".form-grid")).to_have_count(0)
	visit.step("empty-form")

	# sent empty: each required answer says what it needs, and each clears as it is answered below
	send = page.locator(".web-form-footer .submit-btn")
	send.scroll_into_view_if_needed()
	send.click()
	# listed at the top, where the focus goes, each a link to its answer; no dialog covers the form
	summary = page.locator(".lnb-error-summary")
	expect(summary).to_be_focused()
	expect(page.locator(".modal-backdrop")).to_have_count(0)
	for fieldname in REQUIRED:
		expect(field_problem(page, fieldname)).to_be_visible()
		expect(summary.locator(f'li[data-fieldname="{fieldname}"] a')).to_be_visible()
	field_problem(page, "doctor_name").scroll_into_view_if_needed()
	visit.step("sent-empty")

	type_into(page, "input", "doctor_name", "Dr Ngozi Okafor")
	type_into(page, "input", "phone", "07700 900321")
	choose(page, "contact_preference", "Email")
	choose(page, "grade", "Consultant")
	type_into(page, "input", "specialty", "Anaesthetics")
	type_into(page, "input", "employer_name", "Northshire Hospitals NHS Trust")
	type_into(
		page,
		"textarea",
		"what_happened",
		"I was excluded without being told why, two days after I reported unsafe staffing on nights.",
	)
	add_row(page, "processes", {"process_type": PROCESS, "details": "Since 3 March"})
	add_row(page, "key_dates", {"description": "Meeting with HR", "date": DEADLINE})
	# a row added by mistake is taken away again
	add_row(page, "key_dates", {"description": "Wrong row"})
	page.locator('.lnb-rows[data-table="key_dates"] .lnb-row').nth(1).locator(".lnb-remove-row").click()
	expect(page.locator('.lnb-rows[data-table="key_dates"] .lnb-row')).to_have_count(1)
	visit.step("a-process-and-a-date")

	choose(page, "discrimination", "Yes")
	expect(page.locator('.lnb-rows[data-table="discrimination_kinds"]')).to_be_visible()
	add_row(page, "discrimination_kinds", {"kind": KIND})
	choose(page, "wellbeing", URGENT)
	picker = page.locator("#lnb-files")
	picker.scroll_into_view_if_needed()
	picker.set_input_files(str(pdf))
	expect(page.locator(".lnb-chosen-files li")).to_have_text([FILE_NAME])
	for fieldname, answer in EQUALITY.items():
		choose(page, fieldname, answer)
	visit.step("discrimination-file-and-equality")

	consent = page.locator(".lnb-consent-wording + .lnb-contact")
	consent.scroll_into_view_if_needed()
	expect(consent).to_contain_text("withdraw your consent")
	expect(consent.locator(f'a[href="mailto:{contact}"]')).to_have_text(contact)
	tick = control(page, "input", "consent_given")
	tick.check()
	expect(tick).to_be_checked()
	for fieldname in REQUIRED:
		if fieldname != "email":
			expect(field_problem(page, fieldname), f"{fieldname} answered, its problem clears").to_have_count(
				0
			)
	visit.step("consent-with-an-address")


def make_and_correct_a_mistake(visit: Journey, doctor: str) -> None:
	page = visit.page
	type_into(page, "input", "email", BAD_EMAIL)
	shown = field_problem(page, "email")
	expect(shown, "leaving a wrong email address shows why it is wrong").to_be_visible()
	expect(shown).to_contain_text("does not look like an email address")
	shown.scroll_into_view_if_needed()
	visit.step("wrong-email-shown")

	box = control(page, "input", "email")
	box.fill(doctor)  # still in the field: the problem clears as soon as the answer is right
	expect(shown, "the problem clears once the email address is corrected").to_have_count(0)
	expect(page.locator(".lnb-has-problem")).to_have_count(0)
	visit.step("email-corrected")


def send_and_read_the_confirmation(visit: Journey, contact: str) -> str:
	page = visit.page
	button = page.locator(".web-form-footer .submit-btn")
	expect(button).to_have_text("Send my case")
	button.scroll_into_view_if_needed()
	button.click()
	reference_shown = page.locator(".lnb-reference")
	expect(reference_shown).to_be_visible(timeout=60_000)
	reference = reference_shown.inner_text().strip()
	assert REFERENCE.fullmatch(reference), reference
	urgent = page.locator(".lnb-signposting")
	expect(urgent).to_contain_text("We are alerting a coordinator now")
	expect(urgent).to_contain_text("116 123")
	expect(page.locator(".success-page")).to_contain_text(contact)
	expect(page.locator(".success-page .new-btn")).to_have_text("Tell us about another case")
	assert_ours(page, contact)
	visit.step("confirmation", full_page=True)
	return reference
