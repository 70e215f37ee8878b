"""Frappe's whitelisted methods that skip the row rules, overridden to apply them (see hooks.py)."""

import frappe
from frappe.client import get_safe_filters
from frappe.desk.listview import get_group_by_count as frappe_get_group_by_count


@frappe.whitelist()
def get_count(doctype: str, filters=None, debug: bool = False, cache: bool = False) -> int:
	"""frappe.client.get_count counts any doctype's rows for any desk user; this counts only the rows
	the user may list, with the same row rules as lists."""
	frappe.has_permission(doctype, "read", throw=True)
	rows = frappe.get_list(
		doctype, filters=get_safe_filters(filters), fields=["count(*) as count"], order_by=None
	)
	return rows[0].count if rows else 0


@frappe.whitelist()
def get_group_by_count(doctype: str, current_filters: str, field: str) -> list[dict]:
	"""The list sidebar's counts. Frappe counts by assignment without the row rules; here the assignments
	counted are those of the records the user may list."""
	if field != "assigned_to":
		return frappe_get_group_by_count(doctype, current_filters, field)
	frappe.has_permission(doctype, "read", throw=True)
	listed = frappe.get_list(
		doctype,
		filters=frappe.parse_json(current_filters),
		fields=[f"`tab{doctype}`.`name`"],
		order_by=None,
		run=False,
	)
	# no query values: the subquery carries its own escaped ones, and may hold a "%" of a like filter
	return frappe.db.sql(
		f"""select todo.allocated_to as name, count(*) as count
		from `tabToDo` todo join `tabUser` user on user.name = todo.allocated_to
		where todo.status != 'Cancelled' and user.user_type = 'System User'
			and todo.reference_type = {frappe.db.escape(doctype)} and todo.reference_name in ({listed})
		group by todo.allocated_to order by count desc limit 50""",
		as_dict=True,
	)


@frappe.whitelist()
def get_tagged_docs(doctype: str, tag: str) -> list:
	"""The records with a tag, that the user may list (Frappe's reads the table directly)."""
	frappe.has_permission(doctype, "read", throw=True)
	return frappe.get_list(doctype, filters=[["_user_tags", "like", tag]], fields=["name"], as_list=True)
