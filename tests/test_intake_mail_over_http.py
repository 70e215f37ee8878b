"""Intake mail through a real SMTP server: the case's job sends an urgent alert at once, the sweep sends
what a lost job did not, and mail trouble loses nothing and is listed for the coordinators in the LNB Alert
Log."""

import json
import socket
import time
import uuid
from email import message_from_bytes, policy

import frappe
import pytest
from aiosmtpd.controller import Controller
from intake_payloads import (
	answers,
	bench_execute,
	cases_for,
	run_mail_job,
	submit,
	take_mail_job,
	utc_now,
)

URGENT = "I need urgent support"


class Mailbox:
	def __init__(self):
		self.messages = []

	async def handle_DATA(self, server, session, envelope):
		message = message_from_bytes(envelope.content, policy=policy.default)
		message.envelope_recipients = list(envelope.rcpt_tos)
		self.messages.append(message)
		return "250 OK"

	def wait_for(self, predicate, count: int, seconds: float = 10) -> list:
		"""The messages matching, once there are `count` of them or the time is up."""
		deadline = time.monotonic() + seconds
		found = []
		while time.monotonic() < deadline and len(found) < count:
			time.sleep(0.1)
			found = [message for message in self.messages if predicate(message)]
		return found


def free_port() -> int:
	with socket.socket() as probe:
		probe.bind(("127.0.0.1", 0))
		return probe.getsockname()[1]


def listening(port: int):
	"""A real SMTP server on the port, and the Mailbox it fills; stop the controller when done."""
	box = Mailbox()
	controller = Controller(box, hostname="127.0.0.1", port=port)
	controller.start()
	box.port = controller.port
	return box, controller


@pytest.fixture()
def mailbox():
	box, controller = listening(free_port())
	yield box
	controller.stop()


def queue_rows(case: str) -> list:
	frappe.db.rollback()
	return frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Case", "reference_name": case},
		fields=["name", "priority", "status", "retry", "error"],
		order_by="priority desc",
	)


def test_an_urgent_alert_reaches_coordinators_at_once(
	guest, base_url, intake_open, mailbox, account_for, doctor_email
):
	account_for(mailbox.port)
	submitted = utc_now()
	response = submit(guest, base_url, answers(doctor_email, wellbeing=URGENT))
	assert response.status_code == 200, response.text
	case = response.json()["message"]["name"]
	assert response.json()["message"]["coordinator_being_alerted"] is True
	run_mail_job(case, submitted)

	# Frappe delivers a message to each recipient in turn
	urgent = mailbox.wait_for(lambda message: case in message["Subject"], count=2)
	assert urgent, "the urgent alert was not delivered within 10 seconds"
	assert all(message["Subject"].startswith("Urgent") for message in urgent)
	delivered_to = sorted(address for message in urgent for address in message.envelope_recipients)
	assert delivered_to == ["coordinator-one@example.com", "coordinator-two@example.com"]
	body = urgent[0].get_body(preferencelist=("html", "plain")).get_content()
	assert case in body and f"/app/case/{case}" in body
	assert "Adeyemi" not in body and doctor_email not in body

	rows = queue_rows(case)
	assert [(row.priority, row.status) for row in rows] == [(10, "Sent"), (1, "Not Sent"), (1, "Not Sent")]


def mail_not_sent(session, base_url: str, case: str) -> list[dict]:
	"""The "Mail not sent" rows of the LNB Alert Log about the case, as the session reads them over REST."""
	response = session.get(
		f"{base_url}/api/resource/LNB Alert Log",
		params={
			"filters": json.dumps(
				{"alert": "Mail not sent", "reference_doctype": "Case", "reference_name": case}
			),
			"fields": json.dumps(["detail", "email_queue"]),
			"order_by": "detail asc",
		},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	return response.json()["data"]


@pytest.fixture()
def coordinator(user_session):
	return user_session("mail-coordinator@lnb.test", "LNB Coordinator")


@pytest.fixture()
def alert_log_cleared():
	"""Takes away the LNB Alert Log rows a test's cases left. Rows that other tests' deleted cases left go
	first: a deleted case's reference is given again to the next case."""
	frappe.db.rollback()
	frappe.db.delete("LNB Alert Log", {"alert": "Mail not sent"})
	frappe.db.commit()
	cases = []
	yield cases
	frappe.db.rollback()
	for case in cases:
		frappe.db.delete("LNB Alert Log", {"reference_doctype": "Case", "reference_name": case})
	frappe.db.commit()


def test_smtp_down_loses_nothing_and_once_up_the_flush_delivers(
	guest, base_url, intake_open, account_for, doctor_email, coordinator, alert_log_cleared
):
	port = free_port()
	account_for(port)  # nothing listens there yet
	submitted = utc_now()
	response = submit(guest, base_url, answers(doctor_email, wellbeing=URGENT))
	assert response.status_code == 200, response.text
	case = response.json()["message"]["name"]
	alert_log_cleared.append(case)
	assert cases_for(doctor_email) == [case]
	run_mail_job(case, submitted)

	urgent, *others = queue_rows(case)
	assert urgent.priority == 10 and urgent.status == "Not Sent"
	assert urgent.retry == 1 and "Connection refused" in (urgent.error or ""), "it was tried at once"
	assert [(row.status, row.retry) for row in others] == [("Not Sent", 0), ("Not Sent", 0)]
	# a coordinator sees, in the desk's LNB Alert Log, that the urgent alert has not gone yet
	listed = mail_not_sent(coordinator, base_url, case)
	assert len(listed) == 1, listed
	seen = listed[0]
	assert seen["email_queue"] == urgent.name
	assert "mail server failed" in seen["detail"] and case in seen["detail"]

	# the mail server comes up; the scheduler's flush of the Email Queue delivers everything
	box, controller = listening(port)
	try:
		bench_execute("frappe.email.queue.flush")
		# Frappe delivers a message to each recipient in turn: 2 urgent, 2 new-case alerts, 1 receipt
		delivered = box.wait_for(lambda message: case in message["Subject"], count=5)
	finally:
		controller.stop()
	assert sorted(
		(message["Subject"].startswith("Urgent"), *message.envelope_recipients) for message in delivered
	) == [
		(False, "coordinator-one@example.com"),
		(False, "coordinator-two@example.com"),
		(False, doctor_email),
		(True, "coordinator-one@example.com"),
		(True, "coordinator-two@example.com"),
	]
	assert [row.status for row in queue_rows(case)] == ["Sent", "Sent", "Sent"]


def test_no_outgoing_account_loses_nothing_and_tells_the_coordinators(
	guest, base_url, intake_open, doctor_email, coordinator, alert_log_cleared
):
	frappe.db.rollback()
	assert not frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1})
	submitted = utc_now()
	response = submit(guest, base_url, answers(doctor_email, wellbeing=URGENT))
	assert response.status_code == 200, response.text
	assert "_server_messages" not in response.json(), "the doctor is not told about the site's mail set-up"
	reply = response.json()["message"]
	assert reply["urgent"] and not reply["coordinator_being_alerted"], "no alert can go, so none is promised"
	case = reply["name"]
	alert_log_cleared.append(case)
	assert cases_for(doctor_email) == [case]
	run_mail_job(case, submitted)
	# Frappe cannot build a message without an outgoing account, so nothing is queued; the coordinators
	# see each email that was not sent
	assert queue_rows(case) == []
	seen = mail_not_sent(coordinator, base_url, case)
	assert [row["detail"].split(":")[0] for row in seen] == ["No outgoing Email Account is set up"] * 3
	assert sorted(row["detail"].split(": ", 1)[1] for row in seen) == sorted(
		[
			f"Learn Not Blame: we have received your case {case}",
			f"New case {case}",
			f"Urgent: case {case} needs support now",
		]
	)
	assert all(not row["email_queue"] for row in seen)


def coordinator_account(email: str, *, enabled: bool = True, role: str = "LNB Coordinator") -> str:
	frappe.db.rollback()
	frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": email.split("@")[0],
			"send_welcome_email": 0,
			"roles": [{"role": role}],
		}
	).insert(ignore_permissions=True)
	if not enabled:
		# disabling through the form wants a System Manager other than Administrator, which a new site lacks
		frappe.db.set_value("User", email, "enabled", 0)
	frappe.db.commit()
	return email


@pytest.fixture()
def people():
	"""Two enabled coordinators, a disabled one and a caseworker; afterwards disabled, so that later tests'
	alerts do not go to them (a new site has no System Manager but Administrator, so Frappe refuses to
	delete or disable a user through the form)."""
	tag = uuid.uuid4().hex[:8]
	made = {
		"coordinators": [
			coordinator_account(f"coordinator-a-{tag}@example.com"),
			coordinator_account(f"coordinator-b-{tag}@example.com"),
		],
		"disabled": coordinator_account(f"coordinator-gone-{tag}@example.com", enabled=False),
		"caseworker": coordinator_account(f"caseworker-{tag}@example.com", role="LNB Caseworker"),
	}
	yield made
	frappe.db.rollback()
	for email in [*made["coordinators"], made["disabled"], made["caseworker"]]:
		frappe.db.delete("Notification Log", {"for_user": email})
		frappe.db.set_value("User", email, "enabled", 0)
	frappe.db.commit()


def enabled_coordinators() -> list[str]:
	"""Every enabled user with the LNB Coordinator role on the site (other tests' too)."""
	frappe.db.rollback()
	users = frappe.get_all(
		"Has Role", filters={"role": "LNB Coordinator", "parenttype": "User"}, pluck="parent"
	)
	return sorted(frappe.get_all("User", filters={"name": ["in", users], "enabled": 1}, pluck="email"))


def test_with_no_recipients_set_an_urgent_case_alerts_every_enabled_coordinator_by_mail_and_bell(
	guest, base_url, intake_open, mailbox, account_for, doctor_email, people
):
	intake_open.coordinator_alert_emails = ""
	intake_open.save(ignore_permissions=True)
	frappe.db.commit()
	account_for(mailbox.port)
	expected = enabled_coordinators()
	assert set(people["coordinators"]) <= set(expected)
	assert people["disabled"] not in expected and people["caseworker"] not in expected

	submitted = utc_now()
	response = submit(guest, base_url, answers(doctor_email, wellbeing=URGENT))
	assert response.status_code == 200, response.text
	case = response.json()["message"]["name"]
	run_mail_job(case, submitted)

	urgent, *others = queue_rows(case)
	assert urgent.priority == 10 and urgent.status == "Sent"
	assert recipients_of(urgent.name) == expected
	assert sorted(recipients_of(row.name) for row in others) == sorted([expected, [doctor_email]])

	delivered = mailbox.wait_for(lambda message: message["Subject"].startswith("Urgent"), count=len(expected))
	assert sorted(address for message in delivered for address in message.envelope_recipients) == expected

	bells = frappe.get_all(
		"Notification Log",
		filters={"document_type": "Case", "document_name": case},
		fields=["for_user", "type", "subject", "read"],
		order_by="for_user",
	)
	assert sorted(bell.for_user for bell in bells) == expected
	for bell in bells:
		assert bell.type == "Alert" and not bell.read
		assert case in bell.subject and "Urgent" in bell.subject
		assert "Adeyemi" not in bell.subject and doctor_email not in bell.subject


def recipients_of(queue_name: str) -> list[str]:
	return sorted(frappe.get_all("Email Queue Recipient", filters={"parent": queue_name}, pluck="recipient"))


def test_with_no_recipients_set_a_new_case_alerts_every_enabled_coordinator_and_rings_no_bell(
	guest, base_url, intake_open, account_for, doctor_email, people
):
	intake_open.coordinator_alert_emails = ""
	intake_open.save(ignore_permissions=True)
	frappe.db.commit()
	account_for(free_port())  # mail is queued only with an outgoing account; none of it is urgent
	expected = enabled_coordinators()
	submitted = utc_now()
	response = submit(guest, base_url, answers(doctor_email))
	assert response.status_code == 200, response.text
	case = response.json()["message"]["name"]
	run_mail_job(case, submitted)
	assert sorted(recipients_of(row.name) for row in queue_rows(case)) == sorted([expected, [doctor_email]])
	assert not frappe.get_all("Notification Log", filters={"document_type": "Case", "document_name": case})


def test_mail_whose_job_never_ran_is_sent_by_the_sweep_once(
	guest, base_url, intake_open, mailbox, account_for, doctor_email
):
	account_for(mailbox.port)
	submitted = utc_now()
	response = submit(guest, base_url, answers(doctor_email, wellbeing=URGENT))
	assert response.status_code == 200, response.text
	case = response.json()["message"]["name"]
	take_mail_job(case, submitted)  # and lost: a worker that stopped, or Redis emptied
	assert queue_rows(case) == []
	assert frappe.db.exists("Owed Intake Mail", case)

	bench_execute("lnb_casework.intake.alerts.send_intake_mail_still_owed")
	rows = queue_rows(case)
	assert [(row.priority, row.status) for row in rows] == [(10, "Sent"), (1, "Not Sent"), (1, "Not Sent")]
	urgent = mailbox.wait_for(lambda message: case in message["Subject"], count=2)
	assert urgent and all(message["Subject"].startswith("Urgent") for message in urgent)
	assert not frappe.db.exists("Owed Intake Mail", case)

	bench_execute("lnb_casework.intake.alerts.send_intake_mail_still_owed")
	assert len(queue_rows(case)) == 3, "the next sweep sends nothing again"
