"""Subject access over real HTTP (docs/subject-access.md): a coordinator asks for everything held about a
doctor with two cases, the job makes the archive, and the coordinator downloads it. The archive holds every
kind of record about both cases and nothing of another doctor whose case is linked to one of them; every
other role is refused on every route; each case and review exported leaves a View Log."""

import io
import json
import os
import random
import uuid
import zipfile
from datetime import date, datetime

import frappe
import pytest
from frappe.model.workflow import apply_workflow
from intake_payloads import PDF, answers, data_url, remove_intake_case, run_mail_job, submit, utc_now
from test_intake_mail_over_http import free_port

from lnb_casework.casework.related import link_both_ways
from lnb_casework.data_protection.subject_access import build_subject_access_archive
from lnb_casework.data_protection.subject_access_rules import subject_access_due_by
from lnb_casework.lnb_casework.doctype.review.test_review import review_answers

COORDINATOR = "sar-coordinator@lnb.test"
CASEWORKER = "sar-caseworker@lnb.test"
POLICY_LEAD = "sar-policy-lead@lnb.test"
REQUEST = "Subject Access Request"
RESOURCE = f"/api/resource/{REQUEST}"
JOB = "lnb_casework.data_protection.subject_access.build_subject_access_archive"


def gmc_number() -> str:
	return str(random.SystemRandom().randrange(1_000_000, 9_999_999))


@pytest.fixture(scope="module")
def people(user_session):
	return {
		"coordinator": user_session(COORDINATOR, "LNB Coordinator"),
		"caseworker": user_session(CASEWORKER, "LNB Caseworker"),
		"policy lead": user_session(POLICY_LEAD, "LNB Policy Lead"),
	}


def make_doctors(base_url: str) -> dict:
	"""Two cases of one doctor and one of another, through the public intake, and then casework on them.
	Every value of the other doctor carries their own marker."""
	marker = uuid.uuid4().hex[:10]
	other_marker = uuid.uuid4().hex[:10]
	doctor = {
		"email": f"sar-doctor-{marker}@example.com",
		"gmc_number": gmc_number(),
		"name": f"Dr Ama Mensah {marker}",
		"marker": marker,
	}
	other = {
		"email": f"sar-other-{other_marker}@example.com",
		"gmc_number": gmc_number(),
		"name": f"Dr Other Person {other_marker}",
		"phone": f"+44 7700 9{random.SystemRandom().randrange(10_000, 99_999)}",
		"marker": other_marker,
	}
	import requests

	with requests.Session() as guest:

		def send(person: dict, story: str, attachment: bytes, **extra) -> str:
			payload = answers(
				person["email"],
				doctor_name=person["name"],
				gmc_number=person["gmc_number"],
				what_happened=story,
				lnb_attachments=[
					{"file_name": f"letter-{person['marker']}.pdf", "content": data_url(attachment)}
				],
				**extra,
			)
			submitted = utc_now()
			response = submit(guest, base_url, payload)
			assert response.status_code == 200, response.text
			case = response.json()["message"]["name"]
			run_mail_job(case, submitted)  # the doctor's acknowledgement is part of what is held
			return case

		first = send(doctor, f"First story {marker}", PDF + f"first file {marker}".encode())
		second = send(
			doctor,
			f"Second story {marker}",
			PDF + f"second file {marker}".encode(),
			email=doctor["email"].upper(),  # the same doctor, in other letters
			equality_sex="Female",
			equality_ethnic_group="Asian or Asian British",
		)
		another = send(
			other,
			f"Other story {other_marker}",
			PDF + f"other file {other_marker}".encode(),
			phone=other["phone"],
			employer_name=f"Other employer {other_marker}",
		)
	frappe.db.rollback()
	frappe.set_user(COORDINATOR)
	try:
		apply_workflow(frappe.get_doc("Case", first), "Start triage")
		case = frappe.get_doc("Case", first)
		case.append(
			"deadlines",
			{"description": f"Reply to the trust {marker}", "due_date": "2027-03-01", "source": "Caseworker"},
		)
		case.casework_notes = f"Casework note {marker}"
		case.save(ignore_version=False)  # Frappe keeps no versions under tests unless asked
		link_both_ways(first, another, "Related", f"Same trust {marker}")
		frappe.get_doc("Case", second).add_comment("Comment", f"Coordinator comment {marker}")
		frappe.get_doc("Case", another).add_comment("Comment", f"Other comment {other_marker}")
	finally:
		frappe.set_user("Administrator")
	review = frappe.get_doc(
		review_answers(first, circumstances=f"Review circumstances {marker}", recommendation=f"Rec {marker}")
	)
	review.append("unfairness", {"kind": "Other", "description": f"Unfair point {marker}"})
	review.insert()
	frappe.get_doc("Review", review.name).add_comment("Comment", f"Review comment {marker}")
	frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Sent",
			"subject": f"About your case {marker}",
			"content": f"<p>Email to the doctor {marker}</p>",
			"recipients": doctor["email"],
			"reference_doctype": "Case",
			"reference_name": second,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	return {
		"doctor": doctor,
		"other": other,
		"cases": [first, second],
		"another": another,
		"review": review.name,
	}


@pytest.fixture(scope="module")
def doctors(base_url, people):
	from conftest import outgoing_account

	frappe.db.rollback()
	settings = frappe.get_single("LNB Settings")
	kept_limit = settings.intake_rate_limit
	settings.intake_rate_limit = 1000
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	frappe.cache.delete_keys("rl:")
	account = outgoing_account(free_port())  # the intake queues its mail only with an outgoing account
	try:
		made = make_doctors(base_url)
	finally:
		frappe.db.rollback()
		frappe.delete_doc("Email Account", account, ignore_permissions=True, force=True)
		frappe.db.set_single_value("LNB Settings", "intake_rate_limit", kept_limit)
		frappe.db.commit()
	yield made
	frappe.db.rollback()
	for request in frappe.get_all(REQUEST, filters={"email": made["doctor"]["email"]}, pluck="name"):
		for file in frappe.get_all(
			"File", filters={"attached_to_doctype": REQUEST, "attached_to_name": request}, pluck="name"
		):
			frappe.delete_doc("File", file, ignore_permissions=True, force=True)
		frappe.delete_doc(REQUEST, request, ignore_permissions=True, force=True)
	frappe.delete_doc("Review", made["review"], ignore_permissions=True, force=True)
	for case in [*made["cases"], made["another"]]:
		frappe.db.delete("Communication", {"reference_doctype": "Case", "reference_name": case})
		remove_intake_case(case)
	frappe.db.commit()


def run_the_job(request: str, asked_at: datetime) -> None:
	"""The job queued for the request, checked and taken off the queue, then run here as the coordinator who
	asked, as a worker would run it (the tests start no worker; a bench's workers are shared with its other
	sites)."""
	from frappe.utils.background_jobs import get_queue

	queued = [
		job
		for job in get_queue("long").get_jobs()
		if job.kwargs.get("site") == frappe.local.site
		and job.kwargs.get("kwargs") == {"request": request}
		and job.enqueued_at >= asked_at  # a request of an earlier run may have had the same name
	]
	assert [(job.kwargs["method"], job.kwargs["user"]) for job in queued] == [(JOB, COORDINATOR)]
	for job in queued:
		job.delete()
	frappe.db.rollback()
	frappe.set_user(COORDINATOR)
	try:
		build_subject_access_archive(request)
	finally:
		frappe.set_user("Administrator")


@pytest.fixture(scope="module")
def answered(doctors, people, base_url):
	"""The coordinator's request over HTTP, answered by the job; the archive as the coordinator downloads it."""
	doctor = doctors["doctor"]
	started = frappe.utils.now_datetime()
	asked_at = datetime.utcnow()  # as the queue keeps its times
	response = people["coordinator"].post(
		f"{base_url}{RESOURCE}",
		json={"email": doctor["email"], "gmc_number": doctor["gmc_number"], "received_on": "2026-12-02"},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	created = response.json()["data"]
	assert created["status"] == "Queued" and created["requested_by"] == COORDINATOR
	assert created["due_by"] == str(subject_access_due_by(date(2026, 12, 2)))
	run_the_job(created["name"], asked_at)
	request = people["coordinator"].get(f"{base_url}{RESOURCE}/{created['name']}", timeout=30).json()["data"]
	assert request["status"] == "Ready", request
	download = people["coordinator"].get(f"{base_url}{request['archive']}", timeout=60)
	assert download.status_code == 200, download.text[:300]
	archive = zipfile.ZipFile(io.BytesIO(download.content))
	members = {name: archive.read(name) for name in archive.namelist()}
	return {
		"request": request,
		"members": members,
		"data": json.loads(members["data.json"]),
		"started": started,
	}


def test_the_archive_holds_a_summary_the_data_and_the_files(answered, doctors):
	members = answered["members"]
	first, second = doctors["cases"]
	marker = doctors["doctor"]["marker"]
	assert {"summary.html", "summary.pdf", "data.json"} <= set(members)
	assert members["summary.pdf"].startswith(b"%PDF")
	cases = {case["reference"]: case for case in answered["data"]["cases"]}
	for case, content in ((first, b"first file"), (second, b"second file")):
		(file,) = cases[case]["files"]
		assert file["path_in_archive"].startswith(f"files/{case}/letter-{marker}")
		assert members[file["path_in_archive"]] == PDF + content + f" {marker}".encode()
	assert len([name for name in members if name.startswith("files/")]) == 2
	assert answered["request"]["cases_found"].split("\n") == [first, second]


def test_every_kind_of_record_about_both_cases_is_in_data_json(answered, doctors):
	doctor, marker = doctors["doctor"], doctors["doctor"]["marker"]
	first, second = doctors["cases"]
	cases = {case["reference"]: case for case in answered["data"]["cases"]}
	assert list(cases) == [first, second]
	one, two = cases[first], cases[second]

	for case in (one, two):
		assert case["case"]["doctor_name"] == doctor["name"]
		assert case["case"]["gmc_number"] == doctor["gmc_number"]
		assert [row["process_type"] for row in case["case"]["processes"]] == [
			"GMC fitness to practise",
			"Whistleblowing (raising concerns)",
		]
		assert [row["description"] for row in case["case"]["key_dates"]] == ["Reply to the GMC"]
		assert [row["kind"] for row in case["case"]["discrimination_kinds"]] == ["Race"]
		assert case["consent"]["consent_given"] == 1 and case["consent"]["consent_source"] == "Web form"
		assert case["consent"]["consent_wording"]
		assert "consent_wording" not in case["case"]
		assert any(queued["to"] or queued["recipients"] for queued in case["queued_emails"])
		assert [file["file_name"].startswith(f"letter-{marker}") for file in case["files"]] == [True]
	assert one["case"]["what_happened"] == f"First story {marker}"
	assert one["case"]["casework_notes"] == f"Casework note {marker}"
	assert any(row["description"] == f"Reply to the trust {marker}" for row in one["case"]["deadlines"])
	assert [(row["from_state"], row["to_state"]) for row in one["state_changes"]][-1] == ("New", "Triage")

	# the equality record, opened from its seal
	assert (
		one["equality_monitoring"]["answers"]["ethnic_group"] == "Black, Black British, Caribbean or African"
	)
	assert two["equality_monitoring"]["answers"]["sex"] == "Female"
	assert two["equality_monitoring"]["answers"]["ethnic_group"] == "Asian or Asian British"

	(review,) = one["reviews"]
	assert review["name"] == doctors["review"] and review["circumstances"] == f"Review circumstances {marker}"
	assert [row["description"] for row in review["unfairness"]] == [f"Unfair point {marker}"]
	assert [comment["content"] for comment in review["comments"] if comment["comment_type"] == "Comment"] == [
		f"Review comment {marker}"
	]
	assert two["reviews"] == []

	assert f"Coordinator comment {marker}" in [comment["content"] for comment in two["comments"]]
	assert [email["subject"] for email in two["emails"]] == [f"About your case {marker}"]
	acknowledgements = [
		queued for queued in two["queued_emails"] if doctor["email"].upper() in queued["recipients"]
	]
	assert acknowledgements and second in acknowledgements[0]["subject"] + acknowledgements[0]["text"]

	# who changed what, and who viewed it before this export
	changed = [json.dumps(version["data"]) for version in one["versions"]]
	assert any(f"Casework note {marker}" in change for change in changed)
	assert all(log["lnb_viewed_through"] != "Subject access" for log in one["view_logs"] + two["view_logs"])


def test_the_summary_is_readable_and_names_every_item(answered, doctors):
	html = answered["members"]["summary.html"].decode()
	marker = doctors["doctor"]["marker"]
	for heading in (
		"Everything Learn Not Blame holds about you",
		"What the case records",
		"Consent",
		"Equality monitoring answers",
		"Changes of state",
		f"Review {doctors['review']}",
		"Comments of the case",
		"Emails queued of the case",
		"Changes of the case (who changed what)",
		"Views of the case (who viewed it)",
		"Emails",
		"Files",
	):
		assert f">{heading}<" in html, heading
	for text in (
		f"First story {marker}",
		f"Second story {marker}",
		f"Reply to the trust {marker}",
		f"Review circumstances {marker}",
		f"Coordinator comment {marker}",
		f"Email to the doctor {marker}",
		"Black, Black British, Caribbean or African",
		answered["data"]["cases"][1]["files"][0]["path_in_archive"],
	):
		assert text in html, text
	assert "<p>Email to the doctor" not in html, "stored markup is shown as text"


def test_nothing_of_the_other_doctor_is_in_the_archive_but_the_reference_of_their_linked_case(
	answered, doctors
):
	other, another = doctors["other"], doctors["another"]
	one = answered["data"]["cases"][0]
	assert another in [row["related_case"] for row in one["case"]["related_cases"]], "the test links them"
	for name, content in answered["members"].items():
		if name == "summary.pdf":
			continue  # made from summary.html, its text compressed
		for secret in (
			other["marker"],
			other["email"],
			other["gmc_number"],
			other["phone"],
			"Dr Other Person",
		):
			assert secret.encode() not in content, (name, secret)
			assert secret not in name


def test_each_case_and_review_exported_leaves_one_view_log_by_the_coordinator(answered, doctors):
	frappe.db.rollback()
	for doctype, name in [("Case", case) for case in doctors["cases"]] + [("Review", doctors["review"])]:
		logs = frappe.get_all(
			"View Log",
			filters={
				"reference_doctype": doctype,
				"reference_name": name,
				"lnb_viewed_through": "Subject access",
				"creation": (">=", answered["started"]),
			},
			fields=["viewed_by"],
		)
		assert [log.viewed_by for log in logs] == [COORDINATOR], (doctype, name)
	assert not frappe.db.exists(
		"View Log", {"reference_name": doctors["another"], "lnb_viewed_through": "Subject access"}
	)


def test_the_coordinator_was_told_the_archive_is_ready(answered):
	frappe.db.rollback()
	assert frappe.db.exists(
		"Notification Log",
		{"for_user": COORDINATOR, "document_type": REQUEST, "document_name": answered["request"]["name"]},
	)


@pytest.mark.parametrize("role", ["caseworker", "policy lead", "guest"])
def test_no_other_role_asks_for_reads_or_downloads_a_subject_access_export(
	role, people, answered, doctors, base_url, guest
):
	session = guest if role == "guest" else people[role]
	request = answered["request"]
	asked = {"email": doctors["doctor"]["email"], "gmc_number": doctors["doctor"]["gmc_number"]}
	count_before = count_requests()
	refused = {
		"REST insert": session.post(f"{base_url}{RESOURCE}", json=asked, timeout=30),
		"frappe.client.insert": session.post(
			f"{base_url}/api/method/frappe.client.insert",
			data={"doc": json.dumps({"doctype": REQUEST, **asked})},
			timeout=30,
		),
		"REST read": session.get(f"{base_url}{RESOURCE}/{request['name']}", timeout=30),
		"REST list": session.get(f"{base_url}{RESOURCE}", timeout=30),
		"frappe.client.get": session.get(
			f"{base_url}/api/method/frappe.client.get",
			params={"doctype": REQUEST, "name": request["name"]},
			timeout=30,
		),
		"the job": session.post(
			f"{base_url}/api/method/{JOB}", data={"request": request["name"]}, timeout=30
		),
		"the archive": session.get(f"{base_url}{request['archive']}", timeout=30),
	}
	for route, response in refused.items():
		assert response.status_code in (403, 404), (route, response.status_code, response.text[:200])
		assert not response.content.startswith(b"PK"), route
		assert doctors["doctor"]["marker"] not in response.text, route
	assert count_requests() == count_before


def test_the_coordinator_may_neither_run_the_job_nor_delete_the_request(answered, people, base_url):
	coordinator, name = people["coordinator"], answered["request"]["name"]
	assert (
		coordinator.post(f"{base_url}/api/method/{JOB}", data={"request": name}, timeout=30).status_code
		== 403
	)
	assert coordinator.delete(f"{base_url}{RESOURCE}/{name}", timeout=30).status_code == 403
	frappe.db.rollback()
	assert frappe.db.exists(REQUEST, name)


def test_a_request_names_the_doctor_and_is_not_received_in_the_future(people, base_url):
	coordinator = people["coordinator"]
	count_before = count_requests()
	for asked in ({"email": " ", "gmc_number": ""}, {"email": "x@example.com", "received_on": "2999-01-01"}):
		response = coordinator.post(f"{base_url}{RESOURCE}", json=asked, timeout=30)
		assert response.status_code == 417, response.text
	assert count_requests() == count_before


def test_what_the_request_sent_as_its_answer_is_ignored(people, base_url, doctors):
	response = people["coordinator"].post(
		f"{base_url}{RESOURCE}",
		json={
			"email": f"nobody-{doctors['doctor']['marker']}@example.com",
			"status": "Ready",
			"archive": "/private/files/anything.zip",
			"cases_found": doctors["another"],
			"requested_by": "Administrator",
		},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	made = response.json()["data"]
	try:
		assert (made["status"], made.get("archive"), made.get("cases_found"), made["requested_by"]) == (
			"Queued",
			None,
			None,
			COORDINATOR,
		)
	finally:
		frappe.db.rollback()
		frappe.delete_doc(REQUEST, made["name"], ignore_permissions=True, force=True)
		frappe.db.commit()


def test_personal_data_download_request_gives_the_doctors_cases_only(doctors):
	from frappe.website.doctype.personal_data_download_request.personal_data_download_request import (
		get_user_data,
	)

	frappe.db.rollback()
	data = json.loads(get_user_data(doctors["doctor"]["email"]))
	assert {case["name"] for case in data["Case"]} >= {doctors["cases"][0]}
	assert doctors["another"] not in json.dumps(data)
	assert doctors["other"]["marker"] not in json.dumps(data)


def count_requests() -> int:
	frappe.db.rollback()
	return frappe.db.count(REQUEST)


def test_an_archive_that_cannot_be_made_says_so_and_the_coordinator_is_told(people, base_url):
	"""A file of the doctor's case gone from the server's disk: the archive would not be whole, so none is
	made; the request says Failed, the coordinator is told, and the Error Log names the cause."""
	from lnb_casework.lnb_casework.doctype.case.test_case import submit_through_form

	frappe.db.rollback()
	email = f"sar-missing-{uuid.uuid4().hex[:10]}@example.com"
	case = submit_through_form(email=email, gmc_number="").name
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": "gone.pdf",
			"attached_to_doctype": "Case",
			"attached_to_name": case,
			"is_private": 1,
			"content": PDF,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	os.remove(file.get_full_path())
	asked_at = datetime.utcnow()
	response = people["coordinator"].post(f"{base_url}{RESOURCE}", json={"email": email}, timeout=30)
	assert response.status_code == 200, response.text
	name = response.json()["data"]["name"]
	try:
		run_the_job(name, asked_at)
		request = people["coordinator"].get(f"{base_url}{RESOURCE}/{name}", timeout=30).json()["data"]
		assert request["status"] == "Failed" and request["failure"]
		assert not request.get("archive")
		frappe.db.rollback()
		assert not frappe.db.exists("File", {"attached_to_doctype": REQUEST, "attached_to_name": name})
		assert frappe.db.exists(
			"Notification Log",
			{"for_user": COORDINATOR, "document_name": name, "subject": ("like", "%could not%")},
		)
		assert frappe.db.exists("Error Log", {"method": ("like", f"%{name}%")})
		assert not frappe.db.exists(
			"View Log", {"reference_name": case, "lnb_viewed_through": "Subject access"}
		)
	finally:
		frappe.db.rollback()
		frappe.delete_doc(REQUEST, name, ignore_permissions=True, force=True)
		frappe.db.delete("File", {"name": file.name})
		remove_intake_case(case)
		frappe.db.commit()
