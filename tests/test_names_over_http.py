"""Names spelt as the database compares them (issue 22, items 2 and 5), over HTTP, as each role.

MariaDB finds `lnb-2026-00202`, `LNB-2026-00202 `, the reference in full-width letters and digits and
`ĹNB-2026-00202` to be the same case. Each of the issue's examples is sent with the other caseworker's reference in each spelling and
with a made-up reference in the same spelling: the two answers are the same (status and body, names put
back as placeholders), and nothing is written onto the case. The lists of Frappe's records about a case
(Document Follow, Notification Log) and a Related Case link in a list's fields show nothing of it either.
"""
# ruff: noqa: F811  (the permission tests' `world` fixture is imported, and taken by name as a parameter)

import json

import frappe
import pytest
from test_permissions_over_http import (
	CASEWORKER_A,
	COORDINATOR,
	POLICY_LEAD,
	SECRET_NARRATIVE,
	world,
)

METHOD = "/api/method/"
FULL_WIDTH = {character: chr(ord(character) + 0xFEE0) for character in "LNBREV0123456789-"}
SPELLINGS = {
	"lower case": str.lower,
	"mixed case": lambda name: name[0].lower() + name[1:2] + name[2:].lower(),
	"surrounding spaces": lambda name: f"  {name}  ",
	"trailing spaces": lambda name: f"{name}   ",
	"full-width": lambda name: "".join(FULL_WIDTH.get(character, character) for character in name),
	"accented": lambda name: "L\u0301" + name[1:],
}
ATTACKERS = {"caseworker A": "a", "policy lead": "policy", "guest": None}
EMAILS = {"a": CASEWORKER_A, "policy": POLICY_LEAD, None: "Guest"}


def made_up(name: str) -> str:
	"""A reference of the same shape that no case has."""
	year = name.split("-")[1]
	return f"LNB-{year}-99999"


def examples(name: str, email: str) -> dict[str, tuple[str, str, dict]]:
	"""The issue's examples, as sent: (http method, path, arguments) naming the case `name`."""
	return {
		"follow_document": (
			"POST",
			f"{METHOD}frappe.desk.form.document_follow.follow_document",
			{"doctype": "Case", "doc_name": name, "user": email},
		),
		"validate_link": (
			"GET",
			f"{METHOD}frappe.client.validate_link",
			{"doctype": "Case", "docname": name, "fields": json.dumps(["name"])},
		),
		"getdoc": ("GET", f"{METHOD}frappe.desk.form.load.getdoc", {"doctype": "Case", "name": name}),
		"REST": ("GET", f"/api/resource/Case/{name}", {}),
		"printview": ("GET", "/printview", {"doctype": "Case", "name": name}),
		"get_submitted_linked_docs": (
			"POST",
			f"{METHOD}frappe.desk.form.linked_with.get_submitted_linked_docs",
			{"doctype": "Case", "name": name},
		),
		"download_multi_pdf": (
			"GET",
			f"{METHOD}frappe.utils.print_format.download_multi_pdf",
			{"doctype": "Case", "name": json.dumps([name]), "format": "Standard"},
		),
		"toggle_like": (
			"POST",
			f"{METHOD}frappe.desk.like.toggle_like",
			{"doctype": "Case", "name": name, "add": "Yes"},
		),
		"add_comment": (
			"POST",
			f"{METHOD}frappe.desk.form.utils.add_comment",
			{
				"reference_doctype": "Case",
				"reference_name": name,
				"content": "I was here.",
				"comment_email": email,
				"comment_by": email,
			},
		),
		"add_tag": (
			"POST",
			f"{METHOD}frappe.desk.doctype.tag.tag.add_tag",
			{"tag": "spelt-differently", "dt": "Case", "dn": name},
		),
		"assign_to.add": (
			"POST",
			f"{METHOD}frappe.desk.form.assign_to.add",
			{"doctype": "Case", "name": name, "assign_to": json.dumps([email])},
		),
		"share.add": (
			"POST",
			f"{METHOD}frappe.share.add",
			{"doctype": "Case", "name": name, "user": email, "read": 1},
		),
		"assign_to.add, the case inside JSON": (
			"POST",
			f"{METHOD}frappe.desk.form.assign_to.add",
			{"args": json.dumps({"doctype": "Case", "name": name, "assign_to": [email]})},
		),
	}


def send(world, who: str | None, http_method: str, path: str, arguments: dict):
	import requests

	session = world["sessions"][who] if who else requests.Session()
	url = f"{world['base']}{path}"
	if http_method == "GET":
		return session.get(url, params=arguments, timeout=60)
	return session.post(url, data=arguments, timeout=60)


def seen(response, name: str) -> tuple[int, str]:
	text = response.text
	for spelt in sorted({name, name.strip(), json.dumps(name)[1:-1]}, key=len, reverse=True):
		text = text.replace(spelt, "<case>")
	return response.status_code, text


def written_about(case: str) -> dict[str, int]:
	"""What lies on the case that an attacker could have written."""
	frappe.db.rollback()
	return {
		"follows": frappe.db.count("Document Follow", {"ref_doctype": "Case", "ref_docname": case}),
		"likes": frappe.db.count("Comment", {"reference_name": case, "comment_type": "Like"}),
		"comments": frappe.db.count("Comment", {"reference_name": case, "content": ["like", "%I was here%"]}),
		"tags": frappe.db.count("Tag Link", {"document_name": case, "tag": "spelt-differently"}),
		"assignments": frappe.db.count("ToDo", {"reference_name": case, "allocated_to": ["!=", ""]}),
		"shares": frappe.db.count("DocShare", {"share_name": case}),
	}


@pytest.fixture(scope="module")
def followers(world):
	"""The users may be sent what they follow (Frappe follows nothing for one who is not)."""
	for email in (CASEWORKER_A, POLICY_LEAD):
		frappe.db.set_value("User", email, "document_follow_notify", 1)
	frappe.db.commit()
	return world


@pytest.mark.parametrize("attacker", list(ATTACKERS))
def test_the_issues_examples_answer_another_case_spelt_differently_as_a_missing_one(followers, attacker):
	world, who = followers, ATTACKERS[attacker]
	victim = world["cases"]["b"]
	before = written_about(victim)
	different = []
	for spelling, spell in SPELLINGS.items():
		real, missing = spell(victim), spell(made_up(victim))
		assert frappe.db.sql("select count(*) from tabCase where name = %s", real.strip())[0][0] == 1
		for example, (http_method, path, arguments) in examples(real, EMAILS[who]).items():
			answer = send(world, who, http_method, path, arguments)
			_m, missing_path, missing_arguments = examples(missing, EMAILS[who])[example]
			missing_answer = send(world, who, http_method, missing_path, missing_arguments)
			assert answer.status_code < 500, (example, spelling, answer.text[:300])
			assert SECRET_NARRATIVE not in answer.text, (example, spelling)
			if seen(answer, real) != seen(missing_answer, missing):
				different.append((example, spelling, answer.status_code, missing_answer.status_code))
			elif example != "printview":
				assert answer.status_code in (403, 404), (example, spelling, answer.text[:300])
	assert different == [], "answered another's case differently from a missing one"
	assert written_about(victim) == before, "something was written onto another caseworker's case"


def test_a_reference_however_spelt_still_opens_what_one_may_read(world):
	"""The names are resolved, not refused for their spelling: one's own case, and any case for a
	coordinator, open under each spelling."""
	own, other = world["cases"]["a"], world["cases"]["b"]
	for spelling, spell in SPELLINGS.items():
		if spelling == "surrounding spaces":
			continue  # the database finds no record under a name with spaces before it
		for who, name in (("a", own), ("coordinator", other)):
			response = send(
				world,
				who,
				"GET",
				f"{METHOD}frappe.desk.form.load.getdoc",
				{"doctype": "Case", "name": spell(name)},
			)
			assert response.status_code == 200, (who, spelling, response.text[:300])
			assert response.json()["docs"][0]["name"] == name


def test_records_about_another_case_are_not_listed(world):
	"""Document Follow and Notification Log rows about a case are listed only to those who may read it."""
	victim, own = world["cases"]["b"], world["cases"]["a"]
	frappe.db.rollback()
	rows = []
	for case in (victim, own):
		follow = frappe.get_doc(
			{"doctype": "Document Follow", "ref_doctype": "Case", "ref_docname": case, "user": COORDINATOR}
		)
		follow.db_insert()
		mention = frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": CASEWORKER_A,
				"type": "Mention",
				"subject": f"Mentioned on {case}",
				"document_type": "Case",
				"document_name": case,
			}
		)
		mention.db_insert()
		rows += [("Document Follow", follow.name), ("Notification Log", mention.name)]
	frappe.db.commit()
	try:
		for doctype, field in (("Document Follow", "ref_docname"), ("Notification Log", "document_name")):
			for method in ("frappe.client.get_list", "frappe.desk.reportview.get"):
				response = send(
					world,
					"a",
					"POST",
					f"{METHOD}{method}",
					{"doctype": doctype, "fields": json.dumps(["name", field]), "limit_page_length": 0},
				)
				assert response.status_code == 200, (doctype, method, response.text[:300])
				assert victim not in response.text, (doctype, method)
				assert own in response.text, (doctype, method)
		victims_follow = rows[0][1]
		refused = send(world, "a", "GET", f"/api/resource/Document Follow/{victims_follow}", {})
		missing = send(world, "a", "GET", f"/api/resource/Document Follow/{victims_follow[:-3]}zzz", {})
		assert (refused.status_code, refused.text) == (missing.status_code, missing.text)
		assert refused.status_code == 403
	finally:
		frappe.db.rollback()
		for doctype, name in rows:
			frappe.db.delete(doctype, {"name": name})
		frappe.db.commit()


def test_a_related_case_column_in_a_list_shows_no_link_to_another_case(world):
	"""The Case form hides a Related Case row naming a case one may not read; a list of one's own case
	asking for that table's columns, or filtering on them, is refused the same way."""
	from lnb_casework.casework.related import POSSIBLE_DUPLICATE, link_both_ways

	own, victim = world["cases"]["a"], world["cases"]["b"]
	frappe.db.rollback()
	if not frappe.db.exists("Related Case", {"parent": own, "related_case": victim}):
		link_both_ways(own, victim, POSSIBLE_DUPLICATE, "Same email address")
		frappe.db.commit()
	for method in ("frappe.client.get_list", "frappe.desk.reportview.get"):
		for arguments in (
			{"fields": ["`tabRelated Case`.related_case"], "filters": {"name": own}},
			{"fields": ["name", "`tabRelated Case`.`related_case`"], "filters": [["Case", "name", "=", own]]},
			{"fields": ["name"], "filters": [["Related Case", "related_case", "=", victim]]},
			{"fields": ["name"], "filters": {"related_case": victim}},
		):
			encoded = {key: json.dumps(value) for key, value in arguments.items()}
			response = send(world, "a", "POST", f"{METHOD}{method}", {"doctype": "Case", **encoded})
			assert response.status_code == 403, (method, arguments, response.text[:300])
			assert victim not in response.text.replace(json.dumps(arguments), "")
	# the same columns of a table whose rows follow their case are still there to ask for
	response = send(
		world,
		"a",
		"POST",
		f"{METHOD}frappe.client.get_list",
		{"doctype": "Case", "fields": json.dumps(["name", "`tabCase Deadline`.due_date"])},
	)
	assert response.status_code == 200, response.text[:300]
	# and a coordinator, who reads every case, may list the links
	response = send(
		world,
		"coordinator",
		"POST",
		f"{METHOD}frappe.client.get_list",
		{
			"doctype": "Case",
			"fields": json.dumps(["`tabRelated Case`.related_case"]),
			"filters": json.dumps({"name": own}),
		},
	)
	assert response.status_code == 200, response.text[:300]
	assert victim in response.text
