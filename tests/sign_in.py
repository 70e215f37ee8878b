"""Signing in as a person does: a password, then, for the roles that need it, the code an authenticator app
shows (docs/two-factor.md). Every test that signs in with a password goes through here.

The test process stands in for the person's phone: it reads the user's secret from the site (the one the
QR code carries) and works out the current code from it, as the app would.
"""

import re
import time

import pyotp
import requests
from playwright.sync_api import Page

CODE_STEP_SECONDS = 30
# A code worked out this close to the end of its 30-second step could expire before the server checks it.
LAST_SAFE_SECONDS = 3


def two_factor_applies(email: str) -> bool:
	"""Whether the site asks this user for a second factor after the password (by their roles)."""
	import frappe
	from frappe.twofactor import two_factor_is_enabled

	frappe.db.commit()  # start a fresh read of what the served site sees
	return bool(two_factor_is_enabled(user=email))


def enrol_authenticator(email: str) -> str:
	"""The user's authenticator secret, with their set-up marked complete, as though they had scanned the
	QR code Frappe mails at the first sign-in. Returns the secret."""
	import frappe
	from frappe.twofactor import get_default, get_otpsecret_for_, set_default

	secret = get_otpsecret_for_(email)
	if not get_default(f"{email}_otplogin"):
		set_default(f"{email}_otplogin", 1)
	frappe.db.commit()
	return secret


def forget_authenticator(email: str) -> None:
	"""Takes away the secret and set-up mark Frappe keeps for a user apart from the User (deleting the user
	leaves them)."""
	from frappe.twofactor import clear_default

	clear_default(f"{email}_otpsecret")
	clear_default(f"{email}_otplogin")


def code_from(secret: str) -> str:
	"""The code an authenticator app shows now for this secret, waiting for the next one when the current
	one is about to expire."""
	if CODE_STEP_SECONDS - time.time() % CODE_STEP_SECONDS < LAST_SAFE_SECONDS:
		time.sleep(LAST_SAFE_SECONDS)
	return pyotp.TOTP(secret).now()


def current_code(email: str) -> str:
	"""The code the user's authenticator app shows now."""
	return code_from(enrol_authenticator(email))


def sign_in_in_browser(page: Page, base_url: str, email: str, password: str) -> None:
	"""Signs in at /login with the password and, when the site asks for it, the authenticator code; ends
	on the desk (/app)."""
	asked = two_factor_applies(email)
	if asked:
		enrol_authenticator(email)
	page.goto(f"{base_url}/login")
	page.locator("#login_email").fill(email)
	page.locator("#login_password").fill(password)
	page.locator(".btn-login:visible").first.click()
	if asked:
		page.locator("#login_token").fill(current_code(email))
		page.locator("#verify_token").click()
	page.wait_for_url(re.compile(r"/app(/|$)"))


def login_url(base_url: str) -> str:
	return f"{base_url}/api/method/login"


def sign_in_over_http(
	session: requests.Session, base_url: str, email: str, password: str
) -> requests.Response:
	"""Signs the session in through /api/method/login with the password and, when the site asks for it
	(the answer carries `verification` and `tmp_id`), the authenticator code. Returns the last answer,
	which is Frappe's "Logged In" (or "No App") with the user's full name."""
	asked = two_factor_applies(email)
	if asked:
		enrol_authenticator(email)
	response = session.post(login_url(base_url), data={"usr": email, "pwd": password}, timeout=30)
	assert response.status_code == 200, response.text
	if asked:
		first = response.json()
		assert first.get("verification") and first.get("tmp_id"), f"{email} was not asked for a code: {first}"
		response = session.post(
			login_url(base_url), data={"otp": current_code(email), "tmp_id": first["tmp_id"]}, timeout=30
		)
		assert response.status_code == 200, response.text
	assert response.json().get("message") in ("Logged In", "No App"), response.text
	return response
