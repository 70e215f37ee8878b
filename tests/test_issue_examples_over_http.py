"""Every way around the row rules that an attacker found (issue 10), replayed as they sent it, over HTTP,
by ordinary accounts of each role: each is now refused, or answers exactly as it does for a case that does
not exist, and none returns what the doctor told us."""
# ruff: noqa: F811  (the permission tests' `world` fixture is imported, and taken by name as a parameter)

import json

import frappe
import pytest
from test_permissions_over_http import SECRET_NARRATIVE, world

METHOD = "/api/method/"
MISSING = "LNB-2026-99999"
GMC_NUMBER = "7654321"
ETHNIC_GROUP = "Mixed or multiple ethnic groups"


def call(world, who: str, method: str, **arguments):
	data = {
		key: json.dumps(value) if isinstance(value, list | dict) else value
		for key, value in arguments.items()
	}
	return world["sessions"][who].post(f"{world['base']}{METHOD}{method}", data=data, timeout=30)


def answer(response, name: str) -> tuple[int, str]:
	return response.status_code, response.text.replace(name, "<case>")


def assert_tells_nothing(response, victim: str = "") -> None:
	assert response.status_code < 500, response.text[:300]
	for secret in (SECRET_NARRATIVE, GMC_NUMBER, ETHNIC_GROUP, victim or SECRET_NARRATIVE):
		assert secret not in response.text, f"{secret} came back: {response.text[:300]}"


@pytest.fixture(scope="module")
def victim(world):
	"""Caseworker B's case, with a GMC number, a tag, an equality record and a deadline; caseworker A and
	the policy lead attack it."""
	name = world["cases"]["b"]
	frappe.db.set_value("Case", name, "gmc_number", GMC_NUMBER)
	frappe.get_doc(
		{
			"doctype": "Case Deadline",
			"parenttype": "Case",
			"parentfield": "deadlines",
			"parent": name,
			"description": "Tribunal",
			"due_date": "2027-01-05",
		}
	).db_insert()
	from frappe.desk.doctype.tag.tag import add_tag

	add_tag("victim-tag", "Case", name)
	from lnb_casework.intake.equality import record_equality_answers

	case = frappe.get_doc("Case", name)
	case.set("equality_ethnic_group", ETHNIC_GROUP)
	record_equality_answers(case)
	frappe.db.commit()
	yield name
	frappe.db.rollback()
	frappe.db.delete("Equality Monitoring", {"case": name})
	frappe.db.delete("Tag Link", {"document_name": name})
	frappe.db.commit()


SUBQUERY = "max((select what_happened from tabCase where name='{case}')) as x"
EQUALITY = "greatest(1, (select concat_ws('|', ethnic_group, sex) from `tabEquality Monitoring` where `case`='{case}'))"


def test_sql_expressions_in_list_fields_are_refused(world, victim):
	for method in ("frappe.client.get_list", "frappe.desk.reportview.get"):
		response = call(world, "a", method, doctype="Case", fields=[SUBQUERY.format(case=victim)])
		assert response.status_code == 403, (method, response.text[:300])
		assert_tells_nothing(response, victim)
		response = call(
			world, "policy", method, doctype="Healthcare Organisation", fields=[EQUALITY.format(case=victim)]
		)
		assert response.status_code == 403, (method, response.text[:300])
		assert_tells_nothing(response, victim)


def test_a_number_card_cannot_read_a_value_as_a_number(world, victim):
	card = {
		"document_type": "Case",
		"function": "Sum",
		"aggregate_function_based_on": f"(select length(what_happened) from tabCase where name='{victim}')",
	}
	response = call(
		world, "a", "frappe.desk.doctype.number_card.number_card.get_result", doc=card, filters=[]
	)
	assert response.status_code == 403, response.text[:300]


def test_child_tables_list_only_the_rows_of_readable_cases(world, victim):
	for doctype in (
		"Case Process",
		"Case Key Date",
		"Case Deadline",
		"Case Discrimination Kind",
		"Related Case",
	):
		for method in ("frappe.client.get_list", "frappe.desk.reportview.get"):
			response = call(
				world,
				"a",
				method,
				doctype=doctype,
				parent_doctype="Case",
				fields=["parent"],
				limit_page_length=0,
			)
			assert response.status_code in (200, 403), (doctype, method, response.text[:300])
			assert victim not in response.text, (doctype, method)


def test_client_get_with_filters_answers_a_match_like_no_match(world, victim):
	found = call(world, "a", "frappe.client.get", doctype="Case", filters={"gmc_number": GMC_NUMBER})
	not_found = call(world, "a", "frappe.client.get", doctype="Case", filters={"gmc_number": "0000000"})
	assert answer(found, victim) == answer(not_found, "LNB-never"), (found.text[:300], not_found.text[:300])


def test_group_by_assignment_does_not_say_who_holds_a_gmc_number(world, victim):
	response = call(
		world,
		"a",
		"frappe.desk.listview.get_group_by_count",
		doctype="Case",
		current_filters={"gmc_number": GMC_NUMBER},
		field="assigned_to",
	)
	assert response.status_code == 200, response.text[:300]
	assert response.json()["message"] == []


@pytest.mark.parametrize(
	"method,arguments",
	[
		("frappe.www.printview.get_html_and_style", {"doc": "Case", "name": "{case}"}),
		(
			"frappe.model.workflow.apply_workflow",
			{"doc": {"doctype": "Case", "name": "{case}"}, "action": "Begin support"},
		),
		("frappe.model.workflow.get_transitions", {"doc": {"doctype": "Case", "name": "{case}"}}),
		(
			"frappe.client.insert",
			{
				"doc": {
					"doctype": "Case Deadline",
					"parenttype": "Case",
					"parentfield": "deadlines",
					"parent": "{case}",
					"description": "x",
					"due_date": "2027-01-01",
				}
			},
		),
		(
			"frappe.desk.form.utils.add_comment",
			{
				"reference_doctype": "Case",
				"reference_name": "{case}",
				"content": "hello",
				"comment_email": "x@example.com",
				"comment_by": "x",
			},
		),
		("frappe.desk.doctype.tag.tag.add_tags", {"tags": ["probe"], "dt": "Case", "docs": ["{case}"]}),
		(
			"frappe.desk.doctype.bulk_update.bulk_update.submit_cancel_or_update_docs",
			{"doctype": "Case", "docnames": ["{case}"], "action": "update", "data": {"priority": "Urgent"}},
		),
		("frappe.desk.reportview.delete_items", {"items": ["{case}"], "doctype": "Case"}),
		(
			"frappe.model.workflow.bulk_workflow_approval",
			{"docnames": ["{case}"], "doctype": "Case", "action": "Begin support"},
		),
		("frappe.client.get", {"doctype": "Case", "name": "{case}"}),
		("frappe.desk.form.load.getdoc", {"doctype": "Case", "name": "{case}"}),
		("frappe.client.get_value", {"doctype": "Case", "filters": {"name": "{case}"}, "fieldname": "email"}),
	],
)
def test_methods_that_take_a_case_answer_one_that_is_not_theirs_like_one_that_does_not_exist(
	world, victim, method, arguments
):
	def aimed_at(case: str):
		return json.loads(json.dumps(arguments).replace("{case}", case))

	for who in ("a", "policy"):
		real = call(world, who, method, **aimed_at(victim))
		missing = call(world, who, method, **aimed_at(MISSING))
		assert answer(real, victim) == answer(missing, MISSING), (who, real.text[:300], missing.text[:300])
		assert_tells_nothing(real, victim)
	frappe.db.rollback()
	assert not frappe.db.exists("Comment", {"reference_name": victim, "content": "hello"})
	assert frappe.db.get_value("Case", victim, "priority") != "Urgent"
	assert "probe" not in (frappe.db.get_value("Case", victim, "_user_tags") or "")


def test_tags_list_only_readable_cases(world, victim):
	tagged = call(
		world, "a", "frappe.desk.doctype.tag.tag.get_tagged_docs", doctype="Case", tag="%victim-tag%"
	)
	assert tagged.status_code == 200 and victim not in tagged.text, tagged.text[:300]
	links = world["sessions"]["a"].get(
		f"{world['base']}/api/resource/Tag Link",
		params={"fields": '["document_name"]', "limit_page_length": 0},
		timeout=30,
	)
	assert victim not in links.text, links.text[:300]
	for_tag = call(world, "a", "frappe.desk.doctype.tag.tag.get_documents_for_tag", tag="#victim-tag")
	assert victim not in for_tag.text, for_tag.text[:300]
