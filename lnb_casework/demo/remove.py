"""Takes away everything the generator made, and nothing else: its cases are those of doctors at
example.invalid, its people, organisations, issues and actions are those plan.py names."""

import frappe

from lnb_casework.demo.plan import ACTIONS, DOMAIN, GENERATED_EMAILS, ISSUES, ORGANISATIONS, PEOPLE
from lnb_casework.learning.summary import refresh_issue

GENERATED_CASES = "select name from `tabCase` where email like %(generated)s"
GENERATED_REVIEWS = f"select name from `tabReview` where `case` in ({GENERATED_CASES})"
# (doctype, its column naming a doctype, its column naming the record): what Frappe keeps about a record
ABOUT_RECORDS = (
	("ToDo", "reference_type", "reference_name"),
	("Comment", "reference_doctype", "reference_name"),
	("Version", "ref_doctype", "docname"),
	("Communication", "reference_doctype", "reference_name"),
	("Notification Log", "document_type", "document_name"),
	("Workflow Action", "reference_doctype", "reference_name"),
	("View Log", "reference_doctype", "reference_name"),
	("Email Queue", "reference_doctype", "reference_name"),
	("LNB Alert Log", "reference_doctype", "reference_name"),
)


def remove_generated() -> int:
	"""Removes the generator's records; returns how many cases went."""
	frappe.set_user("Administrator")
	cases, touched_issues = remove_cases(GENERATED_EMAILS)
	removed: dict[str, list[str]] = {
		"Advocacy Action": frappe.get_all(
			"Advocacy Action", filters={"title": ("in", [title for title, *_rest in ACTIONS])}, pluck="name"
		),
		"Systemic Issue": frappe.get_all(
			"Systemic Issue", filters={"title": ("in", [title for title, *_rest in ISSUES])}, pluck="name"
		),
	}
	users = [person.email for person in PEOPLE]
	users += frappe.get_all("User", filters={"name": ("like", f"volunteer-%@{DOMAIN}")}, pluck="name")
	removed["Caseworker Profile"] = frappe.get_all(
		"Caseworker Profile", filters={"name": ("in", users)}, pluck="name"
	)
	removed["Healthcare Organisation"] = frappe.get_all(
		"Healthcare Organisation",
		filters={"name": ("in", [name for name, *_rest in ORGANISATIONS])},
		pluck="name",
	)
	for doctype, names in removed.items():
		for name in names:
			frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)
		touched_issues.difference_update(names if doctype == "Systemic Issue" else ())
	for issue in touched_issues:
		refresh_issue(issue)
	removed["User"] = [user for user in users if frappe.db.exists("User", user)]
	for user in removed["User"]:
		remove_user(user)
	for doctype, names in removed.items():
		forget_traces(doctype, names)
	frappe.db.commit()
	return cases


def remove_cases(emails_like: str) -> tuple[int, set[str]]:
	"""Removes the cases of doctors whose email is like `emails_like`, and all that hangs off them; returns
	how many cases went and the systemic issues that cited them."""
	values = {"generated": emails_like}
	cases = frappe.db.sql(f"select count(*) from ({GENERATED_CASES}) generated", values)[0][0]
	touched_issues = set(
		frappe.db.sql_list(
			f"select distinct systemic_issue from `tabSystemic Issue Evidence` where `case` in ({GENERATED_CASES})",
			values,
		)
	)
	for doctype, kind, record in ABOUT_RECORDS:
		for about, names in (("Case", GENERATED_CASES), ("Review", GENERATED_REVIEWS)):
			if doctype == "Email Queue":
				frappe.db.sql(
					f"""delete from `tabEmail Queue Recipient` where parent in (select name from `tabEmail Queue`
					where reference_doctype = '{about}' and reference_name in ({names}))""",
					values,
				)
			frappe.db.sql(
				f"delete from `tab{doctype}` where `{kind}` = '{about}' and `{record}` in ({names})", values
			)
	for table in child_tables("Review"):
		frappe.db.sql(f"delete from `tab{table}` where parent in ({GENERATED_REVIEWS})", values)
	frappe.db.sql(f"delete from `tabReview` where `case` in ({GENERATED_CASES})", values)
	for doctype in ("Case State Change", "Equality Monitoring", "Systemic Issue Evidence"):
		frappe.db.sql(f"delete from `tab{doctype}` where `case` in ({GENERATED_CASES})", values)
	frappe.db.sql(f"delete from `tabRelated Case` where related_case in ({GENERATED_CASES})", values)
	frappe.db.sql(f"delete from `tabOwed Intake Mail` where name in ({GENERATED_CASES})", values)
	for table in child_tables("Case"):
		frappe.db.sql(
			f"delete from `tab{table}` where parenttype = 'Case' and parent in ({GENERATED_CASES})", values
		)
	frappe.db.sql("delete from `tabCase` where email like %(generated)s", values)

	return cases, touched_issues


def remove_user(user: str) -> None:
	"""Takes away a generated user and what Frappe made with them. Not through frappe.delete_doc: Frappe
	refuses to delete any user while Administrator is the site's only System Manager, as on a new site."""
	for table in frappe.get_meta("User").get_table_fields():
		frappe.db.delete(table.options, {"parenttype": "User", "parent": user})
	contacts = frappe.get_all("Contact", filters={"user": user}, pluck="name")
	for contact in contacts:
		frappe.delete_doc("Contact", contact, ignore_permissions=True, force=True)
	forget_traces("Contact", contacts)
	for doctype, field in (("ToDo", "allocated_to"), ("DocShare", "user"), ("User Permission", "user")):
		frappe.db.delete(doctype, {field: user})
	frappe.db.delete("DefaultValue", {"parent": user})
	frappe.db.delete("Notification Settings", {"name": user})
	frappe.db.delete("__Auth", {"doctype": "User", "name": user})
	frappe.db.delete("User", {"name": user})
	frappe.clear_cache(user=user)


def forget_traces(doctype: str, names: list[str]) -> None:
	"""The comments, versions and deleted-document copies Frappe keeps of removed records."""
	for start in range(0, len(names), 1000):
		batch = names[start : start + 1000]
		frappe.db.delete("Comment", {"reference_doctype": doctype, "reference_name": ("in", batch)})
		frappe.db.delete("Version", {"ref_doctype": doctype, "docname": ("in", batch)})
		frappe.db.delete("Deleted Document", {"deleted_doctype": doctype, "deleted_name": ("in", batch)})


def child_tables(doctype: str) -> list[str]:
	return [field.options for field in frappe.get_meta(doctype).get_table_fields()]
