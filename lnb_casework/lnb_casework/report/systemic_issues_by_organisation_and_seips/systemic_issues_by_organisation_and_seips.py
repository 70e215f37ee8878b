"""Systemic Issues by Organisation and SEIPS: how many systemic issues were seen at each organisation, by
SEIPS 2.0 work-system component, and how many cases are behind them.

Issues are read through frappe.get_list, so the report shows only issues the user may list. Issue counts are
shown as they are: whoever may run the report may list every issue anyway. Case counts are about doctors:
they come from the issues' evidence (coordinators only), read here server-side where only the counts leave,
counted as an issue counts its own (a case once, a withdrawn case not at all: learning/issues.py). No case
reference appears in the output.

Its ref_doctype is "Systemic Issue", the record it reads and counts: Frappe 15 runs it for whoever holds one
of its roles and the "report" right on Systemic Issue (frappe.desk.query_report.get_report_doc), which
caseworkers, coordinators and policy leads all hold.

Case counts are protected against differencing (docs/disclosure-control.md):
- this module gathers each row's cases and the disclosure module (learning/disclosure.py) publishes them:
  each row's and the total's published count (the same cases always show the same figure, and two runs
  whose cases differ by a few show only a noisy difference), small ones suppressed together with the total
  so that no hidden count can be worked out by subtracting the shown ones from the total;
- they are shown only for open issues or all issues, by organisation, and not when severity or a SEIPS
  component narrows the issues: each more filter would be one more pair of runs differing by a few cases,
  and many such pairs would let the noise be averaged away. The organisation filter adds no new set of
  cases (its row is the same as in the run without it).

An issue seen at two organisations counts in both rows, and so do the cases behind it; the total row counts
each issue and each case once. The case column is suppressed as if its cells added up to the total, which
they do (before perturbation) unless a case is behind more than one row.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

import frappe
from frappe import _

from lnb_casework.learning.disclosure import (
	Disclosure,
	Figure,
	perturbation_note,
	site_disclosure,
	suppression_note,
)
from lnb_casework.learning.issues import counted_cases_of_issues
from lnb_casework.learning.workflows import ENDED_ISSUE_STATES, OPEN_ISSUE_STATES
from lnb_casework.lnb_casework.doctype.seips_component.seips_component import seips_components
from lnb_casework.oversight.report_charts import bar_chart
from lnb_casework.oversight.report_filters import choice, name_of, report_filters

OPEN, ALL = "Open", "All"
STATES = (OPEN, ALL, *OPEN_ISSUE_STATES, *ENDED_ISSUE_STATES)
CASE_COUNT_STATES = (OPEN, ALL)
NO_ORGANISATION = ""  # the row of issues that name no organisation
HIGH_SEVERITIES = ("High", "Critical")
ISSUE = "Systemic Issue"
SEIPS_TABLE, ORGANISATION_TABLE = "Systemic Issue SEIPS Component", "Systemic Issue Organisation"


def severities() -> list[str]:
	return [option for option in frappe.get_meta(ISSUE).get_options("severity").split("\n") if option]


def seips_field(component: str) -> str:
	return "seips_" + re.sub(r"\W", "", frappe.scrub(component))


def checked_filters(filters: object) -> frappe._dict:
	filters = report_filters(filters)
	return frappe._dict(
		state=choice(filters, "state", "State", STATES, default=OPEN),
		severity=choice(filters, "severity", "Severity", severities()),
		organisation=name_of(filters, "organisation", "Organisation", "Healthcare Organisation"),
		seips_component=choice(filters, "seips_component", "SEIPS component", seips_components()),
	)


def shows_case_counts(filters: frappe._dict) -> bool:
	return filters.state in CASE_COUNT_STATES and not filters.severity and not filters.seips_component


def execute(filters: dict | None = None):
	filters = checked_filters(filters)
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

	with_cases = shows_case_counts(filters)
	disclosure = site_disclosure()
	shown_cases, shown_total = (
		case_figures(issues, by_row, row_keys, disclosure) if with_cases else ({}, None)
	)

	def row(label: str, names: list[str], cases: Figure | None) -> dict:
		values = {"organisation": label, "issues": len(names)}
		if with_cases:
			values["cases"] = str(cases)
		for component in components:
			values[seips_field(component)] = sum(1 for name in names if component in issue_components[name])
		return values

	data = [
		row(
			key if key != NO_ORGANISATION else _("No organisation recorded"),
			by_row[key],
			shown_cases.get(key),
		)
		for key in row_keys
	]
	totals = row(_("All organisations"), list(issues), shown_total)
	if data:
		data.append(totals)

	chart = bar_chart(_("Issues"), {_(component): totals[seips_field(component)] for component in components})
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
	]
	if with_cases:
		summary.append(
			{"label": _("Cases"), "value": str(shown_total), "indicator": "Orange", "datatype": "Data"}
		)
	return columns(components, with_cases), data, footnote(disclosure.threshold, with_cases), chart, summary


def case_figures(
	issues: Iterable[str], by_row: dict[str, list[str]], row_keys: list[str], disclosure: Disclosure
) -> tuple[dict[str, Figure], Figure]:
	"""({row: its cases as shown}, the total as shown): each row's distinct cases and all of them, published
	together. The evidence stays here: only the figures leave."""
	counted = counted_cases_of_issues(list(issues))
	cases_of = {name: counted.get(name, set()) for name in issues}
	return disclosure.counts_with_total(
		{key: [case for name in by_row[key] for case in cases_of[name]] for key in row_keys},
		[case for cases in cases_of.values() for case in cases],
	)


def conditions(filters: frappe._dict) -> list[list]:
	found = []
	state = filters.state
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


def footnote(threshold: int, with_cases: bool) -> str:
	if not with_cases:
		return _(
			"Case counts are shown for open issues or all issues, not narrowed by severity or SEIPS component, so that no two runs can be compared to single out a few cases."
		)
	return " ".join(
		(
			suppression_note(threshold),
			perturbation_note(),
			_(
				"An issue seen at more than one organisation, and the cases behind it, count in each of their rows and once in the total."
			),
		)
	)


def columns(components: list[str], with_cases: bool) -> list[dict]:
	shown = [
		{"fieldname": "organisation", "label": _("Organisation"), "fieldtype": "Data", "width": 260},
		*(
			{"fieldname": seips_field(component), "label": _(component), "fieldtype": "Int", "width": 120}
			for component in components
		),
		{"fieldname": "issues", "label": _("Issues"), "fieldtype": "Int", "width": 90},
	]
	if with_cases:
		shown.append({"fieldname": "cases", "label": _("Cases"), "fieldtype": "Data", "width": 90})
	return shown
