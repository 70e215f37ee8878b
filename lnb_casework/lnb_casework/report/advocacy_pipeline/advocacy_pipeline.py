"""Advocacy Pipeline: every advocacy action, where it stands, who carries it, and how late the open ones are.

Actions, their linked systemic issues and those issues' titles are read through frappe.get_list, so the
report shows what the user may list. An action is overdue when it is still open (planned or in progress)
and its due date has passed, as in the overdue-action alert.
"""

import datetime

import frappe
from frappe import _
from frappe.utils import date_diff, getdate, today

from lnb_casework.learning.workflows import ABANDONED, COMPLETED, IN_PROGRESS, OPEN_ACTION_STATES, PLANNED
from lnb_casework.oversight.headlines import overdue_action_filters
from lnb_casework.oversight.report_charts import bar_chart
from lnb_casework.oversight.report_filters import check, choice, name_of, report_filters

ACTION, ACTION_ISSUE = "Advocacy Action", "Advocacy Action Issue"
STATES = (PLANNED, IN_PROGRESS, COMPLETED, ABANDONED)


def execute(filters: dict | None = None):
	filters = report_filters(filters)
	state = choice(filters, "state", "State", STATES)
	action_type = choice(filters, "action_type", "Action type", action_types())
	responsible = name_of(filters, "responsible", "Responsible")
	on = getdate(today())
	conditions = []
	if state:
		conditions.append(["workflow_state", "=", state])
	if action_type:
		conditions.append(["action_type", "=", action_type])
	if responsible:
		conditions.append(["responsible", "=", responsible])
	if check(filters, "overdue_only", "Overdue only"):
		conditions += overdue_action_filters(on)
	actions = frappe.get_list(
		ACTION,
		filters=conditions,
		fields=["name", "title", "action_type", "target_body", "workflow_state", "responsible", "due_date"],
		limit_page_length=0,
	)
	issues = linked_issues([action.name for action in actions])
	for action in actions:
		action.days_overdue = days_overdue(action, on)
		action.systemic_issues = "; ".join(issues.get(action.name, []))
	actions.sort(
		key=lambda action: (
			pipeline_order(action.workflow_state),
			action.due_date or datetime.date.max,
			action.name,
		)
	)

	by_state = {state: sum(1 for action in actions if action.workflow_state == state) for state in STATES}
	chart = bar_chart(_("Actions"), {_(state): count for state, count in by_state.items()})
	summary = [
		{"label": _("Planned"), "value": by_state[PLANNED], "indicator": "Blue", "datatype": "Int"},
		{"label": _("In progress"), "value": by_state[IN_PROGRESS], "indicator": "Orange", "datatype": "Int"},
		{
			"label": _("Overdue"),
			"value": sum(1 for action in actions if action.days_overdue),
			"indicator": "Red",
			"datatype": "Int",
		},
		{"label": _("Completed"), "value": by_state[COMPLETED], "indicator": "Green", "datatype": "Int"},
		{"label": _("Abandoned"), "value": by_state[ABANDONED], "indicator": "Grey", "datatype": "Int"},
	]
	return columns(), actions, None, chart, summary


def action_types() -> list[str]:
	return [option for option in frappe.get_meta(ACTION).get_options("action_type").split("\n") if option]


def days_overdue(action: dict, on) -> int | None:
	"""Days past the due date of an open action; None when it is not overdue."""
	if action.workflow_state in OPEN_ACTION_STATES and action.due_date and getdate(action.due_date) < on:
		return date_diff(on, action.due_date)
	return None


def pipeline_order(state: str | None) -> int:
	return STATES.index(state) if state in STATES else len(STATES)


def linked_issues(actions: list[str]) -> dict[str, list[str]]:
	"""{action: ["SI-00001: its title", ...]} in the order the action lists them."""
	if not actions:
		return {}
	links = frappe.get_list(
		ACTION_ISSUE,
		parent_doctype=ACTION,
		filters={"parenttype": ACTION, "parent": ["in", actions]},
		fields=["parent", "systemic_issue"],
		order_by="idx asc",
		limit_page_length=0,
	)
	names = list({link.systemic_issue for link in links if link.systemic_issue})
	titles = dict(
		frappe.get_list(
			"Systemic Issue",
			filters={"name": ["in", names or [""]]},
			fields=["name", "title"],
			as_list=True,
			limit_page_length=0,
		)
	)
	issues: dict[str, list[str]] = {}
	for link in links:
		if link.systemic_issue in titles:
			issues.setdefault(link.parent, []).append(f"{link.systemic_issue}: {titles[link.systemic_issue]}")
	return issues


def columns() -> list[dict]:
	return [
		{
			"fieldname": "name",
			"label": _("Action"),
			"fieldtype": "Link",
			"options": ACTION,
			"width": 110,
		},
		{"fieldname": "title", "label": _("Title"), "fieldtype": "Data", "width": 240},
		{"fieldname": "action_type", "label": _("Type"), "fieldtype": "Data", "width": 170},
		{"fieldname": "target_body", "label": _("Target body"), "fieldtype": "Data", "width": 180},
		{"fieldname": "workflow_state", "label": _("State"), "fieldtype": "Data", "width": 110},
		{
			"fieldname": "responsible",
			"label": _("Responsible"),
			"fieldtype": "Link",
			"options": "User",
			"width": 200,
		},
		{"fieldname": "due_date", "label": _("Due date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "days_overdue", "label": _("Days overdue"), "fieldtype": "Int", "width": 110},
		{"fieldname": "systemic_issues", "label": _("Systemic issues"), "fieldtype": "Data", "width": 300},
	]
