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
