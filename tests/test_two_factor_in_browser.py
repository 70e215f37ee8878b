"""A new caseworker's first sign-ins at /login in Chromium (docs/two-factor.md): the password alone signs
them in to nothing, a wrong code is refused, the mailed link shows the QR code, the app's code opens the
desk; the next sign-in asks for the app's code straight away. Screenshots of each step go to
LNB_ARTIFACTS (two-factor-*.png)."""

import re

import frappe
import pytest
from browser import artifact
from frappe.twofactor import get_otpsecret_for_
from journey import DESKTOP, PASSWORD, WAIT_MS
from playwright.sync_api import Browser, Page, expect
from sign_in import code_from
from test_intake_mail_over_http import free_port, listening


@pytest.fixture()
def mailbox():
	box, controller = listening(free_port())
	yield box
	controller.stop()


def fresh_page(chromium: Browser) -> Page:
	expect.set_options(timeout=WAIT_MS)
	context = chromium.new_context(**DESKTOP)
	context.set_default_timeout(WAIT_MS)
	page = context.new_page()
	page.script_errors = []
	page.on("pageerror", lambda error: page.script_errors.append(error.message[:300]))
	return page


def signed_in_as(page: Page, base_url: str) -> str:
	response = page.request.get(f"{base_url}/api/method/frappe.auth.get_logged_user")
	return response.json()["message"] if response.ok else "Guest"


def enter_password(page: Page, base_url: str, email: str) -> None:
	page.goto(f"{base_url}/login")
	page.locator("#login_email").fill(email)
	page.locator("#login_password").fill(PASSWORD)
	page.locator(".btn-login:visible").first.click()
	expect(page.locator("#login_token")).to_be_visible()


def enter_code(page: Page, code: str) -> None:
	page.locator("#login_token").fill(code)
	page.locator("#verify_token").click()


def test_a_new_caseworker_needs_the_code_from_the_mailed_qr_code_to_sign_in(
	chromium, base_url, newcomer, mailbox, account_for
):
	account_for(mailbox.port)
	page = fresh_page(chromium)
	enter_password(page, base_url, newcomer)
	expect(page.locator("#otp_div")).to_contain_text("check your registered email address")
	page.screenshot(path=str(artifact("two-factor-1-asked-for-a-code.png")))
	assert signed_in_as(page, base_url) == "Guest"

	secret = get_otpsecret_for_(newcomer)
	right = code_from(secret)
	with page.expect_response(lambda response: response.request.method == "POST") as refused:
		enter_code(page, f"{(int(right) + 1) % 1_000_000:06d}")
	assert refused.value.status == 401
	assert "/login" in page.url and signed_in_as(page, base_url) == "Guest"

	# a code entered (by anyone) empties Frappe's cache; the QR code link outlasts it (hooks.py)
	(mail,) = mailbox.wait_for(lambda message: newcomer in message.envelope_recipients, count=1)
	key = re.search(r"/qrcode\?k=([A-Za-z0-9]+)", mail.get_body(("html",)).get_content()).group(1)
	phone = fresh_page(chromium)
	phone.goto(f"{base_url}/qrcode?k={key}")
	expect(phone.locator('img[src^="data:image/svg+xml;base64,"]')).to_be_visible()
	expect(phone.locator("body")).to_contain_text("Hi Nia")
	phone.screenshot(path=str(artifact("two-factor-2-qr-code-page.png")))
	assert not phone.script_errors, phone.script_errors
	phone.context.close()

	enter_code(page, code_from(secret))
	page.wait_for_url(re.compile(r"/app(/|$)"))
	page.wait_for_load_state("networkidle")
	assert signed_in_as(page, base_url) == newcomer
	page.screenshot(path=str(artifact("two-factor-3-signed-in.png")))
	assert not page.script_errors, page.script_errors
	page.context.close()

	again = fresh_page(chromium)
	enter_password(again, base_url, newcomer)
	expect(again.locator("#otp_div")).to_contain_text("Enter Code displayed in OTP App.")
	assert signed_in_as(again, base_url) == "Guest"
	enter_code(again, code_from(secret))
	again.wait_for_url(re.compile(r"/app(/|$)"))
	assert signed_in_as(again, base_url) == newcomer
	assert not again.script_errors, again.script_errors
	again.context.close()
	assert len([m for m in mailbox.messages if newcomer in m.envelope_recipients]) == 1, (
		"the QR code is mailed once"
	)
