"""Every way to a session asks for the second factor, and no sign-in answer tells an account from none
(issue 22, item 4; docs/two-factor.md). Each example of the issue re-run as written, each mailed link and
reset followed to the end, with whether a session resulted; the probes are counted in
$LNB_ARTIFACTS/attack-counts-sign-in.txt."""

import datetime
import os
import re
import uuid
from collections import Counter
from email import message_from_string, policy
from urllib.parse import urlparse

import frappe
import pytest
import requests
from frappe.installer import update_site_config
from frappe.utils.background_jobs import get_queue
from frappe.utils.password import update_password
from frappe.www.login import _generate_temporary_login_link
from intake_payloads import bench_execute
from journey import PASSWORD, make_person
from sign_in import current_code, enrol_authenticator, login_url
from test_intake_mail_over_http import free_port, listening

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR
from lnb_casework.setup.two_factor import require_two_factor_sign_in
from lnb_casework.sign_in.attempts import FAILED_SIGN_INS_ALLOWED
from lnb_casework.sign_in.mail_links import RESET_LINK_JOB, SIGN_IN_LINK_JOB

PROBES = Counter()
FORGED_HOST = "attacker.example"
RESET_METHOD = "frappe.core.doctype.user.user.reset_password"
LINK_METHOD = "frappe.www.login.send_login_link"
UPDATE_PASSWORD_METHOD = "frappe.core.doctype.user.user.update_password"
NEW_PASSWORD = "Reset-by-mail-4q!Zt8"


@pytest.fixture(scope="module", autouse=True)
def counts_printed():
	frappe.db.rollback()
	require_two_factor_sign_in()
	frappe.db.commit()
	yield
	lines = [f"{kind}: {count}" for kind, count in sorted(PROBES.items())]
	lines.append(f"total: {sum(PROBES.values())}")
	print("\nSign-in probes\n" + "\n".join(lines))
	with open(os.path.join(os.environ["LNB_ARTIFACTS"], "attack-counts-sign-in.txt"), "w") as out:
		out.write("\n".join(lines) + "\n")


@pytest.fixture(autouse=True)
def fresh_allowances():
	frappe.cache.delete_keys("rl:lnb-sign-in")
	yield
	frappe.cache.delete_keys("rl:lnb-sign-in")


@pytest.fixture()
def mailbox(account_for):
	box, controller = listening(free_port())
	account_for(box.port)
	yield box
	controller.stop()


@pytest.fixture()
def behind_the_proxy() -> str:
	"""The web server behind the site's proxy (scripts/lib.sh): a request sent there from loopback stands for
	one the proxy passed on, with the client's address in X-Forwarded-For, as the proxy writes it."""
	assert frappe.get_site_config().get("lnb_trusted_proxy_count") == 1
	return os.environ["LNB_WEB_URL"]


@pytest.fixture()
def host_name(base_url):
	"""The site's own address in its config, as the set-up writes it (scripts/lib.sh)."""
	kept = frappe.get_site_config().get("host_name")
	update_site_config("host_name", base_url)
	yield base_url
	update_site_config("host_name", kept or "None")


@pytest.fixture()
def email_link_turned_on():
	"""An administrator turns "Login with email link" on between two migrates."""
	frappe.db.rollback()
	frappe.db.set_single_value("System Settings", "login_with_email_link", 1)
	frappe.db.commit()
	yield
	frappe.db.rollback()
	require_two_factor_sign_in()
	frappe.db.commit()


def signed_in_as(session: requests.Session, base_url: str) -> str:
	response = session.get(f"{base_url}/api/method/frappe.auth.get_logged_user", timeout=30)
	return response.json()["message"] if response.status_code == 200 else "Guest"


def person(role: str) -> str:
	email = make_person(f"sign-in-{role.lower().replace(' ', '-')}-{uuid.uuid4().hex[:6]}@lnb.test", role)
	enrol_authenticator(email)
	return email


def answer(response: requests.Response) -> tuple:
	"""What a client learns from an answer (the session cookie's value aside)."""
	return response.status_code, response.json()


def utc_now() -> datetime.datetime:
	return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def run_queued(job: str, since: datetime.datetime) -> list[str]:
	"""Takes the sign-in page's mail jobs off the queue and runs each in a new process, as a worker would;
	returns the addresses they were queued for."""
	queued = [
		queued_job
		for queued_job in get_queue("short").get_jobs()
		if queued_job.kwargs.get("site") == frappe.local.site
		and queued_job.kwargs.get("method") == job
		and queued_job.enqueued_at >= since
	]
	addresses = []
	for queued_job in queued:
		queued_job.delete()
		addresses.append(queued_job.kwargs["kwargs"]["address"])
		bench_execute(job, queued_job.kwargs["kwargs"])
	return addresses


def mails_to(email: str, since: datetime.datetime) -> list:
	frappe.db.rollback()
	queues = frappe.get_all(
		"Email Queue Recipient", filters={"recipient": email, "creation": (">=", since)}, pluck="parent"
	)
	rows = frappe.get_all("Email Queue", filters={"name": ("in", queues or [""])}, fields=["message"])
	return [message_from_string(row.message, policy=policy.default) for row in rows]


def links_in(mail) -> list[str]:
	body = mail.get_body(("html", "plain")).get_content()
	return re.findall(r"""https?://[^\s"'<>]+""", body)


def sign_in_with_code(session: requests.Session, base_url: str, email: str, password: str) -> dict:
	asked = session.post(login_url(base_url), data={"usr": email, "pwd": password}, timeout=30)
	assert asked.status_code == 200, asked.text
	assert asked.json()["verification"]["method"] == "OTP App", asked.text
	assert signed_in_as(session, base_url) == "Guest"
	done = session.post(
		login_url(base_url), data={"otp": current_code(email), "tmp_id": asked.json()["tmp_id"]}, timeout=30
	)
	return done.json()


def test_reset_and_sign_in_links_answer_the_same_for_a_real_and_an_unknown_address(
	base_url, email_link_turned_on
):
	coordinator = person(COORDINATOR)
	since = utc_now()
	targets = [coordinator, coordinator.upper(), f"nobody-{uuid.uuid4().hex[:6]}@lnb.test", "Administrator"]
	for method, field in ((RESET_METHOD, "user"), (LINK_METHOD, "email")):
		answers = []
		for target in targets:
			with requests.Session() as guest:
				response = guest.post(f"{base_url}/api/method/{method}", data={field: target}, timeout=30)
			PROBES[f"{method} real/unknown address"] += 1
			answers.append(answer(response))
		assert len(set(map(repr, answers))) == 1, answers
		assert answers[0][0] == 200
		frappe.cache.delete_keys("rl:lnb-sign-in")
	# the lookup is the job's, queued for every address alike
	queued = [
		job.kwargs["kwargs"]["address"]
		for job in get_queue("short").get_jobs()
		if job.kwargs.get("site") == frappe.local.site
		and job.enqueued_at >= since
		and job.kwargs.get("method") in (RESET_LINK_JOB, SIGN_IN_LINK_JOB)
	]
	assert sorted(queued) == sorted(targets * 2)
	for job in get_queue("short").get_jobs():
		if job.kwargs.get("site") == frappe.local.site and job.enqueued_at >= since:
			job.delete()


def test_a_wrong_password_answers_the_same_for_a_real_and_an_unknown_account(base_url):
	coordinator = person(COORDINATOR)
	answers = set()
	for target in (coordinator, f"nobody-{uuid.uuid4().hex[:6]}@lnb.test"):
		with requests.Session() as guest:
			response = guest.post(login_url(base_url), data={"usr": target, "pwd": "wrong-Pa55!"}, timeout=30)
		PROBES["wrong password real/unknown account"] += 1
		answers.add(repr(answer(response)))
	assert len(answers) == 1, answers


@pytest.mark.parametrize("role", [CASEWORKER, COORDINATOR])
def test_a_reset_link_sets_the_password_but_opens_no_session_until_the_code(
	base_url, role, mailbox, host_name
):
	email = person(role)
	since = utc_now()
	with requests.Session() as guest:
		asked = guest.post(
			f"{base_url}/api/method/{RESET_METHOD}",
			data={"user": email},
			headers={"Host": f"{FORGED_HOST}:8000"},
			timeout=30,
		)
		PROBES["reset asked with a forged Host"] += 1
		assert asked.status_code == 200, asked.text
	assert run_queued(RESET_LINK_JOB, since) == [email]
	(mail,) = mails_to(email, since)
	(link,) = [link for link in links_in(mail) if "/update-password?key=" in link]
	assert FORGED_HOST not in link
	assert urlparse(link).netloc == urlparse(host_name).netloc, link
	key = re.search(r"key=([0-9a-f]+)", link).group(1)

	with requests.Session() as holder_of_the_mailbox:
		page = holder_of_the_mailbox.get(link, timeout=30)
		assert page.status_code == 200
		done = holder_of_the_mailbox.post(
			f"{base_url}/api/method/{UPDATE_PASSWORD_METHOD}",
			data={"new_password": NEW_PASSWORD, "key": key},
			timeout=30,
		)
		PROBES["reset key followed to update_password"] += 1
		assert (done.status_code, done.json()["message"]) == (200, "/login"), done.text
		assert signed_in_as(holder_of_the_mailbox, base_url) == "Guest"
		# the key is spent, and the new password (then the code) is the way in
		again = holder_of_the_mailbox.post(
			f"{base_url}/api/method/{UPDATE_PASSWORD_METHOD}",
			data={"new_password": NEW_PASSWORD + "x", "key": key},
			timeout=30,
		)
		assert again.status_code == 410 and signed_in_as(holder_of_the_mailbox, base_url) == "Guest"
		assert sign_in_with_code(holder_of_the_mailbox, base_url, email, NEW_PASSWORD)["message"] == (
			"Logged In"
		)
		assert signed_in_as(holder_of_the_mailbox, base_url) == email
	frappe.db.rollback()
	assert frappe.db.get_value("User", email, "last_password_reset_date") == datetime.date.today()
	update_password(email, PASSWORD)
	frappe.db.commit()


def test_a_sign_in_link_opens_no_session_for_anyone_asked_for_a_code(
	base_url, mailbox, host_name, email_link_turned_on
):
	coordinator = person(COORDINATOR)
	doctor = make_person(f"sign-in-website-{uuid.uuid4().hex[:6]}@lnb.test")
	assert frappe.db.get_value("User", doctor, "user_type") == "Website User"
	# a site whose System Settings were never saved in the desk asks only the casework roles for a code
	all_asked = frappe.db.get_value("Role", "All", "two_factor_auth")
	frappe.db.set_value("Role", "All", "two_factor_auth", 0)
	frappe.db.commit()
	since = utc_now()
	for address in (coordinator, doctor):
		with requests.Session() as guest:
			response = guest.post(f"{base_url}/api/method/{LINK_METHOD}", data={"email": address}, timeout=30)
			PROBES["sign-in link asked"] += 1
			assert response.status_code == 200, response.text
	assert sorted(run_queued(SIGN_IN_LINK_JOB, since)) == sorted([coordinator, doctor])
	assert mails_to(coordinator, since) == [], "no link for anyone asked for a code"

	# a website account (no desk, no code) is mailed its link, which opens its session, as Frappe intends
	(mail,) = mails_to(doctor, since)
	(link,) = [link for link in links_in(mail) if "login_via_key" in link]
	assert urlparse(link).netloc == urlparse(host_name).netloc, link
	with requests.Session() as doctors_browser:
		doctors_browser.get(link, timeout=30)
		PROBES["sign-in link followed"] += 1
		assert signed_in_as(doctors_browser, base_url) == doctor

	# the example as written: a link Frappe itself made for the coordinator (one mailed before the
	# upgrade, or by another app) opens no session
	frappe.db.rollback()
	link = _generate_temporary_login_link(coordinator, 10)
	with requests.Session() as holder_of_the_mailbox:
		response = holder_of_the_mailbox.get(link, timeout=30)
		PROBES["login_via_key with a coordinator's key"] += 1
		assert response.status_code == 401, response.text
		assert "authenticator app" in response.text
		assert signed_in_as(holder_of_the_mailbox, base_url) == "Guest"
		assert sign_in_with_code(holder_of_the_mailbox, base_url, coordinator, PASSWORD)["message"] == (
			"Logged In"
		)
	frappe.db.set_value("Role", "All", "two_factor_auth", all_asked)
	frappe.db.commit()


def wrong_password(url: str, email: str, forwarded_for: str | None = None) -> requests.Response:
	headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
	with requests.Session() as guest:
		return guest.post(
			login_url(url),
			data={"usr": email, "pwd": "guess-" + uuid.uuid4().hex},
			headers=headers,
			timeout=30,
		)


def test_a_guest_cannot_lock_a_coordinator_out_and_is_limited_by_the_address_the_site_trusts(
	base_url, behind_the_proxy
):
	coordinator = person(COORDINATOR)
	guest_address = "198.51.100.7"
	statuses = []
	for _attempt in range(FAILED_SIGN_INS_ALLOWED + 1):
		statuses.append(wrong_password(behind_the_proxy, coordinator, guest_address).status_code)
		PROBES["wrong password from a guest"] += 1
	assert statuses == [401] * FAILED_SIGN_INS_ALLOWED + [429]

	# whatever the guest writes before the address the proxy saw, and a right password too: the same refusal
	refusals = set()
	for forwarded in (
		f"6.6.6.6, {guest_address}",
		f"10.0.0.1,{guest_address}",
		f"{guest_address}, {guest_address}",
	):
		response = wrong_password(behind_the_proxy, coordinator, forwarded)
		PROBES["X-Forwarded-For variant"] += 1
		refusals.add(repr(answer(response)))
	with requests.Session() as guest:
		right = guest.post(
			login_url(behind_the_proxy),
			data={"usr": coordinator, "pwd": PASSWORD},
			headers={"X-Forwarded-For": guest_address},
			timeout=30,
		)
		PROBES["right password past the allowance"] += 1
		refusals.add(repr(answer(right)))
		assert "tmp_id" not in right.text
	assert len(refusals) == 1, refusals
	assert right.status_code == 429
	assert "wait 15 minutes" in right.json()["message"] and "Forgot Password" in right.json()["message"]

	# the coordinator, from their own address, signs in with password and code
	with requests.Session() as session:
		session.headers["X-Forwarded-For"] = "203.0.113.5"
		assert sign_in_with_code(session, behind_the_proxy, coordinator, PASSWORD)["message"] == "Logged In"
		assert signed_in_as(session, behind_the_proxy) == coordinator


def test_through_the_proxy_x_forwarded_for_buys_no_more_tries(base_url):
	coordinator = person(COORDINATOR)
	statuses = [
		wrong_password(base_url, coordinator, f"192.0.2.{attempt}").status_code
		for attempt in range(FAILED_SIGN_INS_ALLOWED + 2)
	]
	PROBES["X-Forwarded-For variant through the proxy"] += len(statuses)
	assert statuses == [401] * FAILED_SIGN_INS_ALLOWED + [429, 429]


def test_timing_of_a_wrong_password_for_a_real_and_an_unknown_account_is_printed(behind_the_proxy):
	"""Figures only (the work is the same by construction, see sign_in/attempts.py): interleaved medians,
	each sample from an address of its own so that no allowance runs out."""
	import statistics
	import time

	coordinator = person(COORDINATOR)
	unknown = f"nobody-{uuid.uuid4().hex[:6]}@lnb.test"
	took = {"real": [], "unknown": []}
	answers = set()
	for sample in range(30):
		for kind, target in (("real", coordinator), ("unknown", unknown)):
			started = time.perf_counter()
			response = wrong_password(
				behind_the_proxy, target, f"198.18.{sample}.{len(took[kind]) % 250 + 1}"
			)
			took[kind].append(time.perf_counter() - started)
			answers.add(repr(answer(response)))
			PROBES["timing sample"] += 1
	assert len(answers) == 1, answers
	medians = {kind: round(statistics.median(values) * 1000, 1) for kind, values in took.items()}
	print(f"\nWrong password, median ms of 30 interleaved each: {medians}")
