"""Deadlines Due: the deadlines of open cases falling within the coming days, and those already passed.

Cases are read through frappe.get_list, which applies the Case row rule: a caseworker sees only the
deadlines of their own cases. The open cases are found in an index of cases by state and caseworker
(lnb_casework/oversight/report_indexes.py), without reading their rows.
"""

import frappe
from frappe import _
from frappe.utils import add_days, getdate, today

from lnb_casework.casework.rules import OPEN_STATES
from lnb_casework.oversight.case_columns import case_columns
from lnb_casework.oversight.report_charts import bar_chart
from lnb_casework.oversight.report_filters import report_filters, whole_number

DEFAULT_DAYS = 30
LONGEST_DAYS = 3660  # ten years ahead
# (child table, its description field, its date field, where the date came from)
SOURCES = (
	("Case Deadline", "description", "due_date", None),
	("Case Key Date", "description", "date", "Doctor at intake"),
)


def execute(filters: dict | None = None):
	filters = report_filters(filters)
	days = whole_number(filters, "days", "Within days", 0, LONGEST_DAYS, DEFAULT_DAYS)
	on = getdate(today())
	until = add_days(on, days)
	rows = []
	translated_sources = {}
	for table, what, when, source in SOURCES:
		fields = [
			"name as case_name",
			"workflow_state",
			"caseworker",
			f"`tab{table}`.`{what}` as what",
			f"`tab{table}`.`{when}` as due",
		]
		if source is None:
			fields += [f"`tab{table}`.`{field}` as {field}" for field in ("source", "how", "check_date")]
		for row in frappe.get_list(
			"Case",
			fields=fields,
			filters=[
				[table, when, "is", "set"],
				[table, when, "<=", until],
				["workflow_state", "in", OPEN_STATES],
			],
			# sorted below; the case's own order (its creation) would make the database read every case's row
			order_by=f"`tab{table}`.`idx` asc",
			limit_page_length=0,
		):
			row.case = row.pop("case_name")
			# dates come back from the database as dates: no parsing per row, as there can be thousands
			untranslated = row.get("source") or source
			if untranslated not in translated_sources:
				translated_sources[untranslated] = _(untranslated)
			row.source = translated_sources[untranslated]
			row.days_left = (row.due - on).days
			rows.append(row)
	rows.sort(key=lambda row: (row.due, row.case))

	columns = [
		{"fieldname": "due", "label": _("Due"), "fieldtype": "Date", "width": 110},
		{"fieldname": "days_left", "label": _("Days left"), "fieldtype": "Int", "width": 90},
		{"fieldname": "what", "label": _("What"), "fieldtype": "Data", "width": 240},
		{"fieldname": "source", "label": _("Source"), "fieldtype": "Data", "width": 140},
		{"fieldname": "how", "label": _("How it was counted"), "fieldtype": "Data", "width": 260},
		{"fieldname": "check_date", "label": _("Check"), "fieldtype": "Check", "width": 70},
		*case_columns(),
	]
	overdue = sum(1 for row in rows if row.days_left < 0)
	this_week = sum(1 for row in rows if 0 <= row.days_left <= 7)
	summary = [
		{"label": _("Overdue"), "value": overdue, "indicator": "Red", "datatype": "Int"},
		{"label": _("Due in 7 days"), "value": this_week, "indicator": "Orange", "datatype": "Int"},
		{
			"label": _("Due in {0} days").format(days),
			"value": len(rows) - overdue,
			"indicator": "Blue",
			"datatype": "Int",
		},
	]
	chart = bar_chart(
		_("Deadlines"),
		{_("Overdue"): overdue, _("Within 7 days"): this_week, _("Later"): len(rows) - overdue - this_week},
	)
	return columns, rows, None, chart, summary
