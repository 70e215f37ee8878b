"""Indexes the oversight reports read by, made after install and migrate (Frappe's doctype JSON declares only
single-column indexes). Each has a fixed name, the one frappe.db.add_index would give it where it can, so a
second run finds it there."""

import frappe

# Cases by state and caseworker (and name, which every index holds): Caseload counts cases from this index
# alone, and Deadlines Due finds the open cases in it without reading their rows.
CASE_STATE_INDEX = ("Case", ("workflow_state", "caseworker"), "workflow_state_caseworker_index")
# Evidence by issue and case: Systemic Issues by Organisation and SEIPS reads its issues' cases from this
# index alone (`case` is quoted for the ALTER TABLE, so the index is named here).
EVIDENCE_CASE_INDEX = ("Systemic Issue Evidence", ("systemic_issue", "`case`"), "systemic_issue_case_index")
REPORT_INDEXES = (CASE_STATE_INDEX, EVIDENCE_CASE_INDEX)


def ensure_report_indexes() -> None:
	for doctype, columns, name in REPORT_INDEXES:
		frappe.db.add_index(doctype, list(columns), name)
