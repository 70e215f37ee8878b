"""Intake mail through a real SMTP server: an urgent alert leaves at once, and mail trouble loses nothing."""

import socket
import time
import uuid
from email import message_from_bytes, policy

import frappe
import pytest
from aiosmtpd.controller import Controller
from intake_payloads import answers, cases_for, submit

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


@pytest.fixture()
def mailbox():
	box = Mailbox()
	controller = Controller(box, hostname="127.0.0.1", port=free_port())
	controller.start()
	box.port = controller.port
	yield box
	controller.stop()


def outgoing_account(port: int) -> str:
	frappe.db.rollback()
	name = (
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": f"LNB intake test {uuid.uuid4().hex[:6]}",
				"email_id": "learnnotblame@example.com",
				"smtp_server": "127.0.0.1",
				"smtp_port": port,
				"use_tls": 0,
				"use_ssl": 0,
				"no_smtp_authentication": 1,
				"enable_outgoing": 1,
				"default_outgoing": 1,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)
	frappe.db.commit()
	return name


@pytest.fixture()
def account_for():
	made = []

	def make(port: int) -> str:
		made.append(outgoing_account(port))
		return made[-1]

	yield make
	frappe.db.rollback()
	for name in made:
		frappe.delete_doc("Email Account", name, ignore_permissions=True, force=True)
	frappe.db.commit()


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
	response = submit(guest, base_url, answers(doctor_email, wellbeing=URGENT))
	assert response.status_code == 200, response.text
	case = response.json()["message"]["name"]

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


def test_smtp_down_loses_nothing(guest, base_url, intake_open, account_for, doctor_email):
	account_for(free_port())  # nothing listens there
	response = submit(guest, base_url, answers(doctor_email, wellbeing=URGENT))
	assert response.status_code == 200, response.text
	case = response.json()["message"]["name"]
	assert cases_for(doctor_email) == [case]

	urgent, *others = queue_rows(case)
	assert urgent.priority == 10 and urgent.status == "Not Sent"
	assert urgent.retry == 1 and "Connection refused" in (urgent.error or ""), "it was tried at once"
	assert [(row.status, row.retry) for row in others] == [("Not Sent", 0), ("Not Sent", 0)]


def test_no_outgoing_account_loses_nothing(guest, base_url, intake_open, doctor_email):
	frappe.db.rollback()
	assert not frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1})
	response = submit(guest, base_url, answers(doctor_email, wellbeing=URGENT))
	assert response.status_code == 200, response.text
	assert "_server_messages" not in response.json(), "the doctor is not told about the site's mail set-up"
	case = response.json()["message"]["name"]
	assert cases_for(doctor_email) == [case]
	assert [row.status for row in queue_rows(case)] == ["Not Sent", "Not Sent", "Not Sent"]
