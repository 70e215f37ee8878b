"""Two-factor sign-in over HTTP (docs/two-factor.md): every casework role and System Manager is asked for
an authenticator code after the password and is not signed in without the right one; Administrator and
API keys are not asked; a newcomer is mailed the QR code once; the demo site's bench command gives a code
that signs in; a migrate turns it back on."""

import os
import re
import subprocess

import frappe
import pyotp
import pytest
import requests
from bench_commands import migrate_site, site_command
from frappe.twofactor import get_otpsecret_for_, get_qr_svg_code
from journey import PASSWORD, make_person
from sign_in import code_from, current_code, enrol_authenticator, login_url, sign_in_over_http
from test_intake_mail_over_http import free_port, listening

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD, SYSTEM_MANAGER
from lnb_casework.setup.two_factor import ISSUER, ROLES_WITH_TWO_FACTOR_SIGN_IN, require_two_factor_sign_in

REFUSED_CODE = "Incorrect Verification code"


def signed_in_as(session: requests.Session, base_url: str) -> str:
	"""Who the server takes the session for: a user's email, or Guest."""
	response = session.get(f"{base_url}/api/method/frappe.auth.get_logged_user", timeout=30)
	return response.json()["message"] if response.status_code == 200 else "Guest"


def password_step(session: requests.Session, base_url: str, email: str) -> dict:
	response = session.post(login_url(base_url), data={"usr": email, "pwd": PASSWORD}, timeout=30)
	assert response.status_code == 200, response.text
	return response.json()


@pytest.fixture()
def mailbox():
	box, controller = listening(free_port())
	yield box
	controller.stop()


def test_the_site_asks_every_casework_role_and_system_manager_for_a_second_factor():
	frappe.db.rollback()
	settings = frappe.get_cached_doc("System Settings")
	assert (settings.enable_two_factor_auth, settings.two_factor_method) == (1, "OTP App")
	assert settings.otp_issuer_name == ISSUER
	assert set(ROLES_WITH_TWO_FACTOR_SIGN_IN) == {CASEWORKER, COORDINATOR, POLICY_LEAD, SYSTEM_MANAGER}
	for role in ROLES_WITH_TWO_FACTOR_SIGN_IN:
		assert frappe.db.get_value("Role", role, "two_factor_auth") == 1, role


@pytest.mark.parametrize("role", [CASEWORKER, COORDINATOR, POLICY_LEAD, SYSTEM_MANAGER])
def test_a_password_alone_signs_nobody_in_and_only_their_own_current_code_does(base_url, role):
	slug = role.lower().replace(" ", "-")
	email = make_person(f"two-factor-{slug}@lnb.test", role)
	other = make_person(f"two-factor-other-{slug}@lnb.test", role)
	enrol_authenticator(email)
	with requests.Session() as session:
		asked = password_step(session, base_url, email)
		assert asked["verification"] == {"method": "OTP App", "setup": True}
		assert asked["tmp_id"] and "message" not in asked
		assert signed_in_as(session, base_url) == "Guest"

		right = current_code(email)
		wrong = f"{(int(right) + 1) % 1_000_000:06d}"
		for refused in (wrong, current_code(other), "' or 1=1 --", "9" * 500):
			response = session.post(
				login_url(base_url), data={"otp": refused, "tmp_id": asked["tmp_id"]}, timeout=30
			)
			assert (response.status_code, response.json()["message"]) == (401, REFUSED_CODE), refused
			assert signed_in_as(session, base_url) == "Guest", refused
		# no code at all (Frappe answers it with an error of its own)
		response = session.post(login_url(base_url), data={"otp": "", "tmp_id": asked["tmp_id"]}, timeout=30)
		assert response.json().get("message") != "Logged In", response.text
		assert signed_in_as(session, base_url) == "Guest"

		# a code sent with the password, skipping the step that asks for it, signs nobody in either
		with requests.Session() as hasty:
			response = hasty.post(
				login_url(base_url), data={"usr": email, "pwd": PASSWORD, "otp": right}, timeout=30
			)
			assert response.status_code != 200, response.text
			assert signed_in_as(hasty, base_url) == "Guest"

		response = session.post(
			login_url(base_url), data={"otp": current_code(email), "tmp_id": asked["tmp_id"]}, timeout=30
		)
		assert (response.status_code, response.json()["message"]) == (200, "Logged In"), response.text
		assert signed_in_as(session, base_url) == email


def test_administrator_is_not_asked_for_a_code(base_url):
	with requests.Session() as session:
		response = session.post(
			login_url(base_url),
			data={"usr": "Administrator", "pwd": os.environ["LNB_ADMIN_PASSWORD"]},
			timeout=30,
		)
		assert response.json()["message"] == "Logged In" and "verification" not in response.json()
		assert signed_in_as(session, base_url) == "Administrator"


def test_an_api_key_is_not_asked_for_a_code(base_url, user_session):
	email = "two-factor-integration@lnb.test"
	session = user_session(email, CASEWORKER)
	assert signed_in_as(session, base_url) == email
	response = session.get(f"{base_url}/api/resource/Case", params={"limit_page_length": 1}, timeout=30)
	assert response.status_code == 200, response.text
	wrong_secret = requests.Session()
	wrong_secret.headers["Authorization"] = session.headers["Authorization"][:-1] + "x"
	assert wrong_secret.get(f"{base_url}/api/resource/Case", timeout=30).status_code in (401, 403)


def test_a_newcomer_is_mailed_the_qr_code_once_and_signs_in_with_the_app(
	base_url, newcomer, mailbox, account_for
):
	account_for(mailbox.port)
	with requests.Session() as session:
		asked = password_step(session, base_url, newcomer)
		assert asked["verification"]["setup"] and "registered email" in asked["verification"]["prompt"]
		assert signed_in_as(session, base_url) == "Guest"
		(mail,) = mailbox.wait_for(lambda message: newcomer in message.envelope_recipients, count=1)
		assert ISSUER in mail["Subject"]
		body = mail.get_body(("html",)).get_content()
		key = re.search(r"/qrcode\?k=([A-Za-z0-9]+)", body).group(1)

		# the page the link opens shows the QR code of this user's secret, named for Learn Not Blame
		secret = get_otpsecret_for_(newcomer)
		link = pyotp.TOTP(secret).provisioning_uri(newcomer, issuer_name=ISSUER)
		with requests.Session() as phone:
			page = phone.get(f"{base_url}/qrcode", params={"k": key}, timeout=30)
		assert page.status_code == 200
		assert get_qr_svg_code(link).decode() in page.text
		assert "Nia" in page.text

		response = session.post(
			login_url(base_url), data={"otp": code_from(secret), "tmp_id": asked["tmp_id"]}, timeout=30
		)
		assert response.json()["message"] == "Logged In", response.text
		assert signed_in_as(session, base_url) == newcomer

	with requests.Session() as session:
		again = password_step(session, base_url, newcomer)
		assert again["verification"] == {"method": "OTP App", "setup": True}
	assert len([m for m in mailbox.messages if newcomer in m.envelope_recipients]) == 1


def bench_sign_in_code(user: str) -> subprocess.CompletedProcess:
	return site_command("lnb-sign-in-code", user, timeout=120)


def printed_code(user: str) -> str:
	"""The code the bench command prints, asked for again when it has too few seconds left to be used."""
	while True:
		printed = bench_sign_in_code(user)
		assert printed.returncode == 0, printed.stdout + printed.stderr
		seconds_left, code = re.search(r"for (\d+) more seconds\): (\d{6})$", printed.stdout.strip()).groups()
		if int(seconds_left) >= 10:
			return code


def test_the_bench_command_gives_a_code_that_signs_in_on_a_site_that_sends_no_mail(base_url, newcomer):
	frappe.db.rollback()
	assert not frappe.get_all("Email Account", filters={"enable_outgoing": 1, "default_outgoing": 1})
	code = printed_code(newcomer)
	with requests.Session() as session:
		asked = password_step(session, base_url, newcomer)
		assert asked["verification"] == {"method": "OTP App", "setup": True}
		response = session.post(
			login_url(base_url), data={"otp": code, "tmp_id": asked["tmp_id"]}, timeout=30
		)
		assert response.json()["message"] == "Logged In", response.text

	refused = bench_sign_in_code("Administrator")
	assert refused.returncode != 0 and "without a second factor" in refused.stdout + refused.stderr
	missing = bench_sign_in_code("nobody-at-all@lnb.test")
	assert missing.returncode != 0 and "There is no user" in missing.stdout + missing.stderr


def test_a_migrate_turns_two_factor_sign_in_back_on(base_url):
	frappe.db.rollback()
	frappe.db.set_single_value("System Settings", {"enable_two_factor_auth": 0, "two_factor_method": "Email"})
	frappe.db.set_value("Role", COORDINATOR, "two_factor_auth", 0)
	frappe.db.commit()
	try:
		migrate_site()
		frappe.db.rollback()
		frappe.clear_cache()
		assert frappe.db.get_single_value("System Settings", "enable_two_factor_auth", cache=False) == 1
		assert frappe.db.get_single_value("System Settings", "two_factor_method", cache=False) == "OTP App"
		assert frappe.db.get_value("Role", COORDINATOR, "two_factor_auth") == 1
		email = make_person("two-factor-after-migrate@lnb.test", COORDINATOR)
		with requests.Session() as session:
			sign_in_over_http(session, base_url, email, PASSWORD)
			assert signed_in_as(session, base_url) == email
	finally:
		frappe.db.rollback()
		require_two_factor_sign_in()
		frappe.db.commit()
