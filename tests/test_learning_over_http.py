"""Policy leads work on systemic issues and advocacy without ever seeing a doctor or a case reference."""

import json

import frappe
import pytest

POLICY_LEAD = "learn-http-policy@lnb.test"
COORDINATOR = "learn-http-coordinator@lnb.test"
CASEWORKER = "learn-http-caseworker@lnb.test"
DOCTOR = "Dr Zainab Learnhttp"
DOCTOR_EMAIL = "zainab.learnhttp@example.com"
FORBIDDEN = (403, 404)


@pytest.fixture(scope="module")
def learning(user_session, base_url):
	sessions = {
		"policy": user_session(POLICY_LEAD, "LNB Policy Lead"),
		"coordinator": user_session(COORDINATOR, "LNB Coordinator"),
		"caseworker": user_session(CASEWORKER, "LNB Caseworker"),
	}
	from lnb_casework.api.learning import promote

	case = frappe.get_doc(
		{
			"doctype": "Case",
			"doctor_name": DOCTOR,
			"email": DOCTOR_EMAIL,
			"gmc_number": "7777777",
			"what_happened": "Excluded for seven months without a single review.",
			"wellbeing": "I am safe and do not need urgent support",
			"consent_given": 1,
		}
	).insert(ignore_permissions=True)
	frappe.db.set_value("Case", case.name, {"caseworker": CASEWORKER, "workflow_state": "Under Review"})
	review = frappe.get_doc(
		{
			"doctype": "Review",
			"case": case.name,
			"unfairness": [{"kind": "Delay", "description": "Seven months excluded."}],
			"systemic_factors": [{"seips_component": "Organisation", "description": "No exclusion reviews."}],
		}
	).insert(ignore_permissions=True)
	issue = promote(review.name, review.systemic_factors[0].name)["systemic_issue"]
	frappe.db.commit()
	yield {"sessions": sessions, "base": base_url, "case": case.name, "review": review.name, "issue": issue}
	frappe.db.rollback()
	frappe.delete_doc("Systemic Issue", issue, ignore_permissions=True, force=True)
	for doctype, field in (("Workflow Action", "reference_name"), ("Version", "docname")):
		frappe.db.delete(doctype, {field: review.name})
	frappe.delete_doc("Review", review.name, ignore_permissions=True, force=True)
	frappe.db.delete("Email Queue", {"reference_name": case.name})
	frappe.db.delete("Case State Change", {"case": case.name})
	frappe.delete_doc("Case", case.name, ignore_permissions=True, force=True)
	frappe.db.commit()


def call(learning, who: str, verb: str, path: str, **kwargs):
	return getattr(learning["sessions"][who], verb)(f"{learning['base']}{path}", timeout=30, **kwargs)


def test_a_policy_lead_works_on_issues_and_actions(learning):
	issue = call(learning, "policy", "get", f"/api/resource/Systemic Issue/{learning['issue']}")
	assert issue.status_code == 200
	from lnb_casework.learning.disclosure import site_perturbation

	# one case publishes 0 or 3 (under the site's key): it never shows as itself
	expected = "<5" if site_perturbation().count([learning["case"]]) else "0"
	assert issue.json()["data"]["case_count"] == expected, "one case shows only as 0 or a small number"
	for private in (
		learning["case"],
		learning["review"],
		DOCTOR,
		DOCTOR_EMAIL,
		"7777777",
		"seven months",
		"No exclusion",
	):
		assert private not in issue.text, private
	action = {
		"title": "Letter to the trust about exclusion reviews",
		"action_type": "Letter to an organisation",
		"responsible": POLICY_LEAD,
		"systemic_issues": [{"systemic_issue": learning["issue"]}],
	}
	created = call(
		learning, "policy", "post", "/api/resource/Advocacy Action", data={"data": json.dumps(action)}
	)
	assert created.status_code == 200, created.text
	assert created.json()["data"]["owner"] == POLICY_LEAD
	listed = call(learning, "policy", "get", "/api/resource/Advocacy Action", params={"limit_page_length": 0})
	assert created.json()["data"]["name"] in {row["name"] for row in listed.json()["data"]}
	assert (
		call(
			learning, "caseworker", "get", f"/api/resource/Advocacy Action/{created.json()['data']['name']}"
		).status_code
		== 200
	)
	frappe.db.rollback()
	frappe.delete_doc("Advocacy Action", created.json()["data"]["name"], ignore_permissions=True, force=True)
	frappe.db.commit()


def test_a_policy_lead_sees_no_case_and_no_evidence(learning):
	paths = [
		"/api/resource/Case",
		f"/api/resource/Case/{learning['case']}",
		f"/api/resource/Review/{learning['review']}",
		"/api/resource/Systemic Issue Evidence",
		"/api/method/frappe.client.get_count?doctype=Systemic%20Issue%20Evidence",
		"/api/method/frappe.client.get_count?doctype=Case",
	]
	for path in paths:
		response = call(learning, "policy", "get", path)
		assert response.status_code in FORBIDDEN, path
		assert learning["case"] not in response.text


def test_only_coordinators_see_the_evidence(learning):
	evidence = call(
		learning,
		"coordinator",
		"get",
		"/api/resource/Systemic Issue Evidence",
		params={"fields": json.dumps(["case"])},
	)
	assert evidence.status_code == 200
	assert learning["case"] in {row["case"] for row in evidence.json()["data"]}
	assert (
		call(learning, "caseworker", "get", "/api/resource/Systemic Issue Evidence").status_code in FORBIDDEN
	)


def test_the_learning_summary_downloads_for_those_who_may_read_the_issue(learning):
	path = f"/api/method/lnb_casework.learning.summary.download_learning_summary?issue={learning['issue']}"
	for who in ("policy", "coordinator", "caseworker"):
		response = call(learning, who, "get", path)
		assert response.status_code == 200, who
		assert "Procedural failures" in response.text
		for private in (learning["case"], learning["review"], DOCTOR, DOCTOR_EMAIL, "7777777"):
			assert private not in response.text, private
	printed = call(
		learning,
		"policy",
		"get",
		"/printview",
		params={
			"doctype": "Systemic Issue",
			"name": learning["issue"],
			"format": "Anonymised Learning Summary",
		},
	)
	assert printed.status_code == 200
	assert "Learning summary" in printed.text and learning["case"] not in printed.text
