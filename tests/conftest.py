"""Fixtures for out-of-process tests: they talk to the test site over real HTTP (scripts/test.sh serves it)."""

import os
import uuid

import pytest
import requests
from intake_payloads import remove_intake_case


@pytest.fixture(scope="module")
def chromium():
	"""The system's Chromium, headless, for the browser tests."""
	from browser import system_chromium

	with system_chromium() as browser:
		yield browser


@pytest.fixture(scope="session")
def base_url() -> str:
	return os.environ["LNB_BASE_URL"]


@pytest.fixture()
def guest(base_url: str) -> requests.Session:
	with requests.Session() as session:
		yield session


@pytest.fixture()
def administrator(base_url: str) -> requests.Session:
	with requests.Session() as session:
		response = session.post(
			f"{base_url}/api/method/login",
			data={"usr": "Administrator", "pwd": os.environ["LNB_ADMIN_PASSWORD"]},
			timeout=30,
		)
		assert response.status_code == 200, response.text
		yield session


COORDINATOR_ALERTS = "coordinator-one@example.com\ncoordinator-two@example.com"


@pytest.fixture()
def intake_open():
	"""LNB Settings for intake tests: a generous rate limit, known coordinator recipients, fresh counters.

	Yields the settings document; whatever a test changes is put back afterwards.
	"""
	import frappe

	frappe.db.rollback()
	settings = frappe.get_single("LNB Settings")
	kept = settings.as_dict()
	settings.update({"intake_rate_limit": 1000, "coordinator_alert_emails": COORDINATOR_ALERTS})
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	frappe.cache.delete_keys("rl:")
	yield settings
	frappe.db.rollback()
	settings = frappe.get_single("LNB Settings")
	settings.update(
		{
			field: kept[field]
			for field in (
				"intake_rate_limit",
				"coordinator_alert_emails",
				"max_attachments",
				"max_attachment_size_mb",
				"consent_version",
				"consent_wording",
			)
		}
	)
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	frappe.cache.delete_keys("rl:")


@pytest.fixture()
def doctor_email() -> str:
	"""A unique email for one test's submissions, so its rows can be found and removed afterwards."""
	import frappe

	address = f"doctor-{uuid.uuid4().hex[:10]}@example.com"
	yield address
	frappe.db.rollback()
	for name in frappe.get_all("Case", filters={"email": address}, pluck="name"):
		remove_intake_case(name)
	frappe.db.commit()


@pytest.fixture()
def newcomer() -> str:
	"""A caseworker with a password (journey.PASSWORD) who has never signed in, so has no authenticator set
	up yet; taken away afterwards with the secret Frappe keeps for them apart from the user."""
	import frappe
	from journey import make_person
	from sign_in import forget_authenticator

	from lnb_casework.casework.rules import CASEWORKER
	from lnb_casework.demo.remove import remove_user

	email = make_person(f"newcomer-{uuid.uuid4().hex[:8]}@lnb.test", CASEWORKER, full_name="Nia Newcomer")
	yield email
	frappe.db.rollback()
	forget_authenticator(email)
	remove_user(email)
	frappe.db.commit()


@pytest.fixture(scope="session")
def user_session(base_url):
	"""Makes a requests session for a desk user with the given roles, signed in by API key."""
	import frappe

	sessions = []

	def make(email: str, *roles: str) -> requests.Session:
		frappe.db.rollback()
		if not frappe.db.exists("User", email):
			frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": email.split("@")[0],
					"send_welcome_email": 0,
				}
			).insert(ignore_permissions=True)
		user = frappe.get_doc("User", email)
		user.remove_roles(*[role.role for role in user.roles if role.role not in roles])
		user.add_roles(*roles)
		user.api_key = user.api_key or frappe.generate_hash(length=15)
		secret = frappe.generate_hash(length=15)
		user.api_secret = secret
		user.save(ignore_permissions=True)
		frappe.db.commit()
		session = requests.Session()
		session.headers["Authorization"] = f"token {user.api_key}:{secret}"
		sessions.append(session)
		return session

	yield make
	for session in sessions:
		session.close()


def outgoing_account(port: int) -> str:
	"""A default outgoing Email Account at 127.0.0.1:port, committed for the served site to use."""
	import frappe

	from lnb_casework.mail_testing import insert_local_outgoing_account

	frappe.db.rollback()
	name = insert_local_outgoing_account(
		f"LNB intake test {uuid.uuid4().hex[:6]}", "learnnotblame@example.com", port
	)
	frappe.db.commit()
	return name


@pytest.fixture()
def account_for():
	"""Makes default outgoing Email Accounts (Frappe queues mail only with one); taken away afterwards."""
	import frappe

	made = []

	def make(port: int) -> str:
		made.append(outgoing_account(port))
		return made[-1]

	yield make
	frappe.db.rollback()
	for name in made:
		frappe.delete_doc("Email Account", name, ignore_permissions=True, force=True)
	frappe.db.commit()
