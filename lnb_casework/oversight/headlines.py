"""The headline figures: the Learn Not Blame workspace's number cards and the weekly digest.

Every figure is counted through frappe.get_list as the session user, so the row rules
(lnb_casework/permissions.py) decide what is counted: a coordinator's figures cover every case, a
caseworker's only the cases allocated to them. The digest runs as Administrator and so counts everything.
Each figure counts records its reader may list one by one, so none goes through disclosure control
(docs/disclosure-control.md, "Where each control applies").

The *_card functions are the number cards' methods (Number Card type Custom): Frappe's number card widget
calls the method with the card's `filters` and shows `value` formatted as `fieldtype`; clicking the card
goes to `route` with `route_options` as the list's or report's filters. Each card also names the doctype
it counts (`document_type`), which a Custom card does not use for counting: Frappe shows a card to anyone
but a System Manager only when they may read its document_type (Number Card's has_permission), so a
policy lead, who may read no case, is not offered the case cards.
"""

import datetime

import frappe
from frappe.utils import add_days, cint, getdate, now_datetime, today

from lnb_casework.casework.rules import NEW, OPEN_STATES, TRIAGE, stalled_cutoff
from lnb_casework.learning.workflows import ENDED_ISSUE_STATES, OPEN_ACTION_STATES
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import stalled_after_days

DEADLINE_DAYS = 7
# (child table of Case, its date field)
DEADLINE_TABLES = (("Case Deadline", "due_date"), ("Case Key Date", "date"))


def count(doctype: str, filters: list) -> int:
	"""How many rows of doctype the session user may list match filters."""
	rows = frappe.get_list(doctype, filters=filters, fields=["count(*) as count"], order_by=None)
	return rows[0].count if rows else 0


def awaiting_triage_filters() -> list:
	return [["workflow_state", "in", (NEW, TRIAGE)]]


# Frappe compares an empty date as 0001-01-01 when a filter is "<" (through ifnull, which no index serves);
# "between" it compares as it is, so an undated row is never in it and the index is used.
EARLIEST_ACTIVITY = datetime.datetime(1900, 1, 1)
ONE_MICROSECOND = datetime.timedelta(microseconds=1)
# Counted by the index alone: open cases by last activity (the stalled card and alert, Case Ageing), and
# cases opened since a day by state (the cases by month and state chart).
STATE_AND_ACTIVITY_INDEX = ("workflow_state", "last_activity_on")
OPENED_AND_STATE_INDEX = ("creation", "workflow_state")


def stalled_filters(now: datetime.datetime | None = None) -> list:
	"""Open cases whose last activity is older than the settings' number of days: the one definition used
	by the card, the digest, the Case Ageing report and the stalled-case alert."""
	cutoff = stalled_cutoff(now or now_datetime(), stalled_after_days())
	return [
		["workflow_state", "in", OPEN_STATES],
		["last_activity_on", "between", [EARLIEST_ACTIVITY, cutoff - ONE_MICROSECOND]],
	]


def open_issue_filters() -> list:
	return [["workflow_state", "not in", ENDED_ISSUE_STATES]]


def overdue_action_filters(on: datetime.date | None = None) -> list:
	"""Open advocacy actions past their due date: used by the card, the digest, the Advocacy Pipeline
	report and the overdue-action alert."""
	return [
		["workflow_state", "in", OPEN_ACTION_STATES],
		["due_date", "is", "set"],
		["due_date", "<", getdate(on or today())],
	]


def awaiting_triage() -> int:
	"""Cases that are new or in triage."""
	return count("Case", awaiting_triage_filters())


def open_cases() -> int:
	return count("Case", [["workflow_state", "in", OPEN_STATES]])


def stalled_cases() -> int:
	"""Open cases with no activity for the settings' number of days."""
	return count("Case", stalled_filters())


def deadlines_within(days: int = DEADLINE_DAYS) -> int:
	"""Open cases with a deadline (a casework deadline or a key date the doctor gave) from today to
	today + days, both included; a case with several counts once."""
	start = getdate(today())
	end = getdate(add_days(start, cint(days)))
	cases: set[str] = set()
	for table, field in DEADLINE_TABLES:
		cases.update(
			frappe.get_list(
				"Case",
				filters=[[table, field, "between", [start, end]], ["workflow_state", "in", OPEN_STATES]],
				pluck="name",
				distinct=True,
				order_by=None,
				limit_page_length=0,
			)
		)
	return len(cases)


def open_systemic_issues() -> int:
	"""Systemic issues neither resolved nor closed."""
	return count("Systemic Issue", open_issue_filters())


def overdue_actions() -> int:
	"""Advocacy actions planned or in progress whose due date has passed."""
	return count("Advocacy Action", overdue_action_filters())


def headline_figures() -> dict[str, int]:
	"""Every headline figure, by the name of the function that counts it."""
	return {
		"awaiting_triage": awaiting_triage(),
		"open_cases": open_cases(),
		"stalled_cases": stalled_cases(),
		"deadlines_within": deadlines_within(DEADLINE_DAYS),
		"open_systemic_issues": open_systemic_issues(),
		"overdue_actions": overdue_actions(),
	}


def ensure_headline_indexes() -> None:
	"""Run after install and migrate: the indexes that count the headline figures (Frappe's doctype JSON
	declares only single-column indexes)."""
	frappe.db.add_index("Case", list(STATE_AND_ACTIVITY_INDEX))
	frappe.db.add_index("Case", list(OPENED_AND_STATE_INDEX))


# ---- number cards


def card(value: int, route: list[str], route_options: dict | None = None) -> dict:
	return {"value": value, "fieldtype": "Int", "route": route, "route_options": route_options or {}}


def as_route_options(filters: list) -> dict:
	"""List filters as a list view's route options: {"field": [operator, value]}."""
	return {field: [operator, value] for field, operator, value in (to_text(f) for f in filters)}


def to_text(condition: list) -> tuple[str, str, object]:
	field, operator, value = condition
	if isinstance(value, tuple):
		value = list(value)
	elif hasattr(value, "isoformat"):
		value = str(value)
	return field, operator, value


@frappe.whitelist()
def awaiting_triage_card(filters=None) -> dict:
	return card(awaiting_triage(), ["List", "Case"], as_route_options(awaiting_triage_filters()))


@frappe.whitelist()
def open_cases_card(filters=None) -> dict:
	return card(open_cases(), ["List", "Case"], {"workflow_state": ["in", list(OPEN_STATES)]})


@frappe.whitelist()
def stalled_cases_card(filters=None) -> dict:
	return card(stalled_cases(), ["query-report", "Case Ageing"], {"stalled_only": 1})


@frappe.whitelist()
def deadlines_within_card(filters=None) -> dict:
	return card(deadlines_within(DEADLINE_DAYS), ["query-report", "Deadlines Due"], {"days": DEADLINE_DAYS})


@frappe.whitelist()
def open_systemic_issues_card(filters=None) -> dict:
	return card(open_systemic_issues(), ["List", "Systemic Issue"], as_route_options(open_issue_filters()))


@frappe.whitelist()
def overdue_actions_card(filters=None) -> dict:
	return card(overdue_actions(), ["query-report", "Advocacy Pipeline"], {"overdue_only": 1})
