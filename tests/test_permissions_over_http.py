"""docs/access-policy.md over real HTTP, as real users of each role signed in with API keys.

Two caseworkers hold one allocated case each; a third case is in triage, allocated to nobody. Every way
in that docs/access-policy.md lists must show each caseworker their own case and nothing of the others.
"""

import json
import uuid

import frappe
import pytest
from intake_payloads import PDF

COORDINATOR = "perm-coordinator@lnb.test"
CASEWORKER_A = "perm-caseworker-a@lnb.test"
CASEWORKER_B = "perm-caseworker-b@lnb.test"
POLICY_LEAD = "perm-policy-lead@lnb.test"
ORGANISATION = "Permtest Hospitals NHS Trust"
SECRET_NARRATIVE = "unmistakable-narrative"
METHOD = "/api/method/"
FORBIDDEN = (403, 404)


def make_case(label: str, caseworker: str | None, state: str) -> str:
	case = frappe.get_doc(
		{
			"doctype": "Case",
			"doctor_name": f"Dr {label} Permtest",
			"email": f"{label.lower()}-{uuid.uuid4().hex[:8]}@example.com",
			"what_happened": f"{SECRET_NARRATIVE} of case {label}",
			"wellbeing": "I am safe and do not need urgent support",
			"consent_given": 1,
		}
	).insert(ignore_permissions=True)
	frappe.db.set_value(
		"Case", case.name, {"workflow_state": state, "caseworker": caseworker, "organisation": ORGANISATION}
	)
	if caseworker:
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": caseworker,
				"reference_type": "Case",
				"reference_name": case.name,
				"description": f"Case {case.name} has been allocated to you.",
			}
		).insert(ignore_permissions=True)
	frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{label.lower()}-letter.pdf",
			"attached_to_doctype": "Case",
			"attached_to_name": case.name,
			"is_private": 1,
			"content": PDF + label.encode(),  # files with the same content share one stored file
		}
	).insert(ignore_permissions=True)
	frappe.get_doc(
		{
			"doctype": "Comment",
			"comment_type": "Comment",
			"reference_doctype": "Case",
			"reference_name": case.name,
			"content": f"comment on {label}",
		}
	).insert(ignore_permissions=True)
	return case.name


@pytest.fixture(scope="module")
def world(user_session, base_url):
	sessions = {
		"coordinator": user_session(COORDINATOR, "LNB Coordinator"),
		"a": user_session(CASEWORKER_A, "LNB Caseworker"),
		"b": user_session(CASEWORKER_B, "LNB Caseworker"),
		"policy": user_session(POLICY_LEAD, "LNB Policy Lead"),
	}
	if not frappe.db.exists("Healthcare Organisation", ORGANISATION):
		frappe.get_doc({"doctype": "Healthcare Organisation", "organisation_name": ORGANISATION}).insert(
			ignore_permissions=True
		)
	for user in (CASEWORKER_A, CASEWORKER_B):
		if not frappe.db.exists("Caseworker Profile", user):
			frappe.get_doc({"doctype": "Caseworker Profile", "user": user, "capacity": 50}).insert(
				ignore_permissions=True
			)
	cases = {
		"a": make_case("Alpha", CASEWORKER_A, "Under Review"),
		"b": make_case("Bravo", CASEWORKER_B, "Under Review"),
	}
	cases["triage"] = make_case("Charlie", None, "Triage")
	review = frappe.get_doc({"doctype": "Review", "case": cases["a"], "circumstances": SECRET_NARRATIVE})
	review.insert(ignore_permissions=True)
	frappe.db.commit()
	yield {"sessions": sessions, "cases": cases, "base": base_url, "review": review.name}
	frappe.db.rollback()
	for doctype, field in (("Workflow Action", "reference_name"), ("Version", "docname")):
		frappe.db.delete(doctype, {field: review.name})
	frappe.delete_doc("Review", review.name, ignore_permissions=True, force=True)
	for name in cases.values():
		for doctype, field in (
			("File", "attached_to_name"),
			("Comment", "reference_name"),
			("ToDo", "reference_name"),
		):
			frappe.db.delete(doctype, {field: name})
		frappe.db.delete("Case State Change", {"case": name})
		frappe.db.delete("Email Queue", {"reference_name": name})
		frappe.delete_doc("Case", name, ignore_permissions=True, force=True)
	frappe.db.commit()


def get(world, who: str, path: str, **params):
	params = {
		key: json.dumps(value) if isinstance(value, list | dict) else value for key, value in params.items()
	}
	return world["sessions"][who].get(f"{world['base']}{path}", params=params, timeout=30)


def names_listed(world, who: str) -> set[str]:
	response = get(world, who, "/api/resource/Case", fields=["name"], limit_page_length=0)
	assert response.status_code == 200, response.text
	return {row["name"] for row in response.json()["data"]}


def ours(world, names) -> set[str]:
	return set(names) & set(world["cases"].values())


def test_two_caseworkers_see_disjoint_sets_and_a_coordinator_sees_all(world):
	cases = world["cases"]
	assert ours(world, names_listed(world, "a")) == {cases["a"]}
	assert ours(world, names_listed(world, "b")) == {cases["b"]}
	assert ours(world, names_listed(world, "coordinator")) == set(cases.values())
	assert get(world, "policy", "/api/resource/Case").status_code in FORBIDDEN


@pytest.mark.parametrize(
	"method, params",
	[
		("frappe.client.get_count", {"doctype": "Case"}),
		("frappe.client.get_count", {"doctype": "Case", "filters": {"name": ["like", "%"]}}),
		("frappe.desk.reportview.get_count", {"doctype": "Case"}),
	],
	ids=["client count", "client count with filters", "report view count"],
)
def test_counts_are_of_allocated_cases_only(world, method, params):
	everything = get(world, "coordinator", f"{METHOD}{method}", **params).json()["message"]
	for who in ("a", "b"):
		counted = get(world, who, f"{METHOD}{method}", **params).json()["message"]
		assert counted == 1, f"caseworker {who} counts {counted} of {everything}"
	assert get(world, "policy", f"{METHOD}{method}", **params).status_code in FORBIDDEN


def test_group_by_counts_and_report_view_show_only_allocated_cases(world):
	rows = get(
		world, "a", f"{METHOD}frappe.desk.reportview.get", doctype="Case", fields=["`tabCase`.`name`"]
	).json()
	values = rows["message"].get("values", []) if rows.get("message") else []
	assert ours(world, [row[0] for row in values]) == {world["cases"]["a"]}
	grouped = get(
		world,
		"a",
		f"{METHOD}frappe.desk.listview.get_group_by_count",
		doctype="Case",
		field="workflow_state",
		current_filters=[],
	)
	assert grouped.status_code == 200
	assert sum(row["count"] for row in grouped.json()["message"]) == 1


def test_single_reads_of_cases_not_allocated_are_refused_like_missing_ones(world):
	cases = world["cases"]
	assert get(world, "a", f"/api/resource/Case/{cases['a']}").status_code == 200
	for path in (
		f"/api/resource/Case/{cases['b']}",
		f"/api/resource/Case/{cases['triage']}",
		"/api/resource/Case/LNB-1999-99999",
	):
		response = get(world, "a", path)
		assert response.status_code == 403, path
		assert SECRET_NARRATIVE not in response.text
	for method in ("frappe.client.get", "frappe.desk.form.load.getdoc"):
		own = get(world, "a", f"{METHOD}{method}", doctype="Case", name=cases["a"])
		assert own.status_code == 200, method
		for name in (cases["b"], "LNB-1999-99999"):
			refused = get(world, "a", f"{METHOD}{method}", doctype="Case", name=name)
			assert refused.status_code == 403, f"{method} {name}: {refused.status_code}"
	value = get(
		world,
		"a",
		f"{METHOD}frappe.client.get_value",
		doctype="Case",
		filters={"name": cases["b"]},
		fieldname="email",
	)
	assert not (value.json().get("message") or {}).get("email")


def test_link_search_shows_only_allocated_cases(world):
	found = get(
		world, "a", f"{METHOD}frappe.desk.search.search_link", doctype="Case", txt="LNB", page_length=1000
	)
	assert found.status_code == 200
	names = {row["value"] for row in found.json()["message"]}
	assert ours(world, names) == {world["cases"]["a"]}


def test_writes_follow_allocation_and_role(world):
	cases, base = world["cases"], world["base"]
	a = world["sessions"]["a"]

	def put(session, name, values):
		return session.put(f"{base}/api/resource/Case/{name}", data={"data": json.dumps(values)}, timeout=30)

	assert put(a, cases["a"], {"casework_notes": "Called the doctor."}).status_code == 200
	assert put(a, cases["b"], {"casework_notes": "Not mine."}).status_code == 403
	assert put(a, cases["a"], {"priority": "High"}).status_code == 403
	assert put(a, cases["a"], {"what_happened": "Rewritten"}).status_code == 403
	created = a.post(f"{base}/api/resource/Case", data={"data": json.dumps({"doctor_name": "X"})}, timeout=30)
	assert created.status_code == 403
	for who in ("a", "coordinator"):
		deleted = world["sessions"][who].delete(f"{base}/api/resource/Case/{cases['a']}", timeout=30)
		assert deleted.status_code in FORBIDDEN, who
	frappe.db.rollback()
	assert frappe.db.exists("Case", cases["a"])
	assert put(world["sessions"]["coordinator"], cases["a"], {"priority": "High"}).status_code == 200


def test_attachments_comments_and_other_records_follow_the_case(world):
	cases = world["cases"]
	checks = {
		"File": ("attached_to_doctype", "attached_to_name"),
		"Comment": ("reference_doctype", "reference_name"),
		"ToDo": ("reference_type", "reference_name"),
		"Version": ("ref_doctype", "docname"),
		"Case State Change": (None, "case"),
		"View Log": ("reference_doctype", "reference_name"),
		"Communication": ("reference_doctype", "reference_name"),
	}
	for doctype, (doctype_field, name_field) in checks.items():
		filters = {doctype_field: "Case"} if doctype_field else {}
		response = get(
			world, "a", f"/api/resource/{doctype}", fields=[name_field], filters=filters, limit_page_length=0
		)
		if response.status_code in FORBIDDEN:
			continue
		seen = {row[name_field] for row in response.json()["data"]}
		assert not (seen & {cases["b"], cases["triage"]}), f"{doctype} shows another caseworker's case"
	frappe.db.rollback()
	file_of = lambda name: frappe.db.get_value("File", {"attached_to_name": name}, "file_url")  # noqa: E731
	assert get(world, "a", file_of(cases["a"])).status_code == 200
	assert get(world, "a", file_of(cases["b"])).status_code == 403
	assert get(world, "b", file_of(cases["a"])).status_code == 403


def test_a_file_about_a_case_is_never_public(world):
	"""Frappe lists a public file to every desk user, whatever the row rule says: none is ever attached to a
	case or a review, by upload or by making an attached file public afterwards."""
	case_b, coordinator = world["cases"]["b"], world["sessions"]["coordinator"]
	for about, name in (("Case", case_b), ("Review", world["review"])):
		upload = coordinator.post(
			f"{world['base']}/api/method/upload_file",
			data={"is_private": "0", "doctype": about, "docname": name},
			files={"file": ("public-letter.pdf", PDF + b"public", "application/pdf")},
			timeout=30,
		)
		assert upload.status_code == 403, upload.text
		assert "Files about a case are kept private" in upload.text
	frappe.db.rollback()
	assert not frappe.db.exists(
		"File", {"attached_to_name": ("in", [case_b, world["review"]]), "is_private": 0}
	)
	attached = frappe.db.get_value("File", {"attached_to_name": case_b}, "name")
	made_public = coordinator.put(
		f"{world['base']}/api/resource/File/{attached}", json={"is_private": 0}, timeout=30
	)
	assert made_public.status_code == 403, made_public.text
	frappe.db.rollback()
	assert frappe.db.get_value("File", attached, "is_private") == 1
	for path, params in (
		("/api/resource/File", {"fields": ["name"], "limit_page_length": 0}),
		(f"{METHOD}frappe.desk.reportview.get", {"doctype": "File", "fields": ["name"], "page_length": 500}),
	):
		listed = get(world, "a", path, **params).json()
		names = json.dumps(listed)
		assert attached not in names, "caseworker A is shown a file of caseworker B's case"


def test_a_case_is_assigned_only_by_allocation_and_never_shared(world):
	cases, base = world["cases"], world["base"]
	for who in ("a", "coordinator"):
		session = world["sessions"][who]
		assigned = session.post(
			f"{base}{METHOD}frappe.desk.form.assign_to.add",
			data={"doctype": "Case", "name": cases["a"], "assign_to": json.dumps([CASEWORKER_B])},
			timeout=30,
		)
		assert assigned.status_code in FORBIDDEN, who
		shared = session.post(
			f"{base}{METHOD}frappe.share.add",
			data={"doctype": "Case", "name": cases["a"], "user": CASEWORKER_B, "read": 1},
			timeout=30,
		)
		assert shared.status_code in FORBIDDEN, who
	assert ours(world, names_listed(world, "b")) == {cases["b"]}


def test_reallocation_takes_access_away(world):
	cases, base = world["cases"], world["base"]
	coordinator = world["sessions"]["coordinator"]
	moved = coordinator.post(
		f"{base}{METHOD}lnb_casework.api.casework.allocate",
		data={"case": cases["a"], "caseworker": CASEWORKER_B},
		timeout=30,
	)
	assert moved.status_code == 200, moved.text
	try:
		assert get(world, "a", f"/api/resource/Case/{cases['a']}").status_code == 403
		assert ours(world, names_listed(world, "a")) == set()
		assert ours(world, names_listed(world, "b")) == {cases["a"], cases["b"]}
	finally:
		back = coordinator.post(
			f"{base}{METHOD}lnb_casework.api.casework.allocate",
			data={"case": cases["a"], "caseworker": CASEWORKER_A},
			timeout=30,
		)
		assert back.status_code == 200, back.text


def test_healthcare_organisations_by_role(world):
	base = world["base"]
	path = f"/api/resource/Healthcare Organisation/{ORGANISATION}"
	for who in ("a", "policy", "coordinator"):
		assert get(world, who, path).status_code == 200, who
	change = {"data": json.dumps({"region": "London"})}
	assert world["sessions"]["a"].put(f"{base}{path}", data=change, timeout=30).status_code in FORBIDDEN
	assert world["sessions"]["policy"].put(f"{base}{path}", data=change, timeout=30).status_code == 200
	new = {"data": json.dumps({"organisation_name": f"Policy lead made {uuid.uuid4().hex[:6]}"})}
	created = world["sessions"]["policy"].post(
		f"{base}/api/resource/Healthcare Organisation", data=new, timeout=30
	)
	assert created.status_code == 200
	frappe.db.rollback()
	frappe.delete_doc(
		"Healthcare Organisation", created.json()["data"]["name"], ignore_permissions=True, force=True
	)
	frappe.db.commit()


def test_caseworker_profiles_by_role(world):
	base = world["base"]
	own, other = (f"/api/resource/Caseworker Profile/{user}" for user in (CASEWORKER_A, CASEWORKER_B))
	assert get(world, "a", own).status_code == 200
	assert get(world, "a", other).status_code in FORBIDDEN
	listed = get(world, "a", "/api/resource/Caseworker Profile", fields=["name"]).json()["data"]
	assert {row["name"] for row in listed} == {CASEWORKER_A}
	change = {"data": json.dumps({"capacity": 4})}
	assert world["sessions"]["a"].put(f"{base}{own}", data=change, timeout=30).status_code == 200
	assert world["sessions"]["a"].put(f"{base}{other}", data=change, timeout=30).status_code in FORBIDDEN
	assert get(world, "coordinator", other).status_code == 200
	assert get(world, "policy", own).status_code in FORBIDDEN


def test_reviews_follow_their_case(world):
	review = world["review"]
	listed = lambda who: {  # noqa: E731
		row["name"]
		for row in get(world, who, "/api/resource/Review", fields=["name"], limit_page_length=0).json()[
			"data"
		]
	}
	assert review in listed("a")
	assert review in listed("coordinator")
	assert review not in listed("b")
	assert get(world, "policy", "/api/resource/Review").status_code in FORBIDDEN
	assert get(world, "a", f"/api/resource/Review/{review}").status_code == 200
	for who in ("b", "policy"):
		refused = get(world, who, f"/api/resource/Review/{review}")
		assert refused.status_code == 403, who
		assert SECRET_NARRATIVE not in refused.text
	assert get(world, "b", "/api/resource/Review/REV-1999-99999").status_code == 403


def test_workflow_actions_show_only_what_is_yours_to_act_on(world):
	frappe.db.rollback()
	pending = frappe.get_all("Workflow Action", filters={"reference_name": world["review"]}, pluck="name")
	assert pending, "Frappe records who may act on the draft review"
	for who, should_see in (("a", True), ("b", False)):
		rows = get(
			world, who, "/api/resource/Workflow Action", fields=["reference_name"], limit_page_length=0
		)
		if rows.status_code in FORBIDDEN:
			assert not should_see
			continue
		seen = {row["reference_name"] for row in rows.json()["data"]}
		assert (world["review"] in seen) == should_see, who


@pytest.mark.parametrize(
	"path, params",
	[
		("/printview", {"doctype": "Case", "format": "Standard"}),
		(f"{METHOD}frappe.utils.print_format.download_pdf", {"doctype": "Case"}),
		(f"{METHOD}frappe.client.validate_link", {"doctype": "Case", "docname": None}),
		(f"{METHOD}frappe.desk.form.load.get_docinfo", {"doctype": "Case"}),
	],
	ids=["print", "pdf", "link validation", "document info"],
)
def test_other_single_record_ways_in_refuse_alike(world, path, params):
	def answer(name: str) -> int:
		values = {key: (name if value is None else value) for key, value in params.items()}
		values.setdefault("name", name)
		response = get(world, "a", path, **values)
		assert SECRET_NARRATIVE not in response.text
		return response.status_code

	assert answer(world["cases"]["b"]) == answer("LNB-1999-99999") == 403


def test_review_drafts_are_written_only_on_allocated_cases(world):
	base, review = world["base"], world["review"]
	change = {"data": json.dumps({"recommendation": "Proportionate support, not discipline."})}
	path = f"{base}/api/resource/Review/{review}"
	assert world["sessions"]["a"].put(path, data=change, timeout=30).status_code == 200
	for who in ("b", "policy"):
		assert world["sessions"][who].put(path, data=change, timeout=30).status_code in FORBIDDEN, who
	new = {"data": json.dumps({"case": world["cases"]["b"], "circumstances": "Not mine."})}
	created = world["sessions"]["a"].post(f"{base}/api/resource/Review", data=new, timeout=30)
	assert created.status_code in FORBIDDEN
	frappe.db.rollback()
	assert not frappe.db.exists("Review", {"case": world["cases"]["b"]})


def test_a_related_case_of_another_caseworker_is_never_shown_and_survives_a_save(world):
	"""A possible duplicate allocated to someone else would tell a caseworker that it exists."""
	from lnb_casework.casework.related import POSSIBLE_DUPLICATE, link_both_ways

	cases, base = world["cases"], world["base"]
	link_both_ways(cases["a"], cases["b"], POSSIBLE_DUPLICATE, "Same email address")
	frappe.db.commit()
	session = world["sessions"]["a"]
	reads = {
		"REST": session.get(f"{base}/api/resource/Case/{cases['a']}", timeout=30),
		"frappe.client.get": session.post(
			f"{base}{METHOD}frappe.client.get", data={"doctype": "Case", "name": cases["a"]}, timeout=30
		),
		"desk form": session.get(
			f"{base}{METHOD}frappe.desk.form.load.getdoc",
			params={"doctype": "Case", "name": cases["a"]},
			timeout=30,
		),
		"child list": session.get(
			f"{base}/api/resource/Related Case",
			params={"fields": '["related_case"]', "parent": "Case", "limit_page_length": 0},
			timeout=30,
		),
		"print": session.get(f"{base}/printview", params={"doctype": "Case", "name": cases["a"]}, timeout=30),
	}
	for route, response in reads.items():
		assert response.status_code == 200, (route, response.text[:300])
		assert cases["b"] not in response.text, f"{route} shows another caseworker's case"
	# the row itself, asked for by its name, is judged by its own rule and not only by its case's
	row = frappe.db.get_value("Related Case", {"parent": cases["a"], "related_case": cases["b"]})
	by_name = {
		"REST": session.get(f"{base}/api/resource/Related Case/{row}", timeout=30),
		"frappe.client.get": session.post(
			f"{base}{METHOD}frappe.client.get",
			data={"doctype": "Related Case", "name": row, "parent": "Case"},
			timeout=30,
		),
		"frappe.client.get_value": session.post(
			f"{base}{METHOD}frappe.client.get_value",
			data={"doctype": "Related Case", "filters": row, "fieldname": "related_case", "parent": "Case"},
			timeout=30,
		),
	}
	for route, response in by_name.items():
		assert response.status_code in FORBIDDEN, (route, response.status_code, response.text[:300])
		assert cases["b"] not in response.text, f"{route} shows another caseworker's case"
	theirs = world["sessions"]["b"].get(f"{base}/api/resource/Case/{cases['b']}", timeout=30)
	assert theirs.status_code == 200
	assert cases["a"] not in theirs.text, "the other caseworker sees the link to a case that is not theirs"

	shown = reads["REST"].json()["data"]
	saved = session.put(
		f"{base}/api/resource/Case/{cases['a']}",
		data=json.dumps({"casework_notes": "Spoke to the doctor.", "related_cases": shown["related_cases"]}),
		timeout=30,
	)
	assert saved.status_code == 200, saved.text[:500]
	frappe.db.rollback()
	kept = frappe.get_all("Related Case", filters={"parent": cases["a"]}, pluck="related_case")
	assert cases["b"] in kept, "a save by the caseworker removed a link they were not shown"
	assert cases["a"] in frappe.get_all("Related Case", filters={"parent": cases["b"]}, pluck="related_case")
