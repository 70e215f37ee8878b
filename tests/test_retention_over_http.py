"""The daily retention job (docs/erasure-and-retention.md, "Retention") on cases closed at different dates,
open cases and reopened ones: it anonymises only the cases whose retention period has ended, once; it
warns the coordinators once, through a real SMTP server, of those to be anonymised within the set days,
with no personal data; and what it did is listed for coordinators only, read over HTTP."""

import datetime
import json
import os
import subprocess
import uuid

import frappe
import pytest
from frappe.utils import getdate, now_datetime
from test_intake_mail_over_http import free_port, listening

from lnb_casework.data_protection.retention import latest_closing_due_by

JOB = "lnb_casework.data_protection.retention_job.anonymise_cases_past_retention"
MONTHS, WARNING_DAYS = 72, 30
COORDINATOR = "retention-coordinator@lnb.test"
RECIPIENTS = ("retention-one@example.com", "retention-two@example.com")
WARNING, ANONYMISED = "Retention warning", "Anonymised after retention"


def days_after(day: datetime.date, days: int) -> datetime.date:
	return day + datetime.timedelta(days=days)


def make_case(label: str, history: list[tuple[str, datetime.date]]) -> dict:
	"""A case whose state changes are `history` (state, day), and whose state is the last of them."""
	marker = uuid.uuid4().hex[:10]
	digits = f"{uuid.uuid4().int % 10**7:07d}"  # each doctor their own GMC number and phone
	case = frappe.get_doc(
		{
			"doctype": "Case",
			"doctor_name": f"Dr {label} Keptlong",
			"email": f"retention-{marker}@example.com",
			"phone": f"+44 7700 {digits[:6]}",
			"gmc_number": digits,
			"what_happened": f"Narrative marker {marker} for case {label}.",
			"wellbeing": "I am safe and do not need urgent support",
			"consent_given": 1,
		}
	).insert(ignore_permissions=True)
	frappe.db.delete("Case State Change", {"case": case.name})
	previous = ""
	for state, day in history:
		frappe.get_doc(
			{
				"doctype": "Case State Change",
				"case": case.name,
				"from_state": previous,
				"to_state": state,
				"changed_by": "Administrator",
				"changed_on": datetime.datetime.combine(day, datetime.time(10, 30)),
			}
		).insert(ignore_permissions=True)
		previous = state
	frappe.db.set_value("Case", case.name, "workflow_state", previous, update_modified=False)
	return {
		"name": case.name,
		"personal": (case.doctor_name, case.email, case.phone, case.gmc_number, marker),
	}


@pytest.fixture()
def retention_settings():
	frappe.db.rollback()
	settings = frappe.get_single("LNB Settings")
	kept = {field: settings.get(field) for field in ("retention_months", "retention_warning_days")}
	kept["coordinator_alert_emails"] = settings.coordinator_alert_emails
	settings.update(
		{
			"retention_months": MONTHS,
			"retention_warning_days": WARNING_DAYS,
			"coordinator_alert_emails": "\n".join(RECIPIENTS),
		}
	)
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	yield
	frappe.db.rollback()
	settings = frappe.get_single("LNB Settings")
	settings.update(kept)
	settings.save(ignore_permissions=True)
	frappe.db.commit()


@pytest.fixture()
def cases():
	"""Cases closed, withdrawn, reopened and open at the dates the job tells apart; taken away afterwards."""
	frappe.db.rollback()
	today = getdate()
	boundary = latest_closing_due_by(today, MONTHS)  # closed on or before it: due today
	long_ago = days_after(boundary, -400)
	made = {
		"referred_on_long_ago": make_case(
			"Longago", [("New", long_ago), ("Referred On", days_after(long_ago, 90))]
		),
		"withdrawn_at_boundary": make_case(
			"Boundary", [("New", days_after(boundary, -30)), ("Withdrawn", boundary)]
		),
		"closes_out_tomorrow": make_case(
			"Tomorrow", [("New", days_after(boundary, -60)), ("Closed", days_after(boundary, 1))]
		),
		"closes_out_in_warning_days": make_case(
			"Warned", [("New", days_after(boundary, -60)), ("Withdrawn", days_after(boundary, WARNING_DAYS))]
		),
		"closes_out_after_warning_days": make_case(
			"Later", [("New", days_after(boundary, -60)), ("Closed", days_after(boundary, WARNING_DAYS + 1))]
		),
		"reopened_and_closed_again": make_case(
			"Reclosed",
			[
				("New", long_ago),
				("Closed", days_after(long_ago, 30)),
				("Triage", days_after(long_ago, 60)),
				("Closed", days_after(boundary, 5)),
			],
		),
		"reopened_still_open": make_case(
			"Reopened",
			[("New", long_ago), ("Closed", days_after(long_ago, 30)), ("Triage", days_after(long_ago, 60))],
		),
		"open_for_years": make_case("Open", [("New", long_ago), ("Under Review", days_after(long_ago, 5))]),
	}
	frappe.db.commit()
	yield made
	frappe.db.rollback()
	names = [case["name"] for case in made.values()]
	about_them = {"reference_doctype": "Case", "reference_name": ("in", names)}
	warnings = frappe.get_all("LNB Alert Log", filters=about_them, pluck="email_queue")
	for queued in {*filter(None, warnings), *frappe.get_all("Email Queue", filters=about_them, pluck="name")}:
		frappe.delete_doc("Email Queue", queued, ignore_permissions=True, force=True)
	frappe.db.delete("LNB Alert Log", about_them)
	for name in names:
		frappe.db.delete("Case State Change", {"case": name})
		frappe.db.delete("Error Log", {"reference_name": name})
		frappe.delete_doc("Case", name, ignore_permissions=True, force=True)
	frappe.db.commit()


@pytest.fixture()
def mailbox(account_for):
	box, controller = listening(free_port())
	account_for(box.port)
	yield box
	controller.stop()


def bench_execute(method: str) -> str:
	"""Runs a method on the test site in a process of its own, as the scheduler does; what it printed."""
	return subprocess.run(
		["bench", "--site", os.environ["LNB_SITE"], "execute", method],
		cwd=os.environ["LNB_BENCH"],
		check=True,
		capture_output=True,
		text=True,
		timeout=180,
	).stdout


def run_job() -> list[str]:
	"""The cases the daily job anonymised (bench execute prints what the method returns as JSON, unless
	it is empty)."""
	printed = bench_execute(JOB).strip().splitlines()
	return json.loads(printed[-1]) if printed else []


def anonymised(cases: dict) -> set[str]:
	frappe.db.rollback()
	names = {case["name"]: label for label, case in cases.items()}
	done = frappe.get_all(
		"Case", filters={"name": ("in", list(names)), "anonymised_on": ("is", "set")}, pluck="name"
	)
	return {names[name] for name in done}


def alert_rows(alert: str, cases: dict) -> list[dict]:
	frappe.db.rollback()
	return frappe.get_all(
		"LNB Alert Log",
		filters={"alert": alert, "reference_name": ("in", [case["name"] for case in cases.values()])},
		fields=["reference_name", "detail", "email_queue"],
		order_by="reference_name asc",
	)


def labels_of(names, cases: dict) -> set[str]:
	by_name = {case["name"]: label for label, case in cases.items()}
	return {by_name[name] for name in names if name in by_name}


def test_the_job_is_scheduled_before_the_morning_alerts():
	cron = frappe.get_hooks("scheduler_events")["cron"]
	(when,) = [when for when, jobs in cron.items() if JOB in jobs]
	alerts = [
		when for when, jobs in cron.items() if "lnb_casework.alerts.scheduled.send_weekly_digest" in jobs
	]
	assert int(when.split()[1]) < int(alerts[0].split()[1])


def test_the_job_anonymises_only_what_is_due_once_and_warns_once(
	retention_settings, cases, mailbox, user_session, base_url
):
	due = {"referred_on_long_ago", "withdrawn_at_boundary"}
	to_warn = {"closes_out_tomorrow", "closes_out_in_warning_days", "reopened_and_closed_again"}
	started = now_datetime()

	done = run_job()
	frappe.db.rollback()
	errors = frappe.get_all(
		"Error Log",
		filters={"reference_name": ("in", [case["name"] for case in cases.values()])},
		pluck="error",
	)
	assert errors == [], errors[0][-2000:]
	assert labels_of(done, cases) == due
	assert anonymised(cases) == due
	for label, case in cases.items():  # erased from the due cases only, the same way as on request
		row = frappe.db.get_value(
			"Case", case["name"], ["doctor_name", "email", "phone", "gmc_number", "what_happened"]
		)
		still_held = [value for value in case["personal"] if any(value in (field or "") for field in row)]
		assert still_held == ([] if label in due else list(case["personal"])), label
	assert labels_of([row.reference_name for row in alert_rows(ANONYMISED, cases)], cases) == due
	warned = alert_rows(WARNING, cases)
	assert labels_of([row.reference_name for row in warned], cases) == to_warn
	assert len({row.email_queue for row in warned}) == 1, "one email lists every case to warn about"

	# the warning reaches the coordinators, with the references and dates only
	bench_execute("frappe.email.queue.flush")
	delivered = mailbox.wait_for(lambda message: "anonymised soon" in message["Subject"], count=2)
	assert sorted(address for message in delivered for address in message.envelope_recipients) == sorted(
		RECIPIENTS
	)
	body = delivered[0].get_body(preferencelist=("html", "plain")).get_content()
	for label, case in cases.items():
		assert (case["name"] in body) == (label in to_warn), label
		for personal in case["personal"]:
			assert personal not in body, (label, personal)

	# a second run does nothing: nothing anonymised again, nobody warned again
	assert labels_of(run_job(), cases) == set()
	assert len(alert_rows(ANONYMISED, cases)) == len(due)
	assert alert_rows(WARNING, cases) == warned
	frappe.db.rollback()
	queued_since = frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "LNB Settings", "creation": (">=", started)},
		pluck="name",
	)
	assert queued_since == [warned[0].email_queue]

	# what the job did is the coordinators' to read, and no casework role's
	coordinator = user_session(COORDINATOR, "LNB Coordinator")
	read = coordinator.get(
		f"{base_url}/api/resource/LNB Alert Log",
		params={
			"filters": json.dumps({"alert": ANONYMISED}),
			"fields": json.dumps(["reference_name", "detail"]),
			"limit_page_length": 0,
		},
		timeout=30,
	)
	assert read.status_code == 200, read.text
	seen = {row["reference_name"]: row["detail"] for row in read.json()["data"]}
	assert labels_of(seen, cases) == due
	assert f"kept {MONTHS} months" in seen[cases["referred_on_long_ago"]["name"]]
	row = alert_rows(ANONYMISED, cases)[0].reference_name
	name = frappe.db.get_value("LNB Alert Log", {"alert": ANONYMISED, "reference_name": row})
	for email, role in (
		("retention-caseworker@lnb.test", "LNB Caseworker"),
		("retention-policy-lead@lnb.test", "LNB Policy Lead"),
	):
		session = user_session(email, role)
		listed = session.get(
			f"{base_url}/api/resource/LNB Alert Log", params={"filters": json.dumps({"alert": ANONYMISED})}
		)
		assert listed.status_code == 403, (role, listed.status_code)
		one = session.get(f"{base_url}/api/resource/LNB Alert Log/{name}")
		assert one.status_code == 403, (role, one.status_code)
