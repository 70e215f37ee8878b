"""Indexes the oversight reports read by, made after install and migrate (Frappe's doctype JSON declares only
single-column indexes). Each is named as frappe.db.add_index names it, so a second run finds it there."""

import frappe

# Cases by state and caseworker (and name, which every index holds): Caseload counts cases from this index
# alone, and Deadlines Due finds the open cases in it without reading their rows.
CASE_STATE_INDEX = ("Case", ("workflow_state", "caseworker"))
REPORT_INDEXES = (CASE_STATE_INDEX,)


def ensure_report_indexes() -> None:
	for doctype, columns in REPORT_INDEXES:
		frappe.db.add_index(doctype, list(columns))
