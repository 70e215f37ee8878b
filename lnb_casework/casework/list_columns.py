"""The case list shows what a coordinator triages by: ID, state, doctor, date received, priority and
caseworker. Frappe shows fewer columns than that unless the doctype's List View Settings allow more."""

import frappe

CASE_LIST_COLUMNS = 8  # ID, tags, state and the four fields in the list view, with one to spare


def ensure_case_list_columns() -> None:
	"""Idempotent: makes the Case list's settings, or widens them if they allow fewer columns."""
	if not frappe.db.exists("List View Settings", "Case"):
		frappe.get_doc(
			{"doctype": "List View Settings", "name": "Case", "total_fields": str(CASE_LIST_COLUMNS)}
		).insert(ignore_permissions=True)
	elif int(frappe.db.get_value("List View Settings", "Case", "total_fields") or 0) < CASE_LIST_COLUMNS:
		frappe.db.set_value("List View Settings", "Case", "total_fields", str(CASE_LIST_COLUMNS))


def ensure_case_list_order_index() -> None:
	"""Idempotent: the index the Case list's order (newest first, the doctype's sort order) is read by.
	Frappe makes it, by this name, only when it alters a table whose sort field is `creation`, not when it
	creates the table, so a new site's list would read every case to show the first page."""
	frappe.db.add_index("Case", ["creation"], "creation")
