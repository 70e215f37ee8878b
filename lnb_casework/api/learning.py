"""Turning what a review found into a systemic issue, in one step from the review's systemic factor."""

import frappe
from frappe import _

from lnb_casework.casework.rules import CASEWORKER
from lnb_casework.learning.issues import (
	add_evidence,
	anonymised,
	doctor_identity,
	matching_issues,
	new_issue_title,
)
from lnb_casework.permissions import may_read_case, sees_every_case


def review_and_factor(review: str, factor: str):
	"""The review and its systemic factor row, if the caller may act on that review."""
	doc = frappe.get_doc("Review", review)
	allowed = sees_every_case() or (CASEWORKER in frappe.get_roles() and may_read_case(doc.case))
	row = next((row for row in doc.systemic_factors if row.name == factor), None) if allowed else None
	if not row:
		frappe.throw(
			_("You can only promote a systemic factor of a review of your own cases."), frappe.PermissionError
		)
	return doc, row


@frappe.whitelist()
def issues_matching(review: str, factor: str) -> list[dict]:
	"""Open issues with the factor's SEIPS component (and organisation), to add the case to."""
	_doc, row = review_and_factor(review, factor)
	names = matching_issues(row.seips_component, row.organisation)
	return frappe.get_all(
		"Systemic Issue", filters={"name": ("in", names)}, fields=["name", "title", "case_count"]
	)


@frappe.whitelist()
def proposed_issue(review: str, factor: str) -> dict:
	"""A title and description for a new issue from the factor, without the doctor's identity, for the
	coordinator to check and edit before policy leads read them."""
	doc, row = review_and_factor(review, factor)
	description = anonymised(row.description, *doctor_identity(doc.case))
	return {
		"title": new_issue_title(row.seips_component, row.organisation, description),
		"description": description,
	}


@frappe.whitelist(methods=["POST"])
def promote(
	review: str,
	factor: str,
	issue: str | None = None,
	title: str | None = None,
	description: str | None = None,
) -> dict:
	"""Adds the review's case to an existing issue, or makes a new issue from the factor, and links both ways.

	A new issue takes the title and description the coordinator wrote (the dialog proposes them, see
	proposed_issue); without them it names only the component and organisation, as the factor's own words
	were written about one case and policy leads read the issue."""
	doc, row = review_and_factor(review, factor)
	if issue:
		if not frappe.db.exists("Systemic Issue", issue):
			frappe.throw(_("Could not find Systemic Issue {0}").format(issue), frappe.DoesNotExistError)
	else:
		identity = doctor_identity(doc.case)
		description = anonymised(description, *identity)
		title = anonymised(title, *identity) or new_issue_title(row.seips_component, row.organisation)
		issue = (
			frappe.get_doc(
				{
					"doctype": "Systemic Issue",
					"title": title,
					"description": description,
					"seips_components": [{"seips_component": row.seips_component}],
					"organisations": [{"organisation": row.organisation}] if row.organisation else [],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	add_evidence(issue, doc, row.name)
	title, case_count = frappe.db.get_value("Systemic Issue", issue, ["title", "case_count"])
	return {"systemic_issue": issue, "title": title, "case_count": case_count}
