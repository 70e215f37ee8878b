"""Documents sent back by the client (issue 22, item 3), over real HTTP as a guest, two caseworkers, two
coordinators and a policy lead: no method trusts the client's copy of a record. The erasure's two-person
rule holds against a forged copy and a replayed one; a record one may not read answers exactly like one that
does not exist, with no timestamp; a forged copy of another's case writes nothing. Then a sweep: every
whitelisted method that takes a document as JSON (found in the code, as tests/attack_surface.py finds
methods), tried by each role with a forged copy of each record it may not read and with the same copy
under a name that does not exist; the counts are printed and kept in $LNB_ARTIFACTS."""

import json
import os
import re
import uuid
from pathlib import Path

import frappe
import pytest
import requests
from attack_surface import discover_methods, generic_value
from test_permissions_over_http import ORGANISATION, make_case

METHOD = "/api/method/"
COORDINATOR_ONE = "docs-coordinator-one@lnb.test"
COORDINATOR_TWO = "docs-coordinator-two@lnb.test"
CASEWORKER_A = "docs-caseworker-a@lnb.test"
CASEWORKER_B = "docs-caseworker-b@lnb.test"
POLICY_LEAD = "docs-policy-lead@lnb.test"
ROLES = {
	"coordinator one": (COORDINATOR_ONE, "LNB Coordinator"),
	"coordinator two": (COORDINATOR_TWO, "LNB Coordinator"),
	"caseworker a": (CASEWORKER_A, "LNB Caseworker"),
	"caseworker b": (CASEWORKER_B, "LNB Caseworker"),
	"policy lead": (POLICY_LEAD, "LNB Policy Lead"),
}
# the parameters by which a method takes a whole document (or a list of them) as JSON
DOCUMENT_JSON_PARAMETERS = {"doc", "docs", "doclist", "target_doc", "reference_doc"}
EXCEPTION_ID = re.compile(r"[0-9a-f]{40,64}")


def post(session: requests.Session, base_url: str, path: str, **data) -> requests.Response:
	data = {
		key: json.dumps(value) if isinstance(value, list | dict) else value for key, value in data.items()
	}
	return session.post(f"{base_url}{path}", data=data, timeout=60)


def stored_copy(doctype: str, name: str) -> dict:
	frappe.db.rollback()
	return json.loads(frappe.as_json(frappe.get_doc(doctype, name).as_dict(no_nulls=True)))


def made_up_name(doctype: str, name: str) -> str:
	if doctype == "User":
		return f"nobody-{uuid.uuid4().hex[:8]}@example.com"
	return re.sub(r"\d+$", lambda digits: "9" * len(digits.group()), name)


def comparable(response: requests.Response, names: dict[str, str]) -> tuple[int, str]:
	"""The answer with the record's name put back as a placeholder and exception ids taken out; times are
	kept, so a stored timestamp in one answer makes it differ."""
	text = response.text
	for placeholder, name in names.items():
		text = text.replace(json.dumps(name)[1:-1], placeholder).replace(name, placeholder)
	return response.status_code, EXCEPTION_ID.sub("⟨id⟩", text)


def traces_of(doctype: str, name: str) -> tuple:
	"""What a write to a record leaves: its modified time, its casework fields, comments and versions."""
	frappe.db.rollback()
	fields = ["modified", "modified_by"] + (["caseworker", "doctor_name"] if doctype == "Case" else [])
	return (
		frappe.db.get_value(doctype, name, fields, as_dict=True),
		frappe.db.count("Comment", {"reference_doctype": doctype, "reference_name": name}),
		frappe.db.count("Version", {"ref_doctype": doctype, "docname": name}),
	)


def request_state(name: str) -> frappe._dict:
	frappe.db.rollback()
	return frappe.db.get_value(
		"Erasure Request", name, ["status", "confirmed_by", "requested_by", "cases"], as_dict=True
	)


@pytest.fixture(scope="module")
def people(user_session, base_url):
	sessions = {role: user_session(email, role_name) for role, (email, role_name) in ROLES.items()}
	with requests.Session() as guest:
		yield {"guest": guest, **sessions}


@pytest.fixture(scope="module")
def records(people):
	"""Each caseworker's case, a subject access request and an erasure request about caseworker B's
	doctor, and two cases for the erasure tests (one to erase, one that nobody asked to erase)."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	if not frappe.db.exists("Healthcare Organisation", ORGANISATION):
		frappe.get_doc({"doctype": "Healthcare Organisation", "organisation_name": ORGANISATION}).insert(
			ignore_permissions=True
		)
	cases = {
		"a": make_case("Docsalpha", CASEWORKER_A, "Under Review"),
		"b": make_case("Docsbravo", CASEWORKER_B, "Under Review"),
		"erased": make_case("Docserased", None, "Triage"),
		"bystander": make_case("Docsbystander", None, "Triage"),
	}
	email_b = frappe.db.get_value("Case", cases["b"], "email")
	access = frappe.get_doc(
		{"doctype": "Subject Access Request", "email": email_b, "received_on": frappe.utils.today()}
	).insert(ignore_permissions=True)
	erasure = frappe.get_doc(
		{"doctype": "Erasure Request", "email": email_b, "reason": "Asked by letter"}
	).insert(ignore_permissions=True)
	frappe.db.set_value("Erasure Request", erasure.name, "requested_by", COORDINATOR_ONE)
	frappe.db.commit()
	yield {"cases": cases, "access": access.name, "erasure": erasure.name}
	frappe.db.rollback()
	requests_made = frappe.get_all(
		"Erasure Request",
		filters={"requested_by": ("in", [COORDINATOR_ONE, COORDINATOR_TWO])},
		pluck="name",
	)
	for name in {erasure.name, *requests_made}:
		frappe.delete_doc("Erasure Request", name, ignore_permissions=True, force=True)
	frappe.delete_doc("Subject Access Request", access.name, ignore_permissions=True, force=True)
	for name in cases.values():
		for doctype, field in (
			("File", "attached_to_name"),
			("Comment", "reference_name"),
			("ToDo", "reference_name"),
			("Version", "docname"),
		):
			frappe.db.delete(doctype, {field: name})
		frappe.db.delete("Case State Change", {"case": name})
		frappe.db.delete("Email Queue", {"reference_name": name})
		frappe.delete_doc("Case", name, ignore_permissions=True, force=True)
	frappe.db.commit()


def ask_for_erasure(people, base_url: str, case: str) -> str:
	"""Coordinator one asks to erase the doctor of a case, as the desk's form does (frappe.client.insert
	is the form's new-document path too)."""
	email = frappe.db.get_value("Case", case, "email")
	response = post(
		people["coordinator one"],
		base_url,
		f"{METHOD}frappe.client.insert",
		doc={"doctype": "Erasure Request", "email": email, "reason": "Asked on the phone"},
	)
	assert response.status_code == 200, response.text[:500]
	return response.json()["message"]["name"]


def run_doc_method(session, base_url: str, document: dict, method: str) -> requests.Response:
	"""As the desk's frm.call sends it: the form's copy of the document."""
	return post(session, base_url, f"{METHOD}run_doc_method", docs=document, method=method, args={})


def test_a_forged_requested_by_does_not_let_one_coordinator_erase_alone(people, records, base_url):
	erased = records["cases"]["erased"]
	doctor = frappe.db.get_value("Case", erased, "doctor_name")
	request = ask_for_erasure(people, base_url, erased)
	assert request_state(request).requested_by == COORDINATOR_ONE
	for cmd in ("run_doc_method", "runserverobj", "frappe.handler.run_doc_method"):
		forged = {**stored_copy("Erasure Request", request), "requested_by": "Administrator"}
		response = post(
			people["coordinator one"], base_url, f"{METHOD}{cmd}", docs=forged, method="confirm", args={}
		)
		assert response.status_code == 403, (cmd, response.text[:500])
		assert "A different coordinator must confirm" in response.text
	state = request_state(request)
	assert (state.status, state.confirmed_by, state.requested_by) == (
		"Awaiting confirmation",
		None,
		COORDINATOR_ONE,
	)
	assert frappe.db.get_value("Case", erased, "doctor_name") == doctor


def test_a_replayed_confirmation_of_a_finished_request_erases_nothing_more(people, records, base_url):
	erased, bystander = records["cases"]["erased"], records["cases"]["bystander"]
	request = frappe.db.get_value(
		"Erasure Request", {"cases": erased, "status": "Awaiting confirmation"}, "name"
	) or ask_for_erasure(people, base_url, erased)
	doctor = frappe.db.get_value("Case", erased, "doctor_name")
	bystander_doctor = frappe.db.get_value("Case", bystander, "doctor_name")
	# the second coordinator confirms from the desk (frm.call sends the form's copy)
	response = run_doc_method(
		people["coordinator two"], base_url, stored_copy("Erasure Request", request), "confirm"
	)
	assert response.status_code == 200, response.text[:500]
	state = request_state(request)
	assert (state.status, state.confirmed_by) == ("Done", COORDINATOR_TWO)
	assert frappe.db.get_value("Case", erased, "doctor_name") != doctor
	# replayed with its status set back and another case in its list, by both coordinators
	for who in ("coordinator two", "coordinator one"):
		replay = {
			**stored_copy("Erasure Request", request),
			"status": "Awaiting confirmation",
			"confirmed_by": None,
			"requested_by": "Administrator",
			"cases": f"{erased}\n{bystander}",
			"email": frappe.db.get_value("Case", bystander, "email"),
		}
		response = run_doc_method(people[who], base_url, replay, "confirm")
		assert response.status_code == 417, (who, response.text[:500])
		assert "no longer awaiting confirmation" in response.text
	assert frappe.db.get_value("Case", bystander, "doctor_name") == bystander_doctor
	assert request_state(request).cases == erased


def test_withdrawing_from_the_desk_still_works(people, records, base_url):
	request = ask_for_erasure(people, base_url, records["cases"]["bystander"])
	response = run_doc_method(
		people["coordinator one"], base_url, stored_copy("Erasure Request", request), "withdraw"
	)
	assert response.status_code == 200, response.text[:500]
	assert request_state(request).status == "Withdrawn"


def unreadable_targets(role: str, records: dict) -> list[tuple[str, str]]:
	"""The records of each kind the example names (another's case, a subject access request, an erasure
	request, a User) that this role may not read."""
	user = ROLES[role][0] if role in ROLES else "Guest"
	other_user = CASEWORKER_B if user != CASEWORKER_B else CASEWORKER_A
	other_case = records["cases"]["b"] if user != CASEWORKER_B else records["cases"]["a"]
	candidates = [
		("Case", other_case),
		("Subject Access Request", records["access"]),
		("Erasure Request", records["erasure"]),
		("User", other_user),
	]
	frappe.db.rollback()
	return [
		(doctype, name)
		for doctype, name in candidates
		if not frappe.has_permission(doctype, "read", doc=name, user=user)
	]


@pytest.mark.parametrize("role", ["guest", *ROLES])
def test_add_comment_answers_a_real_record_like_a_made_up_one(people, records, base_url, role):
	targets = unreadable_targets(role, records)
	assert role.startswith("coordinator") or {doctype for doctype, _name in targets} >= {
		"Case",
		"Subject Access Request",
		"Erasure Request",
	}
	for doctype, name in targets:
		missing = made_up_name(doctype, name)
		before = traces_of(doctype, name)
		answers = []
		for sent_name in (name, missing):
			copy = {"doctype": doctype, "name": sent_name, "modified": "2020-01-01 00:00:00.000000"}
			response = run_doc_method(people[role], base_url, copy, "add_comment")
			answers.append(comparable(response, {"⟨record⟩": sent_name}))
		assert answers[0] == answers[1], (role, doctype, answers)
		assert answers[0][0] == 403, (role, doctype, answers[0])
		assert traces_of(doctype, name) == before


@pytest.mark.parametrize(
	"path, argument",
	[
		("run_doc_method", "docs"),
		("frappe.desk.form.save.savedocs", "doc"),
		("frappe.client.save", "doc"),
	],
)
def test_a_forged_copy_of_anothers_case_is_refused_and_writes_nothing(
	people, records, base_url, path, argument
):
	victim = records["cases"]["b"]
	forged = {**stored_copy("Case", victim), "caseworker": CASEWORKER_A, "casework_notes": "mine now"}
	before = traces_of("Case", victim)
	extra = {"method": "add_comment", "args": {"text": "written by A"}} if argument == "docs" else {}
	if path.endswith("savedocs"):
		extra = {"action": "Save"}
	response = post(people["caseworker a"], base_url, f"{METHOD}{path}", **{argument: forged}, **extra)
	assert response.status_code == 403, response.text[:500]
	missing = {**forged, "name": made_up_name("Case", victim)}
	response_missing = post(
		people["caseworker a"], base_url, f"{METHOD}{path}", **{argument: missing}, **extra
	)
	assert comparable(response, {"⟨case⟩": victim}) == comparable(
		response_missing, {"⟨case⟩": missing["name"]}
	)
	assert traces_of("Case", victim) == before


# ---- the sweep


def methods_taking_documents() -> list:
	"""Every whitelisted method with a parameter that takes a whole document as JSON, and every document
	method reached through run_doc_method."""
	frappe.db.rollback()
	methods, _failures, _skipped = discover_methods()
	return [
		method
		for method in methods
		if method.doc_method
		or any(parameter.name in DOCUMENT_JSON_PARAMETERS for parameter in method.parameters)
	]


def attack_arguments(method, document: dict) -> tuple[str, dict]:
	"""(path, arguments) of one call of the method with this copy of a document."""
	if method.doc_method:
		return f"{METHOD}run_doc_method", {"docs": document, "method": method.doc_method, "args": {}}
	arguments = {}
	for parameter in method.parameters:
		if parameter.name in ("docs", "doclist"):
			arguments[parameter.name] = [document]
		elif parameter.name in DOCUMENT_JSON_PARAMETERS:
			arguments[parameter.name] = document
		elif parameter.required:
			arguments[parameter.name] = generic_value(
				parameter, {"action": "Save", "method": "add_comment", "doctype": document["doctype"]}
			)
	return f"{METHOD}{method.path}", arguments


def test_every_method_taking_a_document_answers_a_forged_copy_like_a_made_up_one(people, records, base_url):
	methods = methods_taking_documents()
	assert {"run_doc_method", "frappe.desk.form.save.savedocs", "frappe.client.save"} <= {
		method.path for method in methods
	}
	counts, differing, written = {}, [], []
	for role in ["guest", *ROLES]:
		attacks = refused = 0
		for doctype, name in unreadable_targets(role, records):
			before = traces_of(doctype, name)
			forged = {**stored_copy(doctype, name), "owner": ROLES.get(role, ("Guest",))[0]}
			if doctype == "Case":
				forged["caseworker"] = ROLES.get(role, ("Guest",))[0]
			missing_name = made_up_name(doctype, name)
			calls = [
				attack_arguments(method, forged)
				for method in methods
				if method.doc_method_doctype in (None, doctype)
			]
			calls.append(("/api/v2/method/run_doc_method", {"document": forged, "method": "add_comment"}))
			calls.append((f"/api/v2/document/{doctype}/{name}/method/add_comment", {}))
			for path, arguments in calls:
				answers = []
				for sent_name in (name, missing_name):
					sent = json.loads(json.dumps(arguments).replace(json.dumps(name)[1:-1], sent_name))
					response = post(people[role], base_url, path.replace(name, sent_name), **sent)
					answers.append(comparable(response, {"⟨record⟩": sent_name}))
				attacks += 1
				refused += answers[0][0] in (403, 404)
				if answers[0] != answers[1]:
					differing.append((role, doctype, path, answers))
			if traces_of(doctype, name) != before:
				written.append((role, doctype, name))
		counts[role] = (attacks, refused)
	lines = [f"methods taking a document as JSON: {len(methods)}"]
	lines += [
		f"{role}: {attacks} attacks (each with a forged copy and a made-up one), {refused} refused, "
		f"{attacks - refused} answered alike otherwise"
		for role, (attacks, refused) in counts.items()
	]
	lines += [f"answers that differ: {len(differing)}", f"records written to: {len(written)}"]
	print("\n" + "\n".join(lines))
	artifacts = Path(os.environ.get("LNB_ARTIFACTS", "test-artifacts"))
	artifacts.mkdir(parents=True, exist_ok=True)
	(artifacts / "attack-counts-documents.txt").write_text("\n".join(lines) + "\n")
	assert not differing, differing[:3]
	assert not written, written
