"""The public intake as a guest meets it: real HTTP against the served test site."""

import json

import frappe
import pytest
import requests
from intake_payloads import (
	FRAPPE_ACCEPT,
	PDF,
	answers,
	cases_for,
	data_url,
	run_mail_job,
	server_message,
	submit,
	utc_now,
)
from test_intake_mail_over_http import free_port


def test_a_valid_submission_creates_one_case_with_everything_right(
	guest, base_url, intake_open, doctor_email, account_for
):
	account_for(free_port())  # mail is queued only with an outgoing account; nothing listens there
	submitted = utc_now()
	response = submit(guest, base_url, answers(doctor_email))
	assert response.status_code == 200, response.text
	reply = response.json()["message"]
	assert set(reply) == {"name", "urgent", "coordinator_being_alerted", "signposting"}, (
		"the guest gets the reference and what happened, never the document"
	)
	assert "_server_messages" not in response.json(), (
		"nothing about the site's mail set-up reaches the doctor"
	)
	assert (reply["urgent"], reply["signposting"], reply["coordinator_being_alerted"]) == (False, "", False)

	assert cases_for(doctor_email) == [reply["name"]]
	case = frappe.get_doc("Case", reply["name"])
	sent = answers(doctor_email)
	for field in (
		"doctor_name",
		"phone",
		"contact_preference",
		"gmc_number",
		"grade",
		"specialty",
		"employer_name",
		"what_happened",
		"discrimination",
		"wellbeing",
	):
		assert case.get(field) == sent[field], field
	assert [(row.process_type, row.details or None) for row in case.processes] == [
		("GMC fitness to practise", "provisional enquiry"),
		("Whistleblowing (raising concerns)", None),
	]
	assert [(row.description, str(row.date)) for row in case.key_dates] == [
		("Reply to the GMC", "2027-01-08")
	]
	assert [row.kind for row in case.discrimination_kinds] == ["Race"]
	assert case.consent_given == 1 and case.consent_source == "Web form"
	assert case.consent_version == sent["lnb_consent_version"]
	assert case.consent_wording == frappe.db.get_single_value("LNB Settings", "consent_wording")
	assert case.owner == "Guest" and case.workflow_state == "New" and case.priority == "Normal"

	assert frappe.db.count("Equality Monitoring", {"case": case.name}) == 1
	equality = frappe.get_doc("Equality Monitoring", {"case": case.name})
	assert equality.ethnic_group == "Black, Black British, Caribbean or African"
	assert equality.age_band == "40–49"
	assert equality.religion_or_belief == "Prefer not to say"
	assert not equality.sex

	files = frappe.get_all(
		"File",
		filters={"attached_to_doctype": "Case", "attached_to_name": case.name},
		fields=["file_name", "is_private", "file_url"],
	)
	assert len(files) == 1
	assert files[0].file_name == "gmc-letter.pdf" and files[0].is_private == 1
	assert files[0].file_url.startswith("/private/files/")

	about_the_case = {"reference_doctype": "Case", "reference_name": case.name}
	assert not frappe.db.count("Email Queue", about_the_case), "the doctor's request renders no mail"
	run_mail_job(case.name, submitted)
	frappe.db.rollback()
	queued = frappe.get_all(
		"Email Queue", filters=about_the_case, fields=["name", "message"], order_by="creation"
	)
	recipients = [
		frappe.get_all("Email Queue Recipient", filters={"parent": q.name}, pluck="recipient") for q in queued
	]
	assert [sorted(r) for r in recipients] == [
		[doctor_email],
		["coordinator-one@example.com", "coordinator-two@example.com"],
	]
	for q in queued:
		assert case.name in q.message
		assert "Adeyemi" not in q.message and "rota gaps" not in q.message and "1234567" not in q.message


def test_urgent_support_shows_signposting_and_alerts_coordinators(
	guest, base_url, intake_open, doctor_email, account_for
):
	account_for(free_port())  # mail is queued only with an outgoing account; nothing listens there
	submitted = utc_now()
	response = submit(guest, base_url, answers(doctor_email, wellbeing="I need urgent support"))
	assert response.status_code == 200, response.text
	reply = response.json()["message"]
	assert reply["urgent"] is True and reply["coordinator_being_alerted"] is True
	assert "116 123" in reply["signposting"]
	run_mail_job(reply["name"], submitted)
	frappe.db.rollback()
	assert frappe.db.get_value("Case", reply["name"], "priority") == "Urgent"
	urgent = frappe.get_all(
		"Email Queue", filters={"reference_name": reply["name"], "priority": 10}, fields=["message"]
	)
	assert len(urgent) == 1 and "Urgent" in urgent[0].message


BAD_ANSWERS = {
	"missing consent": ({"consent_given": 0}, "consent_given", "consent"),
	"missing name": ({"doctor_name": ""}, "doctor_name", "your name"),
	"missing account": ({"what_happened": "  "}, "what_happened", "what happened"),
	"missing wellbeing": ({"wellbeing": ""}, "wellbeing", "safe"),
	"malformed email": ({"email": "olu.adeyemi@nhs"}, "email", "email address"),
	"malformed GMC number": ({"gmc_number": "GMC123"}, "gmc_number", "7 digits"),
	"oversized account": ({"what_happened": "x" * 20_001}, "what_happened", "20000 characters"),
	"answer not offered": ({"grade": "Emperor"}, "grade", "choose one"),
	"unknown process": ({"processes": [{"process_type": "Trial by combat"}]}, "processes", "Row 1"),
	"stale consent wording": ({"lnb_consent_version": "1999-1"}, "consent_given", "changed"),
	"too many files": (
		{"lnb_attachments": [{"file_name": f"{n}.pdf", "content": data_url(PDF)} for n in range(6)]},
		"lnb_attachments",
		"no more than 5",
	),
	"too large a file": (
		{"lnb_attachments": [{"file_name": "big.pdf", "content": data_url(PDF + b"0" * (6 * 1024 * 1024))}]},
		"lnb_attachments",
		"larger than 5 MB",
	),
	"disallowed file": (
		{
			"lnb_attachments": [
				{"file_name": "run.exe", "content": data_url(b"MZ\x90\x00", "application/octet-stream")}
			]
		},
		"lnb_attachments",
		"not a kind of file",
	),
	"disguised file": (
		{"lnb_attachments": [{"file_name": "letter.pdf", "content": data_url(b"<html><script>x</script>")}]},
		"lnb_attachments",
		"not the kind of file",
	),
	"unreadable file": (
		{"lnb_attachments": [{"file_name": "letter.pdf", "content": "hello"}]},
		"lnb_attachments",
		"could not be read",
	),
}


@pytest.mark.parametrize("changes, field, words", BAD_ANSWERS.values(), ids=BAD_ANSWERS.keys())
def test_bad_input_is_refused_beside_its_field_and_saves_nothing(
	guest, base_url, intake_open, doctor_email, changes, field, words
):
	files_before = frappe.db.count("File")
	response = submit(guest, base_url, answers(doctor_email, **changes))
	assert response.status_code == 417, response.text
	problems = response.json()["field_problems"]
	assert field in problems
	assert words.lower() in problems[field].lower()
	assert words.lower() in server_message(response).lower()
	assert cases_for(doctor_email) == []
	assert frappe.db.count("File") == files_before
	orphans = frappe.db.sql(
		"""select count(*) from `tabEquality Monitoring` equality
		left join `tabCase` c on c.name = equality.case where c.name is null"""
	)[0][0]
	assert orphans == 0


def test_every_problem_is_reported_at_once(guest, base_url, intake_open, doctor_email):
	response = submit(
		guest,
		base_url,
		answers(
			doctor_email,
			email="nope",
			gmc_number="12",
			consent_given=0,
			lnb_attachments=[{"file_name": "x.exe", "content": data_url(b"MZ")}],
		),
	)
	assert response.status_code == 417
	assert set(response.json()["field_problems"]) == {
		"email",
		"gmc_number",
		"consent_given",
		"lnb_attachments",
	}


MALFORMED = {
	"not JSON": "{doctor_name:",
	"a list": "[1, 2, 3]",
	"a string": '"hello"',
	"an object for a value": json.dumps({"doctor_name": {"first": "Olu"}}),
	"a list for a value": json.dumps({"email": ["a@example.com"]}),
	"text for a table": json.dumps({"processes": "GMC fitness to practise"}),
	"a list of lists for a table": json.dumps({"key_dates": [["Hearing", "2027-01-01"]]}),
	"an object inside a row": json.dumps({"processes": [{"process_type": {"x": 1}}]}),
	"files not a list": json.dumps({"lnb_attachments": "letter.pdf"}),
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_payload_of_the_wrong_shape_is_a_4xx(guest, base_url, intake_open, raw):
	cases_before = frappe.db.count("Case")
	response = submit(guest, base_url, None, raw=raw)
	assert 400 <= response.status_code < 500, response.text
	assert server_message(response)
	frappe.db.rollback()
	assert frappe.db.count("Case") == cases_before


def test_editing_an_existing_case_through_the_form_is_refused(guest, base_url, intake_open, doctor_email):
	created = submit(guest, base_url, answers(doctor_email)).json()["message"]["name"]
	response = submit(
		guest, base_url, answers(doctor_email, name=created, what_happened="Rewritten by someone else.")
	)
	assert response.status_code == 403
	frappe.db.rollback()
	assert frappe.db.get_value("Case", created, "what_happened") == answers(doctor_email)["what_happened"]


# what a guest might post to Frappe's own web form endpoint, which the app leaves as Frappe ships it
THROUGH_FRAPPES_ENDPOINT = {
	"the form's own answers": {},
	"what Frappe's web form script adds": {"doctype": "Case", "web_form_name": "submit-a-case"},
	"forged fields": {
		"owner": "Administrator",
		"workflow_state": "Closed",
		"caseworker": "Administrator",
		"priority": "Urgent",
		"consent_source": "Web form",
		"consent_version": "forged",
		"docstatus": 1,
	},
	"markup, no consent version and no documents": {
		"what_happened": "<img src=x onerror=alert(1)> sent past the intake's checks",
		"doctor_name": "<script>alert(1)</script>",
		"lnb_consent_version": None,
		"lnb_attachments": [],
	},
	"answers the intake refuses": {"email": "nope", "gmc_number": "12", "consent_given": 0},
}


@pytest.mark.parametrize("changes", THROUGH_FRAPPES_ENDPOINT.values(), ids=THROUGH_FRAPPES_ENDPOINT.keys())
def test_frappes_web_form_endpoint_makes_no_case(guest, base_url, intake_open, doctor_email, changes):
	"""A case comes only through the intake's own endpoint: the Case controller refuses one a guest would
	create through Frappe's web form endpoint, with nothing left behind."""
	assert_no_case_through_frappes_endpoint(guest, base_url, doctor_email, changes)


@pytest.mark.parametrize("role", ["LNB Caseworker", "LNB Policy Lead"])
def test_frappes_web_form_endpoint_makes_no_case_for_a_user_who_may_not_create_one(
	user_session, base_url, intake_open, doctor_email, role
):
	"""Frappe's endpoint inserts past permissions for anyone signed in too; a user who may not create a
	case gets none through it."""
	session = user_session(f"frappe-accept-{role.split()[-1].lower()}@lnb.test", role)
	assert_no_case_through_frappes_endpoint(session, base_url, doctor_email, {})


def assert_no_case_through_frappes_endpoint(session, base_url: str, email: str, changes: dict) -> None:
	frappe.db.rollback()
	before = {doctype: frappe.db.count(doctype) for doctype in ("Case", "File", "Equality Monitoring")}
	mail_before = frappe.db.count("Email Queue")
	response = session.post(
		f"{base_url}{FRAPPE_ACCEPT}",
		data={"web_form": "submit-a-case", "data": json.dumps(answers(email, **changes))},
		timeout=60,
	)
	# refused as not permitted (every such refusal over the API reads the same, request_guard.py)
	assert response.status_code == 403, response.text[:1000]
	frappe.db.rollback()
	assert cases_for(email) == []
	assert {doctype: frappe.db.count(doctype) for doctype in before} == before
	assert frappe.db.count("Email Queue") == mail_before


def test_submissions_are_rate_limited_with_a_clear_message(guest, base_url, intake_open, doctor_email):
	intake_open.intake_rate_limit = 2
	intake_open.save(ignore_permissions=True)
	frappe.db.commit()
	for _ in range(2):
		assert submit(guest, base_url, answers(doctor_email)).status_code == 200
	refused = submit(guest, base_url, answers(doctor_email))
	assert refused.status_code == 429
	assert "try again in an hour" in server_message(refused)
	assert len(cases_for(doctor_email)) == 2


def test_guest_uploads_through_frappe_stay_closed(guest, base_url):
	frappe.db.rollback()
	assert not frappe.db.get_single_value("System Settings", "allow_guests_to_upload_files")
	response = guest.post(
		f"{base_url}/api/method/upload_file",
		files={"file": ("letter.pdf", PDF, "application/pdf")},
		data={"is_private": "0", "doctype": "Case", "docname": "LNB-2026-00001"},
		timeout=30,
	)
	assert response.status_code == 403


@pytest.fixture()
def submitted_case(guest, base_url, intake_open, doctor_email) -> dict:
	name = submit(guest, base_url, answers(doctor_email)).json()["message"]["name"]
	frappe.db.rollback()
	file_url = frappe.db.get_value("File", {"attached_to_name": name}, "file_url")
	equality = frappe.db.get_value("Equality Monitoring", {"case": name})
	return {"name": name, "file_url": file_url, "equality": equality}


def guest_reads(submitted_case: dict) -> dict[str, tuple[str, str, dict | None]]:
	name = submitted_case["name"]
	missing = "LNB-1999-99999"
	method = "/api/method/"
	reads = {}
	for label, case in (("own case", name), ("missing case", missing)):
		reads |= {
			f"REST read of {label}": ("get", f"/api/resource/Case/{case}", None),
			f"frappe.client.get of {label}": (
				"get",
				f"{method}frappe.client.get",
				{"doctype": "Case", "name": case},
			),
			f"get_value of {label}": (
				"get",
				f"{method}frappe.client.get_value",
				{"doctype": "Case", "filters": json.dumps({"name": case}), "fieldname": "email"},
			),
			f"print of {label}": ("get", "/printview", {"doctype": "Case", "name": case}),
			f"PDF of {label}": (
				"get",
				f"{method}frappe.utils.print_format.download_pdf",
				{"doctype": "Case", "name": case},
			),
			f"form load of {label}": (
				"get",
				f"{method}frappe.desk.form.load.getdoc",
				{"doctype": "Case", "name": case},
			),
			f"web form view of {label}": ("get", f"/submit-a-case/{case}", None),
			f"web form data of {label}": (
				"get",
				f"{method}frappe.website.doctype.web_form.web_form.get_form_data",
				{"doctype": "Case", "docname": case, "web_form_name": "submit-a-case"},
			),
		}
	reads |= {
		"REST list": ("get", "/api/resource/Case", {"fields": json.dumps(["name", "email"])}),
		"frappe.client.get_list": (
			"get",
			f"{method}frappe.client.get_list",
			{"doctype": "Case", "fields": json.dumps(["name"])},
		),
		"frappe.client.get_count": ("get", f"{method}frappe.client.get_count", {"doctype": "Case"}),
		"report view": (
			"get",
			f"{method}frappe.desk.reportview.get",
			{"doctype": "Case", "fields": json.dumps(["name"])},
		),
		"report view count": ("get", f"{method}frappe.desk.reportview.get_count", {"doctype": "Case"}),
		"group-by count": (
			"get",
			f"{method}frappe.desk.listview.get_group_by_count",
			{"doctype": "Case", "field": "workflow_state"},
		),
		"link search": ("get", f"{method}frappe.desk.search.search_link", {"doctype": "Case", "txt": "LNB"}),
		"global search": ("get", f"{method}frappe.utils.global_search.search", {"text": "Adeyemi"}),
		"export": (
			"get",
			f"{method}frappe.desk.reportview.export_query",
			{"doctype": "Case", "file_format_type": "CSV", "fields": json.dumps(["name"])},
		),
		"attachment file": ("get", submitted_case["file_url"], None),
		"equality record": ("get", f"/api/resource/Equality Monitoring/{submitted_case['equality']}", None),
		"equality list": ("get", "/api/resource/Equality Monitoring", None),
		"LNB Settings": ("get", "/api/resource/LNB Settings/LNB Settings", None),
		"REST create": ("post", "/api/resource/Case", {"data": json.dumps(answers("x@example.com"))}),
		"REST update": ("put", f"/api/resource/Case/{name}", {"data": json.dumps({"priority": "High"})}),
		"REST delete": ("delete", f"/api/resource/Case/{name}", None),
	}
	return reads


def test_a_guest_can_read_nothing(guest, base_url, submitted_case):
	for label, (verb, path, params) in guest_reads(submitted_case).items():
		kwargs = {"params": params} if verb == "get" else {"data": params}
		response = getattr(guest, verb)(f"{base_url}{path}", timeout=30, allow_redirects=False, **kwargs)
		assert response.status_code in (401, 403, 404), (
			f"{label}: {response.status_code} {response.text[:300]}"
		)
		assert "Adeyemi" not in response.text and "rota gaps" not in response.text, f"{label} leaks the case"


def test_a_guest_cannot_tell_a_case_that_exists_from_one_that_does_not(guest, base_url, submitted_case):
	reads = guest_reads(submitted_case)
	differing = []
	for label in [label for label in reads if label.endswith("of own case")]:
		answers_to = []
		for case in ("own case", "missing case"):
			_verb, path, params = reads[label.replace("own case", case)]
			response = guest.get(f"{base_url}{path}", params=params, timeout=30, allow_redirects=False)
			answers_to.append(response.status_code)
		differing.extend([f"{label}: {answers_to}"] if answers_to[0] != answers_to[1] else [])
	assert differing == []


def test_a_doctors_files_are_readable_only_by_those_who_may_read_the_case(
	base_url, user_session, submitted_case
):
	coordinator = user_session("intake-coordinator@lnb.test", "LNB Coordinator")
	caseworker = user_session("intake-caseworker@lnb.test", "LNB Caseworker")
	policy_lead = user_session("intake-policy-lead@lnb.test", "LNB Policy Lead")
	file_url = f"{base_url}{submitted_case['file_url']}"

	allowed = coordinator.get(file_url, timeout=30)
	assert allowed.status_code == 200 and allowed.content == PDF
	for who, session in (("caseworker without the case", caseworker), ("policy lead", policy_lead)):
		refused = session.get(file_url, timeout=30)
		assert refused.status_code == 403, who
		assert PDF not in refused.content, who


def test_no_casework_role_can_open_equality_answers(base_url, user_session, submitted_case):
	record = f"{base_url}/api/resource/Equality Monitoring/{submitted_case['equality']}"
	listing = f"{base_url}/api/resource/Equality Monitoring"
	for role in ("LNB Coordinator", "LNB Caseworker", "LNB Policy Lead"):
		session = user_session(f"equality-{role.split()[-1].lower()}@lnb.test", role)
		assert session.get(record, timeout=30).status_code == 403, role
		assert session.get(listing, timeout=30).status_code == 403, role


def test_one_answer_is_checked_by_the_submission_rules(guest, base_url):
	"""What the form asks as a doctor leaves an answer: the server's own message, or nothing."""
	check = f"{base_url}/api/method/lnb_casework.api.intake.answer_problem"

	def problem(fieldname: str, value: str) -> requests.Response:
		return guest.post(check, data={"fieldname": fieldname, "value": value}, timeout=30)

	wrong = problem("email", "dr.jones@")
	assert wrong.status_code == 200 and "does not look like an email address" in wrong.json()["message"]
	assert problem("email", "dr.jones@example.com").json()["message"] == ""
	assert "Please tell us your name" in problem("doctor_name", " ").json()["message"]
	assert "7 digits" in problem("gmc_number", "12345").json()["message"]
	for fieldname in ("consent_given", "name", "owner", "equality_sex"):
		refused = problem(fieldname, "x")
		assert refused.status_code == 400, (fieldname, refused.status_code, refused.text[:200])
