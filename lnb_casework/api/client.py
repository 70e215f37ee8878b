"""Frappe's whitelisted methods that skip the row rules, overridden to apply them (see hooks.py)."""

import frappe
from frappe import _
from frappe.client import get_safe_filters
from frappe.core.api.file import unzip_file as frappe_unzip_file
from frappe.desk.listview import get_group_by_count as frappe_get_group_by_count
from frappe.model import default_fields
from frappe.utils.file_manager import add_attachments as frappe_add_attachments


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
		if not (frappe.get_meta(doctype).has_field(field) or field in default_fields):
			# Frappe's raises a ValueError, a server error
			frappe.throw(_("{0} is not a field of {1}.").format(field, _(doctype)))
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


@frappe.whitelist()
def get_tags_list_for_awesomebar() -> list[str]:
	"""The tags the search bar offers: those on records the user may list (Frappe's lists every tag, and a
	tag on a case can name what it is about)."""
	return sorted(set(frappe.get_list("Tag Link", pluck="tag", order_by=None, limit_page_length=0)))


@frappe.whitelist()
def unzip_file(name: str):
	"""Frappe's unzips any File by name, whoever asks; here only one the user may write."""
	frappe.has_permission("File", "write", doc=name, throw=True)
	return frappe_unzip_file(name)


@frappe.whitelist()
def add_attachments(doctype: str, name: str, attachments):
	"""Frappe's copies any File named onto a record, whoever asks, so a private file of someone else's
	case could be copied somewhere its reader may open it; here only files the user may read."""
	files = frappe.parse_json(attachments)
	if not isinstance(files, list):
		frappe.throw(_("Attachments must be a list of files."))
	for file in files:
		if not isinstance(file, str) or not frappe.db.exists("File", file):
			raise frappe.PermissionError(_("Not permitted"))
		frappe.has_permission("File", "read", doc=file, throw=True)
	frappe.has_permission(doctype, "write", doc=name, throw=True)
	return frappe_add_attachments(doctype, name, attachments)
