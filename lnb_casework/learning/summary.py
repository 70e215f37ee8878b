"""What a systemic issue shows to everyone who may see it: counts only, small numbers suppressed.

No names, emails, phone or GMC numbers, case references or free text from the cases ever appear here:
only the kinds recorded in the reviews' select fields (the process in which a procedure failed, the kind
of unfairness), counted by month.
"""

import frappe
from frappe import _
from frappe.utils import getdate

from lnb_casework.learning.issues import WITHDRAWN, kinds_by_month
from lnb_casework.learning.suppression import suppress_table

DEFAULT_THRESHOLD = 5


def small_number_threshold() -> int:
	return frappe.db.get_single_value("LNB Settings", "small_number_threshold") or DEFAULT_THRESHOLD


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
	dates = {name: getdate(created) for name, created in reviews}
	if not dates:
		return []
	rows = frappe.get_all(
		doctype, filters={"parenttype": "Review", "parent": ("in", list(dates))}, fields=["parent", field]
	)
	return [(dates[row.parent], row.get(field)) for row in rows]


def extract_tables(issue: str) -> dict[str, dict[str, dict[str, int | str]]]:
	"""{"procedural failures": {month: {process: n}}, "unfairness": {month: {kind: n}}}, suppressed."""
	reviews = evidenced_reviews(issue)
	threshold = small_number_threshold()
	tables = {
		_("Procedural failures, by process"): kinds_in_reviews(
			reviews, "Review Procedural Failure", "process_type"
		),
		_("Points of unfairness, by kind"): kinds_in_reviews(reviews, "Review Unfairness", "kind"),
	}
	return {
		title: suppress_table(
			{month: dict(counts) for month, counts in kinds_by_month(rows).items()},
			threshold,
			row_totals=False,
			column_totals=False,
		)
		for title, rows in tables.items()
	}


def extract_text(issue: str) -> str:
	lines = []
	for title, table in extract_tables(issue).items():
		lines.append(title)
		if not table:
			lines.append("  " + _("none recorded yet"))
		for month, counts in table.items():
			shown = "; ".join(f"{_(kind)} {count}" for kind, count in counts.items() if count not in (0, "0"))
			lines.append(f"  {month}: {shown}")
	return "\n".join(lines)
