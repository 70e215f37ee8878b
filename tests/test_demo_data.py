"""The README's run command gives a newcomer a site to look at: the accounts scripts/run.sh prints, and
the fictional demo data of `scripts/run.sh --demo` (bench lnb-generate-data, lnb_casework/demo/).

The demo is made through the app's own code paths on the test site, checked, made again through the bench
command (which must add nothing), and then removed with everything else the generator made, so that the
tests that count cases see a clean site.
"""

import os
import subprocess

import pytest
import requests
from frappe.model.workflow import apply_workflow
from sign_in import sign_in_over_http

from lnb_casework.casework.rules import SYSTEM_MANAGER
from lnb_casework.demo.plan import (
	ACTIONS,
	CASE_STATES,
	DOMAIN,
	GENERATED_EMAILS,
	ISSUES,
	ORGANISATIONS,
	PEOPLE,
	REVIEW_STATES,
	SIZES,
)
from lnb_casework.intake.sealed_answers import ANSWER_CODES

DEMO_PASSWORD = "Demo-data-test-4kQ!"
COORDINATOR_PASSWORD = "Coordinator-test-8vW!"
MANAGER_PASSWORD = "Manager-test-2pZ!"
# what the generator leaves, counted before and after a second run
COUNTED = (
	"Case",
	"Review",
	"Case State Change",
	"Equality Monitoring",
	"Systemic Issue",
	"Systemic Issue Evidence",
	"Advocacy Action",
	"Caseworker Profile",
	"Healthcare Organisation",
	"User",
	"ToDo",
)


# and what Frappe keeps about records, which removing them takes away too
TRACES = (
	*COUNTED,
	"Contact",
	"Has Role",
	"Email Queue",
	"Notification Log",
	"Case Process",
	"Review Systemic Factor",
)
counts_before: dict[str, int] = {}


def counts(doctypes: tuple[str, ...] = COUNTED) -> dict[str, int]:
	import frappe

	frappe.db.rollback()
	return {doctype: frappe.db.count(doctype) for doctype in doctypes}


def generated_cases() -> list[str]:
	import frappe

	return frappe.get_all("Case", filters={"email": ("like", GENERATED_EMAILS)}, pluck="name")


generation_started = []


@pytest.fixture(scope="module")
def demo():
	"""The demo data, made once for the module through the Python entry, then removed."""
	import frappe

	from lnb_casework.demo.generator import generate
	from lnb_casework.demo.remove import remove_generated

	frappe.db.rollback()
	remove_generated()
	counts_before.update(counts(TRACES))
	generation_started.append(frappe.utils.now_datetime())
	made = generate("demo", DEMO_PASSWORD)
	yield made
	frappe.db.rollback()
	remove_generated()


def test_demo_cases_and_reviews_reach_every_state(demo):
	import frappe

	assert demo == SIZES["demo"]
	cases = generated_cases()
	assert len(cases) == SIZES["demo"]
	case_states = set(frappe.get_all("Case", filters={"name": ("in", cases)}, pluck="workflow_state"))
	assert case_states == set(CASE_STATES)
	review_states = set(
		frappe.get_all("Review", filters={"case": ("in", cases)}, pluck="workflow_state", distinct=True)
	)
	assert review_states == set(REVIEW_STATES)
	issue_states = {
		frappe.db.get_value("Systemic Issue", {"title": title}, "workflow_state") for title, *_ in ISSUES
	}
	assert issue_states == {state for _title, _component, state in ISSUES}
	action_states = {
		frappe.db.get_value("Advocacy Action", {"title": title}, "workflow_state") for title, *_ in ACTIONS
	}
	assert action_states == {state for *_rest, state, _issue in ACTIONS}
	evidence = frappe.get_all("Systemic Issue Evidence", filters={"case": ("in", cases)}, pluck="review")
	assert evidence, "approved reviews' systemic factors are evidence on the demo issues"
	assert all(frappe.db.get_value("Review", review, "workflow_state") == "Approved" for review in evidence)
	for person in PEOPLE:
		if person.organisation is not None:
			assert frappe.db.exists("Caseworker Profile", person.email)
	for name, *_rest in ORGANISATIONS:
		assert frappe.db.exists("Healthcare Organisation", name)
	years = {
		frappe.utils.getdate(creation).year
		for creation in frappe.get_all("Case", filters={"name": ("in", cases)}, pluck="creation")
	}
	assert len(years) >= 2, "the demo cases are spread over years"
	for name, creation, received_on in frappe.get_all(
		"Case", filters={"name": ("in", cases)}, fields=["name", "creation", "received_on"], as_list=True
	):
		assert received_on == frappe.utils.getdate(creation), name
	for name in cases:
		assert name.startswith(
			f"LNB-{frappe.utils.getdate(frappe.db.get_value('Case', name, 'creation')).year}-"
		)


def test_demo_people_sign_in_and_everyone_is_fictional(demo, base_url):
	import frappe

	for person in PEOPLE:
		assert person.email.endswith(f"@{DOMAIN}")
		assert SYSTEM_MANAGER not in frappe.get_roles(person.email), person.email
	with requests.Session() as session:
		sign_in_over_http(session, base_url, PEOPLE[1].email, DEMO_PASSWORD)
	emails = frappe.get_all("Case", filters={"name": ("in", generated_cases())}, pluck="email")
	assert all(email.endswith(f"@{DOMAIN}") for email in emails)
	# mail other tests queued about their own cases, which were deleted, may name a reference given again
	queued = {"reference_name": ("in", generated_cases()), "creation": (">=", generation_started[0])}
	assert not frappe.db.count("Email Queue", queued), "no mail is left queued to made-up doctors"


def test_equality_answers_are_stored_only_sealed(demo):
	import frappe

	from lnb_casework.intake.equality import equality_answers_of

	cases = generated_cases()
	stored = frappe.db.sql(
		"select * from `tabEquality Monitoring` where `case` in %(cases)s", {"cases": cases}, as_dict=True
	)
	assert len(stored) == len(cases), "each demo case has its equality record"
	answers = {answer for options in ANSWER_CODES.values() for answer in options if len(answer) > 3}
	for record in stored:
		text = " ".join(str(value) for value in record.values())
		assert not [answer for answer in answers if answer in text], (
			f"{record.name} holds an answer in plain text"
		)
	for doctype in ("Case", "Equality Monitoring"):
		columns = set(frappe.db.get_table_columns(doctype))
		assert not columns & {"ethnic_group", "equality_ethnic_group", "sex", "equality_sex"}, doctype
	opened = equality_answers_of(cases)
	assert len(opened) == len(cases)
	assert any(answer for record in opened.values() for answer in record.values()), (
		"the seals open to answers"
	)


def test_running_the_bench_command_again_adds_nothing(demo):
	before = counts()
	bench = os.environ["LNB_BENCH"]
	result = subprocess.run(
		["bench", "--site", os.environ["LNB_SITE"], "lnb-generate-data", "--size", "demo"],
		cwd=bench,
		capture_output=True,
		text=True,
		timeout=120,
	)
	assert result.returncode == 0, result.stdout + result.stderr
	assert "Made 0 fictional cases" in result.stdout, result.stdout
	assert counts() == before


def test_bulk_rows_are_shaped_like_the_apps(demo):
	"""The 10k and 100k sizes write rows directly; a few of them, checked as the app would read them."""
	import frappe

	from lnb_casework.demo.bulk import insert_cases
	from lnb_casework.demo.generator import BULK_PREFIX, choices, ensure_issues
	from lnb_casework.intake.equality import equality_answers_of

	frappe.set_user("Administrator")
	numbers = list(range(1, 31))
	insert_cases(numbers, SIZES["10k"], BULK_PREFIX, choices(), ensure_issues(), lambda _count: None)
	bulk = frappe.get_all(
		"Case", filters={"email": ("like", f"{BULK_PREFIX}-%")}, fields=["name", "workflow_state"]
	)
	assert len(bulk) == len(numbers)
	assert {row.workflow_state for row in bulk} == set(CASE_STATES)
	names = [row.name for row in bulk]
	for name in names:
		state = frappe.db.get_value("Case", name, "workflow_state")
		changes = frappe.get_all(
			"Case State Change", filters={"case": name}, pluck="to_state", order_by="changed_on, creation"
		)
		assert changes[0] == "New" and changes[-1] == state, name
	assert len(equality_answers_of(names)) == len(names)
	reviews = frappe.get_all("Review", filters={"case": ("in", names)}, pluck="name")
	assert reviews
	for review in reviews:
		doc = frappe.get_doc("Review", review)
		assert doc.docstatus == (1 if doc.workflow_state == "Approved" else 0)
		assert doc.systemic_factors and doc.just_culture_outcome
	# a bulk case moves on through the app like any other
	new = next(row.name for row in bulk if row.workflow_state == "New")
	frappe.set_user(PEOPLE[0].email)
	try:
		moved = apply_workflow(frappe.get_doc("Case", new), "Start triage")
	finally:
		frappe.set_user("Administrator")
	assert moved.workflow_state == "Triage"
	frappe.db.commit()


def test_removing_generated_data_leaves_the_site_as_it_was(demo):
	import frappe

	from lnb_casework.demo.remove import remove_generated

	cases = generated_cases()
	assert remove_generated() == SIZES["demo"] + 30
	assert counts(TRACES) == counts_before
	assert not frappe.db.count("Comment", {"reference_name": ("in", cases)})
	assert not frappe.db.count("Version", {"docname": ("in", cases)})


def test_run_sh_accounts_a_coordinator_who_is_not_system_manager_and_a_system_manager(base_url):
	import frappe

	from lnb_casework.demo.accounts import (
		COORDINATOR_ACCOUNT,
		MANAGER_ACCOUNT,
		ensure_account,
		ensure_newcomer_accounts,
	)
	from lnb_casework.demo.remove import remove_user

	frappe.db.rollback()
	try:
		# the coordinator alone first: Frappe's trap would make them System Manager on a site with none
		ensure_account(COORDINATOR_ACCOUNT, COORDINATOR_PASSWORD)
		frappe.db.commit()
		assert SYSTEM_MANAGER not in frappe.get_roles(COORDINATOR_ACCOUNT.email)
		ensure_newcomer_accounts(COORDINATOR_PASSWORD, MANAGER_PASSWORD)
		users = frappe.db.count("User")
		ensure_newcomer_accounts(COORDINATOR_PASSWORD, MANAGER_PASSWORD)
		assert frappe.db.count("User") == users, "a second run makes no other account"
		frappe.clear_cache()
		coordinator = set(frappe.get_roles(COORDINATOR_ACCOUNT.email))
		assert "LNB Coordinator" in coordinator and SYSTEM_MANAGER not in coordinator
		assert SYSTEM_MANAGER in frappe.get_roles(MANAGER_ACCOUNT.email)
		for account, password in (
			(COORDINATOR_ACCOUNT, COORDINATOR_PASSWORD),
			(MANAGER_ACCOUNT, MANAGER_PASSWORD),
		):
			with requests.Session() as session:
				response = sign_in_over_http(session, base_url, account.email, password)
				assert response.json()["full_name"] == f"{account.first_name} {account.last_name}"
	finally:
		frappe.db.rollback()
		for account in (COORDINATOR_ACCOUNT, MANAGER_ACCOUNT):
			remove_user(account.email)
		frappe.db.commit()
