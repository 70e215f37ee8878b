"""Side effects that belong to a record's own lifecycle, done the way the desk does them: REST calls by a
coordinator (or a caseworker) over real HTTP, then the database is read back. Each would be skipped if the
side effect lived in a helper only the app's code calls."""

import datetime
import json
import uuid

import frappe
import pytest
from frappe.utils import getdate, now_datetime

COORDINATOR = "side-coordinator@lnb.test"
CASEWORKER_A = "side-caseworker-a@lnb.test"
CASEWORKER_B = "side-caseworker-b@lnb.test"
EXCLUSION_REVIEW = "Exclusion review"


def make_case(label: str, caseworker: str | None = None, state: str = "Triage", **values) -> str:
	case = frappe.get_doc(
		{
			"doctype": "Case",
			"doctor_name": f"Dr {label} Sidetest",
			"email": f"side-{label.lower()}-{uuid.uuid4().hex[:8]}@example.com",
			"what_happened": f"What happened in case {label}.",
			"wellbeing": "I am safe and do not need urgent support",
			"consent_given": 1,
			**values,
		}
	).insert(ignore_permissions=True)
	frappe.db.set_value("Case", case.name, {"workflow_state": state, "caseworker": caseworker})
	return case.name


@pytest.fixture(scope="module")
def world(user_session, base_url):
	sessions = {
		"coordinator": user_session(COORDINATOR, "LNB Coordinator"),
		"a": user_session(CASEWORKER_A, "LNB Caseworker"),
		"b": user_session(CASEWORKER_B, "LNB Caseworker"),
	}
	made = {"cases": [], "reviews": [], "issues": []}
	frappe.db.commit()
	yield {"sessions": sessions, "base": base_url, "made": made}
	frappe.db.rollback()
	for issue in made["issues"]:
		frappe.delete_doc("Systemic Issue", issue, ignore_permissions=True, force=True)
	for review in made["reviews"]:
		for doctype, field in (("Workflow Action", "reference_name"), ("Version", "docname")):
			frappe.db.delete(doctype, {field: review})
		frappe.delete_doc("Review", review, ignore_permissions=True, force=True)
	cases = made["cases"]
	if cases:
		frappe.db.delete("Related Case", {"parenttype": "Case", "parent": ("in", cases)})
		frappe.db.delete("Related Case", {"parenttype": "Case", "related_case": ("in", cases)})
	for name in cases:
		for doctype, field in (
			("Version", "docname"),
			("ToDo", "reference_name"),
			("Email Queue", "reference_name"),
			("Error Log", "reference_name"),
		):
			frappe.db.delete(doctype, {field: name})
		frappe.db.delete("Case State Change", {"case": name})
		frappe.delete_doc("Case", name, ignore_permissions=True, force=True)
	frappe.db.commit()


def case_of(world, label: str, caseworker: str | None = None, state: str = "Triage", **values) -> str:
	name = make_case(label, caseworker, state, **values)
	world["made"]["cases"].append(name)
	frappe.db.commit()
	return name


def call(world, who: str, verb: str, path: str, **kwargs):
	return getattr(world["sessions"][who], verb)(f"{world['base']}{path}", timeout=30, **kwargs)


def put_case(world, who: str, name: str, values: dict):
	response = call(world, who, "put", f"/api/resource/Case/{name}", data=json.dumps(values))
	assert response.status_code == 200, response.text[:500]
	frappe.db.rollback()  # read what the web server committed
	return response


def related(name: str) -> list[str]:
	return frappe.get_all(
		"Related Case", filters={"parenttype": "Case", "parent": name}, pluck="related_case", order_by="idx"
	)


# ---- Systemic Issue Evidence: deleting it keeps the issue's figures and the review's factor right


def reviewed(world, label: str, created: str) -> tuple[str, str, str]:
	"""A case under review with a review (started on `created`) naming one systemic factor."""
	case = case_of(world, label, CASEWORKER_A, "Under Review")
	review = frappe.get_doc(
		{
			"doctype": "Review",
			"case": case,
			"systemic_factors": [{"seips_component": "Organisation", "description": "No exclusion reviews."}],
		}
	).insert(ignore_permissions=True)
	world["made"]["reviews"].append(review.name)
	frappe.db.set_value("Review", review.name, "creation", created, update_modified=False)
	return case, review.name, review.systemic_factors[0].name


def test_deleting_evidence_through_rest_refreshes_the_issue_and_the_factor(world):
	from lnb_casework.api.learning import promote

	frappe.db.rollback()
	_early_case, early_review, early_factor = reviewed(world, "Early", "2025-01-10 10:00:00")
	late_case, late_review, late_factor = reviewed(world, "Late", "2025-03-01 10:00:00")
	issue = promote(late_review, late_factor)["systemic_issue"]
	world["made"]["issues"].append(issue)
	promote(early_review, early_factor, issue)
	frappe.db.commit()
	figures = lambda: frappe.db.get_value("Systemic Issue", issue, ["first_seen", "last_seen"])  # noqa: E731
	assert figures() == (datetime.date(2025, 1, 10), datetime.date(2025, 3, 1))

	evidence = frappe.db.get_value(
		"Systemic Issue Evidence", {"systemic_issue": issue, "review": early_review}
	)
	deleted = call(world, "coordinator", "delete", f"/api/resource/Systemic Issue Evidence/{evidence}")
	assert deleted.status_code in (200, 202), deleted.text[:500]
	frappe.db.rollback()
	assert not frappe.db.exists("Systemic Issue Evidence", evidence)
	assert figures() == (datetime.date(2025, 3, 1), datetime.date(2025, 3, 1)), (
		"the issue's figures are stale"
	)
	assert not frappe.db.get_value("Review Systemic Factor", early_factor, "systemic_issue")
	assert frappe.db.get_value("Review Systemic Factor", late_factor, "systemic_issue") == issue
	assert [
		row.case for row in frappe.get_all("Systemic Issue Evidence", {"systemic_issue": issue}, ["case"])
	] == [late_case]

	# the last evidence goes: no dates, and the factor is free to be promoted again
	evidence = frappe.db.get_value("Systemic Issue Evidence", {"systemic_issue": issue})
	deleted = call(world, "coordinator", "delete", f"/api/resource/Systemic Issue Evidence/{evidence}")
	assert deleted.status_code in (200, 202), deleted.text[:500]
	frappe.db.rollback()
	assert figures() == (None, None)
	assert frappe.db.get_value("Systemic Issue", issue, "case_count") == "0"
	assert not frappe.db.get_value("Review Systemic Factor", late_factor, "systemic_issue")


# ---- Related cases: a link made or removed on one case through REST shows on the other, through its save


def test_a_coordinator_links_and_unlinks_two_cases_through_rest(world):
	one, two = case_of(world, "One"), case_of(world, "Two")
	activity_before = frappe.db.get_value("Case", two, "last_activity_on")
	put_case(
		world,
		"coordinator",
		one,
		{"related_cases": [{"related_case": two, "relation": "Related", "note": "Same ward"}]},
	)
	assert related(one) == [two]
	assert related(two) == [one], "the link does not show on the other case"
	row = frappe.get_all(
		"Related Case", filters={"parent": two}, fields=["relation", "note", "modified_by"], limit=1
	)[0]
	assert (row.relation, row.note, row.modified_by) == ("Related", "Same ward", COORDINATOR)
	# saved as a Case, by the coordinator: its modified time moved, but it is not activity on that case
	assert frappe.db.get_value("Case", two, "modified_by") == COORDINATOR
	assert frappe.db.get_value("Case", two, "last_activity_on") == activity_before
	shown = call(world, "coordinator", "get", f"/api/resource/Case/{two}").json()["data"]
	assert [row["related_case"] for row in shown["related_cases"]] == [one]

	put_case(world, "coordinator", two, {"related_cases": []})
	assert related(two) == []
	assert related(one) == [], "the link removed on one case stays on the other"


def test_a_caseworker_links_a_closed_case_of_theirs(world):
	"""The other case is saved through its controller, but not held to the caseworker's rules on it (a
	closed case is changed only after reopening it): the caseworker's own case was."""
	mine = case_of(world, "Mine", CASEWORKER_A, "Under Review")
	closed = case_of(world, "Closed", CASEWORKER_A, "Closed")
	put_case(world, "a", mine, {"related_cases": [{"related_case": closed, "relation": "Related"}]})
	assert related(closed) == [mine]
	assert frappe.db.get_value("Case", closed, "workflow_state") == "Closed"


def test_a_link_a_coordinator_makes_tells_no_caseworker_of_a_case_not_theirs(world):
	theirs_a = case_of(world, "Alpha", CASEWORKER_A, "Under Review")
	theirs_b = case_of(world, "Bravo", CASEWORKER_B, "Under Review")
	put_case(world, "coordinator", theirs_a, {"related_cases": [{"related_case": theirs_b}]})
	assert related(theirs_b) == [theirs_a]
	for path, params in (
		(f"/api/resource/Case/{theirs_b}", {}),
		("/api/method/frappe.desk.form.load.getdoc", {"doctype": "Case", "name": theirs_b}),
	):
		response = call(world, "b", "get", path, params=params)
		assert response.status_code == 200, response.text[:500]
		# neither the row nor a version of the mirrored save (the timeline) names the other case
		assert theirs_a not in response.text, path
	# caseworker B's own save keeps the link they were not shown, on both cases
	put_case(world, "b", theirs_b, {"casework_notes": "Called the doctor.", "related_cases": []})
	assert related(theirs_b) == [theirs_a]
	assert related(theirs_a) == [theirs_b]


def test_a_new_case_is_linked_to_its_possible_duplicate_both_ways(world):
	from lnb_casework.intake.alerts import send_owed_intake_mail

	earlier = case_of(world, "Earlier", gmc_number="5556667")
	later = case_of(world, "Later", gmc_number="5556667")
	assert related(later) == [], "linked by the case's job, once it has committed"
	send_owed_intake_mail(later)
	frappe.db.commit()
	assert related(later) == [earlier]
	assert related(earlier) == [later]
	assert frappe.db.get_value("Related Case", {"parent": earlier}, "relation") == "Possible duplicate"


# ---- Exclusion reviews: rolled on by their own daily job, through each case's save


def passed_review(world, label: str) -> tuple[str, str]:
	"""An open case excluded ten weeks ago whose computed exclusion review is set back to a passed date,
	as it stands the morning after the review day."""
	excluded_from = getdate() - datetime.timedelta(weeks=10)
	case = case_of(world, label, CASEWORKER_A, "Active Support", excluded_from=excluded_from)
	row = frappe.db.get_value("Case Deadline", {"parent": case, "rule": EXCLUSION_REVIEW})
	assert row, "the case's save computes its exclusion review"
	frappe.db.set_value("Case Deadline", row, "due_date", getdate() - datetime.timedelta(days=1))
	frappe.db.set_value("Case", case, "last_activity_on", now_datetime() - datetime.timedelta(days=30))
	frappe.db.commit()
	return case, row


def next_review(case: str) -> datetime.date:
	from lnb_casework.deadlines.arithmetic import next_exclusion_review

	weeks = frappe.db.get_single_value("LNB Settings", "exclusion_review_weeks") or 4
	return next_exclusion_review(frappe.db.get_value("Case", case, "excluded_from"), getdate(), weeks).due


def test_the_daily_job_rolls_a_passed_exclusion_review_through_the_case(world):
	from lnb_casework.alerts.scheduled import send_deadline_reminders
	from lnb_casework.deadlines.case_deadlines import roll_passed_exclusion_reviews

	hooked = [job for jobs in frappe.get_hooks("scheduler_events")["cron"].values() for job in jobs]
	assert "lnb_casework.deadlines.case_deadlines.roll_passed_exclusion_reviews" in hooked

	case, row = passed_review(world, "Rolled")
	idle_since = frappe.db.get_value("Case", case, "last_activity_on")
	send_deadline_reminders()
	assert frappe.db.get_value("Case Deadline", row, "due_date") < getdate(), "the reminders only read"
	frappe.db.rollback()  # send no reminders for the rest of the site's cases

	assert case in roll_passed_exclusion_reviews()
	frappe.db.commit()
	assert frappe.db.get_value("Case Deadline", row, "due_date") == next_review(case), "kept its name"
	assert next_review(case) >= getdate()
	assert frappe.db.get_value("Case", case, "last_activity_on") == idle_since, "rolling is not activity"
	assert case not in roll_passed_exclusion_reviews(), "a rolled review is not rolled again"


def test_a_coordinator_saving_the_case_rolls_its_passed_review_too(world):
	case, row = passed_review(world, "Saved")
	put_case(world, "coordinator", case, {"casework_notes": "Reviewed the file."})
	assert frappe.db.get_value("Case Deadline", row, "due_date") == next_review(case)
