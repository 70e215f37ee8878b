"""What the intake form sends, and how the HTTP tests send it."""

import base64
import datetime
import json

import frappe
from bench_commands import site_command

# the intake's own guest endpoint, which the form's script calls
INTAKE = "/api/method/lnb_casework.api.intake.submit"
# the background job a new case's commit queues to send its mail (docs/intake-mail.md)
OWED_MAIL_JOB = "lnb_casework.intake.alerts.send_owed_intake_mail"
# Frappe's web form endpoint, left as Frappe ships it: it must never make a case
FRAPPE_ACCEPT = "/api/method/frappe.website.doctype.web_form.web_form.accept"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def data_url(content: bytes, mime: str = "application/pdf") -> str:
	return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def answers(address: str, **changes) -> dict:
	consent_version = frappe.db.get_single_value("LNB Settings", "consent_version")
	values = {
		"doctor_name": "Dr Olu Adeyemi",
		"email": address,
		"phone": "+44 7700 900456",
		"contact_preference": "Phone",
		"gmc_number": "1234567",
		"grade": "Specialty, associate specialist or specialist (SAS)",
		"specialty": "Emergency medicine",
		"employer_name": "Westshire University Hospitals",
		"what_happened": "After I raised concerns about rota gaps I was referred to the GMC by my employer.",
		"processes": [
			{"process_type": "GMC fitness to practise", "details": "provisional enquiry"},
			{"process_type": "Whistleblowing (raising concerns)"},
		],
		"key_dates": [{"description": "Reply to the GMC", "date": "2027-01-08"}],
		"discrimination": "Yes",
		"discrimination_kinds": [{"kind": "Race"}],
		"wellbeing": "I am safe and do not need urgent support",
		"equality_ethnic_group": "Black, Black British, Caribbean or African",
		"equality_age_band": "40–49",
		"equality_religion_or_belief": "Prefer not to say",
		"consent_given": 1,
		"lnb_consent_version": consent_version,
		"lnb_attachments": [{"file_name": "gmc-letter.pdf", "content": data_url(PDF)}],
	}
	values.update(changes)
	return values


def submit(session, base_url, payload, raw: str | None = None):
	return session.post(
		f"{base_url}{INTAKE}",
		data={"data": raw if raw is not None else json.dumps(payload)},
		timeout=60,
	)


def cases_for(email: str) -> list[str]:
	frappe.db.rollback()
	return frappe.get_all("Case", filters={"email": email}, pluck="name")


def server_message(response) -> str:
	return " ".join(
		json.loads(message)["message"] for message in json.loads(response.json()["_server_messages"])
	)


def remove_intake_case(name: str) -> None:
	"""Takes away a case made by an intake test, with its files and queued mail."""
	for file in frappe.get_all(
		"File", filters={"attached_to_doctype": "Case", "attached_to_name": name}, pluck="name"
	):
		frappe.delete_doc("File", file, ignore_permissions=True, force=True)
	frappe.db.delete("Email Queue", {"reference_doctype": "Case", "reference_name": name})
	frappe.delete_doc("Case", name, ignore_permissions=True, force=True)


def bench_execute(method: str, kwargs: dict | None = None) -> None:
	"""Runs a method on the test site in a new process, as the scheduler or a worker would."""
	result = site_command("execute", method, *(["--kwargs", repr(kwargs)] if kwargs else []), timeout=120)
	assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def utc_now() -> datetime.datetime:
	"""Now, as the job queue keeps its times (naive UTC): taken before a submission, for run_mail_job."""
	return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def take_mail_job(case: str, since: datetime.datetime) -> None:
	"""Takes off the queue the job that the case's submission queued to send its mail, checking there is one
	(the tests start no worker, and a bench's workers are shared with its other sites). `since` is a time
	before the submission: a deleted case's reference is given again, and an earlier run's job for it may
	still be queued."""
	from frappe.utils.background_jobs import get_queue

	queued = [
		job
		for job in get_queue("short").get_jobs()
		if job.kwargs.get("site") == frappe.local.site
		and job.kwargs.get("kwargs") == {"case": case}
		and job.enqueued_at >= since
	]
	assert [job.kwargs["method"] for job in queued] == [OWED_MAIL_JOB], (
		"one job, queued as the case committed"
	)
	for job in queued:
		job.delete()


def run_mail_job(case: str, since: datetime.datetime) -> None:
	"""The case's mail job, taken off the queue and run in a new process as a worker runs it: a worker starts
	each job afresh, where this process keeps the outgoing Email Account an earlier test used."""
	take_mail_job(case, since)
	bench_execute(OWED_MAIL_JOB, {"case": case})
