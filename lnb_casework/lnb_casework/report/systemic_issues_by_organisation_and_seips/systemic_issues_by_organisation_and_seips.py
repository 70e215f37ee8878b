"""Systemic Issues by Organisation and SEIPS: how many systemic issues were seen at each organisation, by
SEIPS 2.0 work-system component, and how many cases are behind them.

Issues are read through frappe.get_list, so the report shows only issues the user may list. Issue counts are
shown as they are: whoever may run the report may list every issue anyway. Case counts are about doctors:
they come from the issues' evidence (coordinators only), read here server-side where only the counts leave,
counted as an issue counts its own (a case once, a withdrawn case not at all: learning/issues.py), and shown
with small numbers suppressed (learning/suppression.py) together with their total, so that no hidden count
can be worked out by subtracting the shown ones from the total. No case reference appears in the output.

An issue seen at two organisations counts in both rows, and so do the cases behind it; the total row counts
each issue and each case once. The case column is suppressed as if its cells added up to the total, which
they do unless a case is behind more than one row; then the total is smaller than their sum and subtracting
tells a reader even less.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from itertools import chain

import frappe
from frappe import _

from lnb_casework.learning.issues import evidence_of, issue_figures
from lnb_casework.learning.summary import small_number_threshold
from lnb_casework.learning.suppression import (
	SECONDARY_MARKER,
	Figure,
	is_suppressed,
	suppress_counts_with_total,
	suppressed_marker,
)
from lnb_casework.learning.workflows import ENDED_ISSUE_STATES

OPEN, ALL = "Open", "All"
NO_ORGANISATION = ""  # the row of issues that name no organisation
HIGH_SEVERITIES = ("High", "Critical")
ISSUE = "Systemic Issue"
SEIPS_TABLE, ORGANISATION_TABLE = "Systemic Issue SEIPS Component", "Systemic Issue Organisation"


def seips_components() -> list[str]:
	options = frappe.get_meta(SEIPS_TABLE).get_field("seips_component").options or ""
	return [option for option in options.split("\n") if option]


def seips_field(component: str) -> str:
	return "seips_" + re.sub(r"\W", "", frappe.scrub(component))


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	issues = {
		issue.name: issue
		for issue in frappe.get_list(
			ISSUE,
			filters=conditions(filters),
			fields=["name", "workflow_state", "severity"],
			limit_page_length=0,
		)
	}
	components = seips_components()
	issue_components = child_values(SEIPS_TABLE, "seips_component", list(issues))
	issue_places = child_values(ORGANISATION_TABLE, "organisation", list(issues))

	by_row: dict[str, list[str]] = defaultdict(list)
	for name in issues:
		places = [filters.organisation] if filters.organisation else issue_places[name] or [NO_ORGANISATION]
		for place in places:
			by_row[place].append(name)
	row_keys = sorted(key for key in by_row if key != NO_ORGANISATION)
	if NO_ORGANISATION in by_row:
		row_keys.append(NO_ORGANISATION)

	# the evidence stays here: only the number of distinct cases behind each row and the total leave
	evidence = {name: evidence_of(name) for name in issues}
	case_counts = {key: count_cases(evidence[name] for name in by_row[key]) for key in row_keys}
	cases_total = count_cases(evidence.values())
	threshold = small_number_threshold()
	shown_cases, shown_sum = suppress_counts_with_total(case_counts, threshold)
	shown_total = total_as_shown(cases_total, shown_sum, threshold)

	def row(label: str, names: list[str], cases: Figure) -> dict:
		values = {"organisation": label, "issues": len(names), "cases": str(cases)}
		for component in components:
			values[seips_field(component)] = sum(1 for name in names if component in issue_components[name])
		return values

	data = [
		row(key if key != NO_ORGANISATION else _("No organisation recorded"), by_row[key], shown_cases[key])
		for key in row_keys
	]
	totals = row(_("All organisations"), list(issues), shown_total)
	if data:
		data.append(totals)

	chart = {
		"data": {
			"labels": [_(component) for component in components],
			"datasets": [
				{"name": _("Issues"), "values": [totals[seips_field(component)] for component in components]}
			],
		},
		"type": "bar",
	}
	summary = [
		{
			"label": _("Open issues"),
			"value": sum(1 for issue in issues.values() if issue.workflow_state not in ENDED_ISSUE_STATES),
			"indicator": "Blue",
			"datatype": "Int",
		},
		{
			"label": _("Organisations affected"),
			"value": len([key for key in row_keys if key != NO_ORGANISATION]),
			"datatype": "Int",
		},
		{
			"label": _("High or Critical issues"),
			"value": sum(1 for issue in issues.values() if issue.severity in HIGH_SEVERITIES),
			"indicator": "Red",
			"datatype": "Int",
		},
		{"label": _("Cases"), "value": str(shown_total), "indicator": "Orange", "datatype": "Data"},
	]
	return columns(components), data, footnote(threshold), chart, summary


def conditions(filters: frappe._dict) -> list[list]:
	found = []
	state = filters.state or OPEN
	if state == OPEN:
		found.append(["workflow_state", "not in", ENDED_ISSUE_STATES])
	elif state != ALL:
		found.append(["workflow_state", "=", state])
	if filters.severity:
		found.append(["severity", "=", filters.severity])
	if filters.organisation:
		found.append([ORGANISATION_TABLE, "organisation", "=", filters.organisation])
	if filters.seips_component:
		found.append([SEIPS_TABLE, "seips_component", "=", filters.seips_component])
	return found


def child_values(doctype: str, field: str, issues: list[str]) -> dict[str, list[str]]:
	"""{issue: [the values of its rows in that table]}, for issues the user could list."""
	values: dict[str, list[str]] = defaultdict(list)
	if not issues:
		return values
	for row in frappe.get_list(
		doctype,
		parent_doctype=ISSUE,
		filters={"parenttype": ISSUE, "parent": ["in", issues]},
		fields=["parent", field],
		order_by="idx asc",
		limit_page_length=0,
	):
		if row.get(field) and row.get(field) not in values[row.parent]:
			values[row.parent].append(row.get(field))
	return values


def count_cases(evidence: Iterable[list]) -> int:
	"""Distinct cases behind these issues' evidence, counted the way an issue counts its own."""
	return issue_figures(chain.from_iterable(evidence)).case_count


def total_as_shown(total: int, sum_as_shown: Figure, threshold: int) -> Figure:
	"""The distinct total beside cells suppressed with their sum: small, it shows "<5"; where the sum had to
	be held back, so is the total."""
	if 0 < total < threshold:
		return suppressed_marker(threshold)
	if is_suppressed(sum_as_shown):
		return SECONDARY_MARKER
	return total


def footnote(threshold: int) -> str:
	return (
		_(
			"{0} means fewer than {1}; {2} is held back so that a small number cannot be worked out from a total."
		).format(suppressed_marker(threshold), threshold, SECONDARY_MARKER)
		+ " "
		+ _(
			"An issue seen at more than one organisation, and the cases behind it, count in each of their rows and once in the total."
		)
	)


def columns(components: list[str]) -> list[dict]:
	return [
		{"fieldname": "organisation", "label": _("Organisation"), "fieldtype": "Data", "width": 260},
		*(
			{"fieldname": seips_field(component), "label": _(component), "fieldtype": "Int", "width": 120}
			for component in components
		),
		{"fieldname": "issues", "label": _("Issues"), "fieldtype": "Int", "width": 90},
		{"fieldname": "cases", "label": _("Cases"), "fieldtype": "Data", "width": 90},
	]
