"""Erasing a doctor's data over real HTTP (docs/erasure-and-retention.md): one coordinator asks, the same
coordinator cannot confirm by any route, a second one confirms; then no table of the site's database holds
the doctor's name, email, phone, GMC number or a marker from their narrative, while another doctor's case
keeps all of its own, every report counts as before, and the case still opens in the desk."""

import json
import os
import random
import uuid
from pathlib import Path

import frappe
import pytest
from intake_payloads import answers, remove_intake_case, run_mail_job, submit, utc_now
from journey import journey, make_person
from test_intake_mail_over_http import free_port

from lnb_casework.casework.test_casework import READY, make_organisations
from lnb_casework.data_protection.subject_access import build_subject_access_archive
from lnb_casework.lnb_casework.doctype.review.test_review import review_answers

COORDINATOR_A = "erasure-coordinator-a@lnb.test"
COORDINATOR_B = "erasure-coordinator-b@lnb.test"
CASEWORKER = "erasure-caseworker@lnb.test"
POLICY_LEAD = "erasure-policy-lead@lnb.test"
METHOD = "/api/method/"
RESOURCE = "/api/resource/Erasure Request"
# every report of the app that counts cases (the view audit counts views, which this test's own reads add to)
REPORTS = sorted(
	json.loads(path.read_text())["name"]
	for path in (Path(__file__).parent.parent / "lnb_casework" / "lnb_casework" / "report").glob("*/*.json")
	if path.parent.name != "case_view_audit"
)
# each report as a coordinator sees it by default, and with every case it can show
REPORT_FILTERS = ({}, {"include_ended": 1})
TEXT_COLUMN_TYPES = ("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "json")


def letters(count: int) -> str:
	return "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(count))


def a_doctor() -> dict:
	"""Identifiers found nowhere else on the site."""
	return {
		"doctor_name": f"Dr {letters(6).title()} {letters(9).title()}",
		"email": f"erasure-{uuid.uuid4().hex[:10]}@example.com",
		"phone": f"+44 7700 9{random.randint(10000, 99999)}",
		"gmc_number": str(random.randint(7000000, 7999999)),
		"marker": f"narrative-marker-{uuid.uuid4().hex[:12]}",
	}


def search_every_table(values: list[str]) -> dict[str, list[str]]:
	"""{value: ["table.column", ...]} of every text column of every table in the site's database that holds
	the value, in any letter case."""
	frappe.db.rollback()
	columns = frappe.db.sql(
		"""select table_name, column_name from information_schema.columns
		where table_schema = database() and data_type in %(types)s""",
		{"types": TEXT_COLUMN_TYPES},
	)
	by_table: dict[str, list[str]] = {}
	for table, column in columns:
		by_table.setdefault(table, []).append(column)
	found: dict[str, list[str]] = {value: [] for value in values}
	for table, table_columns in by_table.items():
		for value in values:
			condition = " or ".join(f"lower(`{column}`) like %(value)s" for column in table_columns)
			rows = frappe.db.sql(
				f"select {', '.join(f'`{column}`' for column in table_columns)} from `{table}` where {condition}",
				{"value": f"%{value.lower()}%"},
			)
			for row in rows:
				for column, cell in zip(table_columns, row, strict=True):
					if cell is not None and value.lower() in str(cell).lower():
						found[value].append(f"{table}.{column}")
	return {value: sorted(set(places)) for value, places in found.items() if places}


def searched_values(doctor: dict) -> list[str]:
	return [doctor["doctor_name"], doctor["email"], doctor["phone"], doctor["gmc_number"], doctor["marker"]]


def method(session, base_url: str, path: str, **data):
	return session.post(f"{base_url}{METHOD}{path}", data=data, timeout=120)


def run_doc_method(session, base_url: str, request: str, action: str):
	return method(session, base_url, "run_doc_method", dt="Erasure Request", dn=request, method=action)


def report_results(session, base_url: str) -> dict:
	"""Every report's rows and summary, as a coordinator gets them over HTTP."""
	results = {}
	for report in REPORTS:
		for filters in REPORT_FILTERS:
			response = method(
				session,
				base_url,
				"frappe.desk.query_report.run",
				report_name=report,
				filters=json.dumps(filters),
			)
			assert response.status_code == 200, (report, response.text[:500])
			message = response.json()["message"]
			results[(report, json.dumps(filters))] = {
				"result": message.get("result"),
				"report_summary": message.get("report_summary"),
				"chart": message.get("chart"),
			}
	return results


def request_state(name: str) -> frappe._dict:
	frappe.db.rollback()
	return frappe.db.get_value(
		"Erasure Request", name, ["status", "confirmed_by", "email", "gmc_number", "cases"], as_dict=True
	)


@pytest.fixture(scope="module")
def people(user_session):
	return {
		"coordinator A": user_session(COORDINATOR_A, "LNB Coordinator"),
		"coordinator B": user_session(COORDINATOR_B, "LNB Coordinator"),
		"caseworker": user_session(CASEWORKER, "LNB Caseworker"),
		"policy lead": user_session(POLICY_LEAD, "LNB Policy Lead"),
	}


@pytest.fixture()
def made_cases():
	"""The cases the test makes, taken away afterwards with their reviews, requests and what the intake
	made (the next case may be given a deleted case's reference)."""
	cases: list[str] = []
	yield cases
	frappe.db.rollback()
	frappe.set_user("Administrator")
	for case in cases:
		for review in frappe.get_all("Review", {"case": case}, pluck="name"):
			frappe.db.delete("Version", {"ref_doctype": "Review", "docname": review})
			frappe.delete_doc("Review", review, ignore_permissions=True, force=True, delete_permanently=True)
		for doctype, field in (
			("Comment", "reference_name"),
			("Communication", "reference_name"),
			("Version", "docname"),
			("LNB Alert Log", "reference_name"),
			("Equality Monitoring", "case"),
			("Case State Change", "case"),
		):
			frappe.db.delete(doctype, {field: case})
		remove_intake_case(case)
	for doctype, field in (("Erasure Request", "cases"), ("Subject Access Request", "cases_found")):
		for request in {
			name
			for case in cases
			for name in frappe.get_all(doctype, {field: ("like", f"%{case}%")}, pluck="name")
		}:
			frappe.delete_doc(doctype, request, ignore_permissions=True, force=True, delete_permanently=True)
	frappe.db.commit()


def doctors_case(guest, base_url, doctor: dict, what_happened: str, file_name: str) -> str:
	payload = answers(
		doctor["email"],
		doctor_name=doctor["doctor_name"],
		phone=doctor["phone"],
		gmc_number=doctor["gmc_number"],
		what_happened=what_happened,
		lnb_attachments=[
			{
				"file_name": file_name,
				"content": "data:application/pdf;base64,"
				+ __import__("base64").b64encode(f"%PDF-1.4 {uuid.uuid4().hex}\n%%EOF\n".encode()).decode(),
			}
		],
	)
	submitted = utc_now()
	response = submit(guest, base_url, payload)
	assert response.status_code == 200, response.text
	case = response.json()["message"]["name"]
	run_mail_job(case, submitted)  # its acknowledgement names the doctor's address
	return case


def with_casework(people, base_url, case: str, doctor: dict) -> str:
	"""A review, an edit, comments (one deleted), an email and a PDF of the case, each naming the doctor;
	returns the review."""
	frappe.db.rollback()
	make_organisations()
	frappe.db.set_value("Case", case, {"workflow_state": "Under Review", "caseworker": CASEWORKER, **READY})
	frappe.db.commit()
	coordinator = people["coordinator A"]
	said = f"{doctor['doctor_name']} ({doctor['phone']}, GMC {doctor['gmc_number']})"
	response = coordinator.put(
		f"{base_url}/api/resource/Case/{case}", json={"triage_notes": f"Spoke to {said}."}, timeout=60
	)
	assert response.status_code == 200, response.text

	frappe.set_user(CASEWORKER)
	try:
		review = frappe.get_doc(
			review_answers(case, circumstances=f"{doctor['doctor_name']} was alone; {doctor['marker']}")
		).insert()
		review.context = f"Rota gaps the week {doctor['doctor_name']} was referred."
		review.save()
	finally:
		frappe.set_user("Administrator")
	frappe.db.commit()

	for content in (f"Called {said}.", f"A note to delete about {said}."):
		response = method(
			coordinator,
			base_url,
			"frappe.desk.form.utils.add_comment",
			reference_doctype="Case",
			reference_name=case,
			content=content,
			comment_email=COORDINATOR_A,
			comment_by="Coordinator A",
		)
		assert response.status_code == 200, response.text
		comment = response.json()["message"]["name"]
	frappe.db.rollback()
	frappe.delete_doc("Comment", comment, ignore_permissions=True)  # archived in Deleted Document
	frappe.db.commit()

	response = method(
		coordinator,
		base_url,
		"frappe.core.doctype.communication.email.make",
		doctype="Case",
		name=case,
		recipients=doctor["email"],
		subject="Your case",
		content=f"Dear {doctor['doctor_name']}, about {doctor['marker']}.",
		send_email=1,
	)
	assert response.status_code == 200, response.text

	response = coordinator.get(
		f"{base_url}{METHOD}frappe.utils.print_format.download_pdf",
		params={"doctype": "Case", "name": case},
		timeout=120,
	)
	assert response.status_code == 200 and response.content.startswith(b"%PDF"), response.text[:300]
	return review.name


def held_about(case: str) -> dict:
	"""What the site holds about the case beyond the case itself."""
	frappe.db.rollback()
	return {
		"files": frappe.get_all(
			"File", {"attached_to_doctype": "Case", "attached_to_name": case}, ["file_url", "is_private"]
		),
		"equality": frappe.db.count("Equality Monitoring", {"case": case}),
		"comments": frappe.db.count("Comment", {"reference_doctype": "Case", "reference_name": case}),
		"versions": frappe.db.count("Version", {"ref_doctype": "Case", "docname": case}),
		"emails": frappe.db.count("Email Queue", {"reference_doctype": "Case", "reference_name": case}),
		"communications": frappe.db.count(
			"Communication", {"reference_doctype": "Case", "reference_name": case}
		),
	}


def on_disk(file_url: str) -> Path:
	site = Path(os.environ["LNB_BENCH"]) / "sites" / os.environ["LNB_SITE"]
	if file_url.startswith("/private/files/"):
		return site / "private" / "files" / file_url.removeprefix("/private/files/")
	return site / "public" / "files" / file_url.removeprefix("/files/")


def test_a_second_coordinator_erases_a_doctors_cases_and_nothing_identifying_is_left(
	people, guest, base_url, intake_open, account_for, chromium, made_cases
):
	account_for(free_port())  # mail is queued only with an outgoing account; nothing listens there
	doctor, other = a_doctor(), a_doctor()
	cases = [
		doctors_case(guest, base_url, doctor, f"First: {doctor['marker']} at work.", "first-letter.pdf"),
		doctors_case(guest, base_url, doctor, f"Second: {doctor['marker']} again.", "second-letter.pdf"),
	]
	kept_case = doctors_case(guest, base_url, other, f"Other: {other['marker']}.", "other-letter.pdf")
	made_cases.extend([*cases, kept_case])
	review = with_casework(people, base_url, cases[0], doctor)
	with_casework(people, base_url, kept_case, other)

	# an earlier subject access request of the same doctor, with its archive (the job run here, as a
	# worker runs it: the bench's workers are shared)
	response = people["coordinator A"].post(
		f"{base_url}/api/resource/Subject Access Request",
		json={"email": doctor["email"], "received_on": frappe.utils.nowdate()},
		timeout=60,
	)
	assert response.status_code == 200, response.text
	subject_access = response.json()["data"]["name"]
	frappe.db.rollback()
	frappe.set_user(COORDINATOR_A)
	try:
		build_subject_access_archive(subject_access)
	finally:
		frappe.set_user("Administrator")
	archive = frappe.db.get_value("Subject Access Request", subject_access, "archive")
	assert archive and on_disk(archive).exists()

	before = held_about(cases[0])
	assert before["files"] and before["equality"] == 1 and before["comments"] and before["versions"]
	assert before["emails"] and before["communications"] == 1
	files_on_disk = [on_disk(file.file_url) for case in cases for file in held_about(case)["files"]]
	assert files_on_disk and all(path.exists() for path in files_on_disk)
	found_before = search_every_table(searched_values(doctor))
	assert set(found_before) == set(searched_values(doctor)), "the search finds what is there"
	assert any(place.startswith("tabDeleted Document") for place in found_before[doctor["doctor_name"]])
	reports_before = report_results(people["coordinator A"], base_url)

	# only coordinators and System Managers ask; the one who asked cannot confirm
	for role in ("caseworker", "policy lead"):
		response = people[role].post(
			f"{base_url}{RESOURCE}", json={"email": doctor["email"], "reason": "Asked by email"}, timeout=60
		)
		assert response.status_code == 403, (role, response.text[:300])
	response = guest.post(
		f"{base_url}{RESOURCE}", json={"email": doctor["email"], "reason": "Asked by email"}, timeout=60
	)
	assert response.status_code == 403, response.text[:300]

	response = people["coordinator A"].post(
		f"{base_url}{RESOURCE}",
		json={
			"email": doctor["email"].upper(),
			"reason": "The doctor's email of 1 December asking for erasure",
		},
		timeout=60,
	)
	assert response.status_code == 200, response.text
	request = response.json()["data"]["name"]
	state = request_state(request)
	assert state.status == "Awaiting confirmation" and not state.confirmed_by
	assert state.cases.split("\n") == cases

	refused_routes = {
		"confirm": lambda session: run_doc_method(session, base_url, request, "confirm"),
		"REST update": lambda session: session.put(
			f"{base_url}{RESOURCE}/{request}",
			json={"status": "Done", "confirmed_by": COORDINATOR_B},
			timeout=60,
		),
		"set_value": lambda session: method(
			session,
			base_url,
			"frappe.client.set_value",
			doctype="Erasure Request",
			name=request,
			fieldname=json.dumps({"status": "Done", "confirmed_by": COORDINATOR_B}),
		),
		"desk save": lambda session: method(
			session,
			base_url,
			"frappe.desk.form.save.savedocs",
			action="Save",
			doc=json.dumps(
				{
					**frappe.get_doc("Erasure Request", request).as_dict(convert_dates_to_str=True),
					"status": "Done",
					"confirmed_by": COORDINATOR_B,
				}
			),
		),
		"delete": lambda session: session.delete(f"{base_url}{RESOURCE}/{request}", timeout=60),
	}
	for who in ("coordinator A", "caseworker", "policy lead", "guest"):
		session = guest if who == "guest" else people[who]
		for route, call in refused_routes.items():
			response = call(session)
			assert response.status_code in (403, 417), (who, route, response.status_code, response.text[:300])
			state = request_state(request)
			assert state.status == "Awaiting confirmation" and not state.confirmed_by, (who, route)
			assert state.email.lower() == doctor["email"], (who, route)
	for who in ("caseworker", "policy lead", "guest"):
		session = guest if who == "guest" else people[who]
		response = session.get(f"{base_url}{RESOURCE}/{request}", timeout=60)
		assert response.status_code == 403, (who, response.text[:300])
		response = session.get(f"{base_url}{RESOURCE}", params={"fields": '["email"]'}, timeout=60)
		assert response.status_code == 403 or response.json()["data"] == [], (who, response.text[:300])
	assert frappe.db.get_value("Case", cases[0], "doctor_name") == doctor["doctor_name"]

	response = run_doc_method(people["coordinator B"], base_url, request, "confirm")
	assert response.status_code == 200, response.text
	state = request_state(request)
	assert (state.status, state.confirmed_by, state.email, state.gmc_number) == (
		"Done",
		COORDINATOR_B,
		None,
		None,
	)
	assert state.cases.split("\n") == cases, "the request keeps the case references"
	response = run_doc_method(people["coordinator B"], base_url, request, "confirm")
	assert response.status_code == 417, "a request is confirmed once"

	found = search_every_table(searched_values(doctor))
	assert found == {}, f"the erased doctor's identifiers are still in: {found}"
	assert set(search_every_table(searched_values(other))) == set(searched_values(other)), (
		"the other doctor's case keeps everything"
	)
	for case in cases:
		after = held_about(case)
		assert after["files"] == [] and after["equality"] == 0 and after["versions"] == 0
		assert after["emails"] == 0 and after["communications"] == 0
		values = frappe.db.get_value(
			"Case",
			case,
			["doctor_name", "email", "phone", "gmc_number", "what_happened", "anonymised_on"],
			as_dict=True,
		)
		assert values.doctor_name == "[anonymised]" and values.what_happened == "[anonymised]"
		assert not (values.email or values.phone or values.gmc_number) and values.anonymised_on
	assert frappe.db.get_value("Review", review, ["jc_1a", "circumstances"]) == ("No", "[anonymised]")
	assert not any(path.exists() for path in files_on_disk), "the files left the disk"
	frappe.db.rollback()
	assert frappe.db.get_value(
		"Subject Access Request", subject_access, ["email", "gmc_number", "archive", "cases_found"]
	) == (None, None, None, "\n".join(cases)), "the earlier request keeps its case references only"
	assert (
		not frappe.db.exists("File", {"attached_to_name": subject_access}) and not on_disk(archive).exists()
	)
	kept = held_about(kept_case)
	assert kept["files"] and kept["equality"] == 1 and kept["versions"] and kept["emails"]
	assert all(on_disk(file.file_url).exists() for file in kept["files"])

	assert report_results(people["coordinator B"], base_url) == reports_before, (
		"every report counts the anonymised cases as before"
	)

	make_person(COORDINATOR_B, "LNB Coordinator")
	with journey(chromium, "erased-case") as visit:
		visit.sign_in(base_url, COORDINATOR_B)
		visit.goto(base_url, f"/app/case/{cases[0]}")
		visit.page.locator(".page-title .title-text", has_text=cases[0]).first.wait_for()
		visit.step("the-anonymised-case-opens")
		page = visit.page
		assert page.locator("[data-fieldname='anonymised_on']").first.is_visible()
		assert page.get_by_role("button", name="Erase the doctor's data").count() == 0

		visit.goto(base_url, f"/app/case/{kept_case}")
		page.get_by_role("button", name="Erase the doctor's data").click()
		page.locator(".modal.show textarea[data-fieldname='reason']").fill("Asked by phone, to be confirmed")
		page.locator(".modal.show .btn-primary").click()
		page.wait_for_url("**/app/erasure-request/ERASURE-*")
		page.get_by_role("button", name="Withdraw").wait_for()
		visit.step("the-request-awaits-a-second-coordinator")
		assert page.get_by_role("button", name="Confirm and erase").count() == 0, "not for the one who asked"
		made = page.url.rsplit("/", 1)[-1]
		assert request_state(made).status == "Awaiting confirmation"
		page.get_by_role("button", name="Withdraw").click()
		page.get_by_role("button", name="Withdraw").wait_for(state="hidden")  # the form reloaded, withdrawn
		visit.check("withdrawn")
	state = request_state(made)
	assert (state.status, state.email, state.cases) == ("Withdrawn", None, kept_case)
	assert frappe.db.get_value("Case", kept_case, "doctor_name") == other["doctor_name"]
