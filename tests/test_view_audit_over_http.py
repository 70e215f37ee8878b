"""docs/view-audit.md over real HTTP: each read of a case or a review by a person, through each route, leaves
exactly one View Log saying who and how; a refused read and a guest's leave none; the Case View Audit
report shows them per case and per user to coordinators only; no casework role can change or delete them.
"""

import json
import uuid

import frappe
import pytest
import requests

COORDINATOR = "audit-coordinator@lnb.test"
CASEWORKER_A = "audit-caseworker-a@lnb.test"
CASEWORKER_B = "audit-caseworker-b@lnb.test"
POLICY_LEAD = "audit-policy-lead@lnb.test"
REPORT = "Case View Audit"
FORGED_VIEWER = "forged-viewer@lnb.test"
REFUSED = (403, 404, 417)


def make_case(label: str, caseworker: str) -> str:
	case = frappe.get_doc(
		{
			"doctype": "Case",
			"doctor_name": f"Dr {label} Audittest",
			"email": f"{label.lower()}-{uuid.uuid4().hex[:8]}@example.com",
			"what_happened": f"What happened to {label}",
			"wellbeing": "I am safe and do not need urgent support",
			"consent_given": 1,
		}
	).insert(ignore_permissions=True)
	frappe.db.set_value("Case", case.name, {"workflow_state": "Under Review", "caseworker": caseworker})
	return case.name


@pytest.fixture(scope="module")
def world(user_session, base_url):
	sessions = {
		None: requests.Session(),
		COORDINATOR: user_session(COORDINATOR, "LNB Coordinator"),
		CASEWORKER_A: user_session(CASEWORKER_A, "LNB Caseworker"),
		CASEWORKER_B: user_session(CASEWORKER_B, "LNB Caseworker"),
		POLICY_LEAD: user_session(POLICY_LEAD, "LNB Policy Lead"),
	}
	cases = {"a": make_case("Alpha", CASEWORKER_A), "b": make_case("Bravo", CASEWORKER_B)}
	review = frappe.get_doc({"doctype": "Review", "case": cases["a"], "circumstances": "Audit review"})
	review.insert(ignore_permissions=True)
	frappe.db.commit()
	yield {"sessions": sessions, "cases": cases, "review": review.name, "base": base_url}
	frappe.db.rollback()
	frappe.db.delete("View Log", {"reference_name": ("in", [*cases.values(), review.name])})
	frappe.db.delete("Version", {"docname": review.name})
	frappe.delete_doc("Review", review.name, ignore_permissions=True, force=True)
	for name in cases.values():
		frappe.db.delete("Case State Change", {"case": name})
		frappe.db.delete("Email Queue", {"reference_name": name})
		frappe.delete_doc("Case", name, ignore_permissions=True, force=True)
	frappe.db.commit()


def request(world, who: str, method: str, path: str, **params):
	session = world["sessions"][who]
	params = {
		key: json.dumps(value) if isinstance(value, list | dict) else value for key, value in params.items()
	}
	where = "data" if method == "POST" else "params"
	return session.request(method, f"{world['base']}{path}", timeout=120, **{where: params})


def view_logs() -> dict[str, dict]:
	frappe.db.commit()  # a fresh read of what the served site wrote
	return {
		row.name: row
		for row in frappe.get_all(
			"View Log",
			fields=["name", "viewed_by", "reference_doctype", "reference_name", "lnb_viewed_through as how"],
		)
	}


def new_views(world, who: str | None, method: str, path: str, **params) -> tuple[int, list[tuple]]:
	before = view_logs()
	response = request(world, who, method, path, **params)
	after = view_logs()
	new = sorted(
		(row.viewed_by, row.reference_doctype, row.reference_name, row.how)
		for name, row in after.items()
		if name not in before
	)
	return response.status_code, new


# (route, how, HTTP method, path, parameters given the document's doctype and name)
ROUTES = [
	(
		"desk form",
		"Desk",
		"GET",
		"/api/method/frappe.desk.form.load.getdoc",
		lambda dt, n: {"doctype": dt, "name": n},
	),
	("REST v1", "REST", "GET", "/api/resource/{dt}/{n}", lambda dt, n: {}),
	("REST v2", "REST", "GET", "/api/v2/document/{dt}/{n}", lambda dt, n: {}),
	(
		"frappe.client.get",
		"REST",
		"GET",
		"/api/method/frappe.client.get",
		lambda dt, n: {"doctype": dt, "name": n},
	),
	(
		"frappe.client.get by filters",
		"REST",
		"POST",
		"/api/method/frappe.client.get",
		lambda dt, n: {"doctype": dt, "filters": {"name": n}},
	),
	(
		"print page",
		"Print",
		"GET",
		"/printview",
		lambda dt, n: {"doctype": dt, "name": n, "format": "Standard"},
	),
	(
		"desk print view",
		"Print",
		"GET",
		"/api/method/frappe.www.printview.get_html_and_style",
		lambda dt, n: {"doc": dt, "name": n, "print_format": "Standard"},
	),
	(
		"PDF",
		"PDF",
		"GET",
		"/api/method/frappe.utils.print_format.download_pdf",
		lambda dt, n: {"doctype": dt, "name": n},
	),
	(
		"PDF of several",
		"PDF",
		"GET",
		"/api/method/frappe.utils.print_format.download_multi_pdf",
		lambda dt, n: {"doctype": dt, "name": [n]},
	),
	(
		"list export",
		"Report export",
		"POST",
		"/api/method/frappe.desk.reportview.export_query",
		lambda dt, n: {
			"doctype": dt,
			"file_format_type": "CSV",
			"fields": [f"`tab{dt}`.`name`"],
			"filters": [[dt, "name", "=", n]],
		},
	),
]
CASEWORKER_ROUTES = [route for route in ROUTES if route[0] != "list export"]  # caseworkers may not export
# coordinators may export cases but not reviews (no export permission on Review)
COORDINATOR_READS = [(route, "Case") for route in ROUTES] + [(route, "Review") for route in CASEWORKER_ROUTES]


def route_path(path: str, doctype: str, name: str) -> str:
	return path.format(dt=doctype, n=name)


@pytest.mark.parametrize(
	("route", "doctype"),
	COORDINATOR_READS,
	ids=[f"{route[0]}-{doctype}" for route, doctype in COORDINATOR_READS],
)
def test_a_coordinators_read_through_each_route_leaves_one_view_log(world, route, doctype):
	label, how, method, path, params = route
	name = world["cases"]["a"] if doctype == "Case" else world["review"]
	status, new = new_views(
		world, COORDINATOR, method, route_path(path, doctype, name), **params(doctype, name)
	)
	assert status == 200, label
	assert new == [(COORDINATOR, doctype, name, how)]


@pytest.mark.parametrize("route", CASEWORKER_ROUTES, ids=[route[0] for route in CASEWORKER_ROUTES])
def test_a_caseworkers_read_of_their_own_case_leaves_one_view_log_and_of_another_none(world, route):
	label, how, method, path, params = route
	own, other = world["cases"]["a"], world["cases"]["b"]
	status, new = new_views(world, CASEWORKER_A, method, route_path(path, "Case", own), **params("Case", own))
	assert status == 200, label
	assert new == [(CASEWORKER_A, "Case", own, how)]
	status, new = new_views(
		world, CASEWORKER_A, method, route_path(path, "Case", other), **params("Case", other)
	)
	assert status in REFUSED, label
	assert new == []


@pytest.mark.parametrize("route", ROUTES, ids=[route[0] for route in ROUTES])
def test_a_guest_and_a_policy_lead_leave_no_view_log(world, route):
	label, _how, method, path, params = route
	name = world["cases"]["a"]
	for who in (None, POLICY_LEAD):
		status, new = new_views(world, who, method, route_path(path, "Case", name), **params("Case", name))
		assert status in REFUSED, (label, who)
		assert new == [], (label, who)


def test_an_export_of_several_cases_leaves_one_view_log_for_each(world):
	a, b = world["cases"]["a"], world["cases"]["b"]
	status, new = new_views(
		world,
		COORDINATOR,
		"POST",
		"/api/method/frappe.desk.reportview.export_query",
		doctype="Case",
		file_format_type="Excel",
		fields=["`tabCase`.`name`", "`tabCase`.`workflow_state`"],
		filters=[["Case", "name", "in", [a, b]]],
	)
	assert status == 200
	assert new == sorted(
		[(COORDINATOR, "Case", a, "Report export"), (COORDINATOR, "Case", b, "Report export")]
	)
	status, new = new_views(
		world,
		COORDINATOR,
		"GET",
		"/api/method/frappe.utils.print_format.download_multi_pdf",
		doctype={"Case": [a, b], "Review": [world["review"]]},
		name=[],
	)
	assert status == 200
	assert new == sorted(
		[
			(COORDINATOR, "Case", a, "PDF"),
			(COORDINATOR, "Case", b, "PDF"),
			(COORDINATOR, "Review", world["review"], "PDF"),
		]
	)


def test_a_script_report_export_leaves_one_view_log_per_case_in_its_rows(world):
	status, new = new_views(
		world,
		COORDINATOR,
		"POST",
		"/api/method/frappe.desk.query_report.export_query",
		report_name="Case Ageing",
		file_format_type="CSV",
		filters={"caseworker": CASEWORKER_A},
		visible_idx=[0],
	)
	assert status == 200
	assert new == [(COORDINATOR, "Case", world["cases"]["a"], "Report export")]


def test_the_cases_story_beside_a_review_is_a_view_of_the_case_from_the_desk(world):
	case, story = world["cases"]["a"], "/api/method/lnb_casework.review.story.case_story"
	for who in (COORDINATOR, CASEWORKER_A):
		status, new = new_views(world, who, "GET", story, case=case)
		assert status == 200
		assert new == [(who, "Case", case, "Desk")]
	status, new = new_views(world, CASEWORKER_A, "GET", story, case=world["cases"]["b"])
	assert status in REFUSED
	assert new == []


def test_a_list_of_cases_is_not_a_view_of_each(world):
	status, new = new_views(
		world, COORDINATOR, "GET", "/api/resource/Case", fields=["name"], limit_page_length=5
	)
	assert status == 200
	assert new == []


def run_report(world, who: str, **filters):
	return request(
		world, who, "GET", "/api/method/frappe.desk.query_report.run", report_name=REPORT, filters=filters
	)


def test_the_report_shows_a_cases_views_and_its_reviews_to_coordinators(world):
	case, review = world["cases"]["a"], world["review"]
	for path, params in (
		("/api/resource/Case/" + case, {}),
		("/api/method/frappe.desk.form.load.getdoc", {"doctype": "Review", "name": review}),
	):
		assert request(world, CASEWORKER_A, "GET", path, **params).status_code == 200
	assert request(world, CASEWORKER_B, "GET", "/api/resource/Case/" + world["cases"]["b"]).status_code == 200

	response = run_report(world, COORDINATOR, case=case)
	assert response.status_code == 200, response.text
	rows = response.json()["message"]["result"]
	assert {(row["reference_doctype"], row["reference_name"]) for row in rows} == {
		("Case", case),
		("Review", review),
	}
	assert {(row["viewed_by"], row["how"]) for row in rows} >= {
		(CASEWORKER_A, "REST"),
		(CASEWORKER_A, "Desk"),
	}
	assert [row["viewed_on"] for row in rows] == sorted((row["viewed_on"] for row in rows), reverse=True)

	rows = run_report(world, COORDINATOR, viewed_by=CASEWORKER_B).json()["message"]["result"]
	assert rows and {(row["viewed_by"], row["reference_name"]) for row in rows} == {
		(CASEWORKER_B, world["cases"]["b"])
	}

	rows = run_report(world, COORDINATOR, viewed_by=CASEWORKER_A, how="Desk").json()["message"]["result"]
	assert ("Review", review) in {(row["reference_doctype"], row["reference_name"]) for row in rows}
	assert {(row["viewed_by"], row["how"]) for row in rows} == {(CASEWORKER_A, "Desk")}

	today = frappe.utils.today()
	assert run_report(world, COORDINATOR, case=case, from_date=today, to_date=today).json()["message"][
		"result"
	]
	assert not run_report(world, COORDINATOR, case=case, to_date="2001-01-01").json()["message"]["result"]


def test_the_report_refuses_other_roles_and_bad_filters(world):
	for who in (CASEWORKER_A, POLICY_LEAD):
		assert run_report(world, who, case=world["cases"]["a"]).status_code in REFUSED
	assert run_report(world, None).status_code in REFUSED
	for filters in (
		{"how": "Telepathy"},
		{"from_date": "yesterday"},
		{"from_date": "2026-02-02", "to_date": "2026-01-01"},
	):
		response = run_report(world, COORDINATOR, **filters)
		assert response.status_code == 417, (filters, response.text)


@pytest.fixture()
def a_view_log(world) -> str:
	"""A View Log of caseworker A's read of their own case."""
	case = world["cases"]["a"]
	assert request(world, CASEWORKER_A, "GET", f"/api/resource/Case/{case}").status_code == 200
	frappe.db.commit()
	return frappe.get_all(
		"View Log",
		filters={"reference_name": case, "viewed_by": CASEWORKER_A},
		order_by="creation desc",
		limit=1,
		pluck="name",
	)[0]


@pytest.mark.parametrize("who", [CASEWORKER_A, COORDINATOR, POLICY_LEAD])
def test_no_casework_role_can_change_or_delete_a_view_log(world, a_view_log, who):
	kept = frappe.get_doc("View Log", a_view_log).as_dict()
	log = f"/api/resource/View Log/{a_view_log}"
	doc = {
		"name": a_view_log,
		"modified": str(kept.modified),
		"doctype": "View Log",
		"viewed_by": "someone@else",
	}
	attempts = [
		world["sessions"][who].put(f"{world['base']}{log}", json={"viewed_by": "someone@else"}, timeout=30),
		world["sessions"][who].delete(f"{world['base']}{log}", timeout=30),
		request(
			world,
			who,
			"POST",
			"/api/method/frappe.client.set_value",
			doctype="View Log",
			name=a_view_log,
			fieldname="lnb_viewed_through",
			value="Desk",
		),
		request(world, who, "POST", "/api/method/frappe.client.delete", doctype="View Log", name=a_view_log),
		request(world, who, "POST", "/api/method/frappe.desk.form.save.savedocs", doc=doc, action="Save"),
		request(
			world,
			who,
			"POST",
			"/api/method/frappe.client.insert",
			doc={
				"doctype": "View Log",
				"viewed_by": FORGED_VIEWER,
				"reference_doctype": "Case",
				"reference_name": world["cases"]["b"],
			},
		),
	]
	assert [response.status_code for response in attempts] == [403] * len(attempts)
	frappe.db.commit()
	stored = frappe.get_doc("View Log", a_view_log).as_dict()
	assert {key: stored[key] for key in ("viewed_by", "lnb_viewed_through", "modified")} == {
		key: kept[key] for key in ("viewed_by", "lnb_viewed_through", "modified")
	}
	assert not frappe.db.exists("View Log", {"viewed_by": FORGED_VIEWER})
