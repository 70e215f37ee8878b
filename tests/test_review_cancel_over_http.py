"""Cancelling an approved review over real HTTP, each way the desk and the REST API offer: only a System
Manager may, and the review's state is then Cancelled (docs/access-policy.md)."""

import json

import frappe
import pytest
from frappe.model.workflow import apply_workflow

from lnb_casework.casework.test_casework import case_in, make_organisations
from lnb_casework.lnb_casework.doctype.review.test_review import review_answers
from lnb_casework.review.workflow import APPROVE, APPROVED, CANCEL, CANCELLED, SUBMIT_FOR_APPROVAL

CASEWORKER = "cancel-caseworker@lnb.test"
COORDINATOR = "cancel-coordinator@lnb.test"
MANAGER = "cancel-system-manager@lnb.test"
METHOD = "/api/method/"


@pytest.fixture(scope="module")
def people(user_session):
	return {
		"caseworker": user_session(CASEWORKER, "LNB Caseworker"),
		"coordinator": user_session(COORDINATOR, "LNB Coordinator"),
		"manager": user_session(MANAGER, "System Manager"),
	}


def approved_review() -> str:
	make_organisations()
	case = case_in("Under Review", CASEWORKER)
	try:
		frappe.set_user(CASEWORKER)
		review = frappe.get_doc(review_answers(case)).insert()
		apply_workflow(review, SUBMIT_FOR_APPROVAL)
		frappe.set_user(COORDINATOR)
		review = apply_workflow(frappe.get_doc("Review", review.name), APPROVE)
	finally:
		frappe.set_user("Administrator")
	frappe.db.commit()
	return review.name


def state_of(review: str) -> tuple:
	frappe.db.rollback()  # read what the served site committed
	return tuple(frappe.db.get_value("Review", review, ["workflow_state", "docstatus"]))


def ways_to_cancel(review: str) -> dict[str, tuple[str, dict]]:
	doc = json.dumps({"doctype": "Review", "name": review})
	return {
		"workflow action": ("frappe.model.workflow.apply_workflow", {"doc": doc, "action": CANCEL}),
		"desk Cancel button": (
			"frappe.desk.form.save.cancel",
			# the desk sends the state its form shows
			{
				"doctype": "Review",
				"name": review,
				"workflow_state_fieldname": "workflow_state",
				"workflow_state": APPROVED,
			},
		),
		"REST cancel": ("frappe.client.cancel", {"doctype": "Review", "name": review}),
	}


@pytest.mark.parametrize("way", ["workflow action", "desk Cancel button", "REST cancel"])
def test_only_a_system_manager_cancels_an_approved_review_and_it_is_then_cancelled(people, base_url, way):
	review = approved_review()
	method, data = ways_to_cancel(review)[way]
	for who in ("caseworker", "coordinator"):
		refused = people[who].post(f"{base_url}{METHOD}{method}", data=data, timeout=60)
		assert refused.status_code >= 400, f"{who}: {refused.status_code} {refused.text[:300]}"
		assert state_of(review) == (APPROVED, 1), who

	cancelled = people["manager"].post(f"{base_url}{METHOD}{method}", data=data, timeout=60)
	assert cancelled.status_code == 200, cancelled.text[:1000]
	assert state_of(review) == (CANCELLED, 2)
	frappe.db.rollback()
	open_actions = frappe.get_all("Workflow Action", filters={"reference_name": review, "status": "Open"})
	assert open_actions == [], "a cancelled review waits on nobody"
