"""What a systemic issue shows to everyone who may see it: counts only, perturbed, small numbers
suppressed.

No names, emails, phone or GMC numbers, case references or free text from the cases ever appear here:
only the kinds recorded in the reviews' select fields (the process in which a procedure failed, the kind
of unfairness), counted by month. Every count is published by learning/disclosure.py
(docs/disclosure-control.md): perturbed (the same cases always give the same figure, here and in the SEIPS
report), then suppressed.
"""

from collections.abc import Iterable

import frappe
from frappe import _
from frappe.utils import getdate

from lnb_casework.casework.rules import WITHDRAWN
from lnb_casework.learning.disclosure import perturbation_note, site_disclosure, suppression_note
from lnb_casework.learning.issues import (
	IssueFigures,
	counted_cases,
	evidence_of,
	issue_figures,
	kinds_by_month,
)


def shown_count(cases: Iterable[str]) -> str:
	"""The number of distinct cases as anyone may see it: their published count, "<5" when small."""
	return str(site_disclosure().count(cases))


def evidenced_reviews(issue: str) -> list[tuple[str, object]]:
	"""(review, its date) for the reviews of the cases that evidence the issue, withdrawn cases left out."""
	evidence = frappe.qb.DocType("Systemic Issue Evidence")
	case = frappe.qb.DocType("Case")
	review = frappe.qb.DocType("Review")
	return (
		frappe.qb.from_(review)
		.join(evidence)
		.on(evidence.case == review.case)
		.join(case)
		.on(case.name == review.case)
		.select(review.name, review.creation)
		.distinct()
		.where(evidence.systemic_issue == issue)
		.where(case.workflow_state != WITHDRAWN)
		.where(review.docstatus < 2)
		.run()
	)


def kinds_in_reviews(reviews: list[tuple[str, object]], doctype: str, field: str) -> list[tuple]:
	"""(the review's date, the kind, the row) for each row of that table in the reviews."""
	dates = {name: getdate(created) for name, created in reviews}
	if not dates:
		return []
	rows = frappe.get_all(
		doctype,
		filters={"parenttype": "Review", "parent": ("in", list(dates))},
		fields=["name", "parent", field],
	)
	return [(dates[row.parent], row.get(field), row.name) for row in rows]


def extract_tables(issue: str) -> dict[str, dict[str, dict[str, int | str]]]:
	"""{"procedural failures": {month: {process: n}}, "unfairness": {month: {kind: n}}}, suppressed."""
	reviews = evidenced_reviews(issue)
	disclosure = site_disclosure()
	tables = {
		_("Procedural failures, by process"): kinds_in_reviews(
			reviews, "Review Procedural Failure", "process_type"
		),
		_("Points of unfairness, by kind"): kinds_in_reviews(reviews, "Review Unfairness", "kind"),
	}
	return {title: disclosure.table(kinds_by_month(rows)) for title, rows in tables.items()}


def extract_text(issue: str) -> str:
	lines = []
	for title, table in extract_tables(issue).items():
		lines.append(title)
		if not table:
			lines.append("  " + _("none recorded yet"))
		for month, counts in table.items():
			shown = "; ".join(f"{_(kind)} {count}" for kind, count in counts.items() if count not in (0, "0"))
			# a month whose kinds all publish 0 is left out, as a month with none would be
			if shown:
				lines.append(f"  {month}: {shown}")
	return "\n".join(lines)


def refresh_issue(issue: str) -> IssueFigures:
	"""Writes the figures the issue shows (its published case count, first and last seen, the extract)
	from its evidence. Here rather than in learning/issues.py, which this module reads the evidence from."""
	evidence = evidence_of(issue)
	figures = issue_figures(evidence)
	frappe.db.set_value(
		"Systemic Issue",
		issue,
		{
			"case_count": shown_count(counted_cases(evidence)),
			"first_seen": figures.first_seen,
			"last_seen": figures.last_seen,
			"anonymised_extract": extract_text(issue),
		},
		update_modified=False,
	)
	return figures


def refresh_issues_of_case(case: str) -> None:
	"""A case's state decides whether it counts (withdrawn cases do not)."""
	for issue in frappe.get_all(
		"Systemic Issue Evidence", filters={"case": case}, pluck="systemic_issue", distinct=True
	):
		refresh_issue(issue)


def learning_summary(issue: str) -> dict:
	"""The anonymised learning summary of one issue: the pattern and counts, every count suppressed.

	Case organisations and months come from the cases that evidence the issue (withdrawn ones left out);
	failure and unfairness kinds from their reviews' select fields. Nothing else of a case is read.
	"""
	frappe.has_permission("Systemic Issue", "read", issue, throw=True)
	doc = frappe.get_doc("Systemic Issue", issue)
	counted = [row for row in evidence_of(issue) if row.case_state != WITHDRAWN]
	cases = {row.case: row for row in counted}
	organisations = frappe.get_all(
		"Case", filters={"name": ("in", list(cases) or [""])}, fields=["name", "organisation"], as_list=True
	)
	reviews = evidenced_reviews(issue)
	disclosure = site_disclosure()

	def counted_by(labelled: Iterable[tuple[str | None, str]]) -> dict:
		"""(label, record) pairs: each label's records and all of them, published together."""
		return disclosure.breakdown((label or _("Not recorded"), record) for label, record in labelled)

	return {
		"pattern": doc.title,
		"description": doc.description or "",
		"severity": doc.severity,
		"state": doc.workflow_state,
		"seips_components": [row.seips_component for row in doc.seips_components],
		"first_seen": doc.first_seen,
		"last_seen": doc.last_seen,
		"cases_by_organisation": counted_by((organisation, case) for case, organisation in organisations),
		"cases_by_month": counted_by(
			(row.seen_on.strftime("%Y-%m") if row.seen_on else "", case) for case, row in cases.items()
		),
		"procedural_failures": counted_by(
			(kind, row)
			for _date, kind, row in kinds_in_reviews(reviews, "Review Procedural Failure", "process_type")
		),
		"unfairness": counted_by(
			(kind, row) for _date, kind, row in kinds_in_reviews(reviews, "Review Unfairness", "kind")
		),
		"threshold": disclosure.threshold,
		"footnote": suppression_note(disclosure.threshold) + " " + perturbation_note(),
	}


SUMMARY_SECTIONS = (
	("cases_by_organisation", "Cases by organisation"),
	("cases_by_month", "Cases by month first seen"),
	("procedural_failures", "Procedural failures, by process"),
	("unfairness", "Points of unfairness, by kind"),
)


def summary_rows(summary: dict) -> list[list]:
	"""The summary as rows for a spreadsheet."""
	rows = [[_("Pattern"), summary["pattern"]], [_("Description"), summary["description"]]]
	rows.append([_("SEIPS components"), ", ".join(summary["seips_components"])])
	for key, title in SUMMARY_SECTIONS:
		rows.append([])
		rows.append([_(title), _("Count")])
		rows.extend([label, count] for label, count in summary[key]["counts"].items())
		rows.append([_("Total"), summary[key]["total"]])
	rows.extend([[], [summary["footnote"]]])
	return rows


@frappe.whitelist()
def download_learning_summary(issue: str) -> None:
	"""The anonymised learning summary as a CSV file."""
	from frappe.utils.csvutils import build_csv_response

	build_csv_response(summary_rows(learning_summary(issue)), _("Learning summary {0}").format(issue))
