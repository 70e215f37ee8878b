"""Caseload: open and ended cases by caseworker and state.

Cases are counted through frappe.get_list, which applies the Case row rule (lnb_casework/permissions.py),
so a caseworker sees only their own cases here, as in every list. The database counts them, by caseworker
and state (an index on both, lnb_casework/oversight/report_indexes.py), so the report reads one row per
caseworker and state, not one per case.
"""

from collections import Counter

import frappe
from frappe import _

from lnb_casework.casework.rules import ENDED_STATES, OPEN_STATES
from lnb_casework.oversight.report_charts import bar_chart
from lnb_casework.oversight.report_filters import choice, name_of, report_filters

UNALLOCATED = "Unallocated"


def execute(filters: dict | None = None):
	filters = report_filters(filters)
	caseworker = name_of(filters, "caseworker", "Caseworker")
	state = choice(filters, "state", "State", (*OPEN_STATES, *ENDED_STATES))
	conditions = {}
	if caseworker:
		conditions["caseworker"] = caseworker
	if state:
		conditions["workflow_state"] = state
	counts = Counter()
	for in_state, allocated_to, cases in frappe.get_list(
		"Case",
		filters=conditions,
		fields=["workflow_state", "caseworker", "count(*) as cases"],
		group_by="workflow_state, caseworker",
		order_by="workflow_state, caseworker",
		limit_page_length=0,
		as_list=True,
	):
		# an empty caseworker and none are both unallocated
		counts[(allocated_to or UNALLOCATED, in_state)] += cases
	states = [state for state in (*OPEN_STATES, *ENDED_STATES) if any(state == s for _c, s in counts)]
	caseworkers = sorted({caseworker for caseworker, _s in counts})

	columns = [{"fieldname": "caseworker", "label": _("Caseworker"), "fieldtype": "Data", "width": 240}]
	columns += [
		{"fieldname": frappe.scrub(state), "label": _(state), "fieldtype": "Int", "width": 110}
		for state in states
	]
	columns.append({"fieldname": "open_cases", "label": _("Open cases"), "fieldtype": "Int", "width": 110})
	data = []
	for caseworker in caseworkers:
		row = {"caseworker": _(caseworker) if caseworker == UNALLOCATED else caseworker}
		row.update({frappe.scrub(state): counts[(caseworker, state)] for state in states})
		row["open_cases"] = sum(counts[(caseworker, state)] for state in OPEN_STATES)
		data.append(row)

	by_state = {state: sum(counts[(c, state)] for c in caseworkers) for state in states}
	chart = bar_chart(_("Cases"), {_(state): count for state, count in by_state.items()})
	summary = [
		{
			"label": _("Open cases"),
			"value": sum(row["open_cases"] for row in data),
			"indicator": "Blue",
			"datatype": "Int",
		},
		{
			"label": _("Unallocated open cases"),
			"value": sum(counts[(UNALLOCATED, s)] for s in OPEN_STATES),
			"indicator": "Orange",
			"datatype": "Int",
		},
		{
			"label": _("Caseworkers with cases"),
			"value": len([c for c in caseworkers if c != UNALLOCATED]),
			"datatype": "Int",
		},
	]
	return columns, data, None, chart, summary
