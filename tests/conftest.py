"""Fixtures for out-of-process tests: they talk to the test site over real HTTP (scripts/test.sh serves it)."""

import os

import pytest
import requests


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
