"""Case Ageing: how long each case has been in its current state and in every state before, how long since
anything happened on it, and whether it has stalled.

Cases are read through frappe.get_list, which applies the Case row rule (lnb_casework/permissions.py), so a
caseworker sees only their own cases here, as in every list. The transition log (Case State Change) is read
only for the cases that came back, and through frappe.get_list too.

Time in states comes from the log: the time before the first logged change counts from the case's creation,
in the state that change left; each logged change starts the time in the state it entered. The time since the
last logged change counts to the case's current state (which is where the log ends, unless a state was set
outside the workflow). Days are whole days, counted down, as in the stalled-case alert.

Open cases show by default, ended ones on request; a state chosen in the filter shows whether open or ended.

At campaign scale this report lists tens of thousands of cases and their logs, so the moments are read as whole
numbers worked out by the database (TO_SECONDS and MICROSECOND of each datetime) rather than as datetimes, which
the database driver would otherwise parse one by one; the arithmetic is the same, in microseconds.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

import frappe
from frappe import _
from frappe.utils import flt, now_datetime

from lnb_casework.casework.rules import ENDED_STATES, OPEN_STATES, stalled_cutoff
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import stalled_after_days
from lnb_casework.oversight.case_columns import case_columns
from lnb_casework.oversight.headlines import stalled_filters
from lnb_casework.oversight.report_charts import bar_chart
from lnb_casework.oversight.report_filters import check, choice, name_of, report_filters

MICROSECONDS_IN_A_DAY = 24 * 60 * 60 * 1_000_000
MICROSECONDS_IN_A_SECOND = 1_000_000
# MariaDB's TO_DAYS counts 366 for 0001-01-01, which Python's toordinal counts as 1
TO_DAYS_OFFSET = 365


def whole_days(microseconds: int) -> int:
	return max(0, microseconds // MICROSECONDS_IN_A_DAY)


def moment_of(moment: datetime.datetime) -> int:
	"""A datetime as the whole number of microseconds that moment_in_database gives for it."""
	seconds = (moment.toordinal() + TO_DAYS_OFFSET) * 86400 + moment.hour * 3600 + moment.minute * 60
	return (seconds + moment.second) * MICROSECONDS_IN_A_SECOND + moment.microsecond


def moment_fields(field: str) -> list[str]:
	"""Fields asking the database for a datetime column as two whole numbers, read back by moment_in_database."""
	return [f"to_seconds(`{field}`) as {field}_seconds", f"microsecond(`{field}`) as {field}_microsecond"]


def moment_in_database(row: dict, field: str) -> int | None:
	seconds = row[f"{field}_seconds"]
	if seconds is None:
		return None
	return seconds * MICROSECONDS_IN_A_SECOND + row[f"{field}_microsecond"]


def time_in_states(
	created: int,
	current_state: str,
	changes: Iterable[tuple[str | None, str | None, int]],
	now: int,
) -> tuple[dict[str, int], int]:
	"""({state: time spent in it}, when the current state began) from the logged changes
	(from_state, to_state, changed_on), taken in the order they happened; moments and times are whole numbers
	in one unit."""
	spent: dict[str, int] = defaultdict(int)
	since, state = created, None
	for number, (from_state, to_state, changed_on) in enumerate(changes):
		if number == 0:
			state = from_state
		if state:
			spent[state] += max(0, changed_on - since)
		since, state = max(since, changed_on), to_state
	spent[current_state] += max(0, now - since)
	return dict(spent), since


def execute(filters: dict | None = None):
	filters = report_filters(filters)
	caseworker = name_of(filters, "caseworker", "Caseworker")
	state = choice(filters, "state", "State", (*OPEN_STATES, *ENDED_STATES))
	include_ended = check(filters, "include_ended", "Include ended cases")
	stalled_only = check(filters, "stalled_only", "Stalled cases only")
	now = now_datetime()
	cutoff = moment_of(stalled_cutoff(now, stalled_after_days()))

	conditions = []
	if caseworker:
		conditions.append(["caseworker", "=", caseworker])
	if state:
		conditions.append(["workflow_state", "=", state])
	elif not include_ended:
		conditions.append(["workflow_state", "in", OPEN_STATES])
	if stalled_only:
		conditions += stalled_filters(now)
	cases = frappe.get_list(
		"Case",
		filters=conditions,
		fields=[
			"name",
			"workflow_state",
			"caseworker",
			*moment_fields("creation"),
			*moment_fields("last_activity_on"),
		],
		order_by="creation asc",
		limit_page_length=0,
	)
	changes = defaultdict(list)
	if cases:
		for change in frappe.get_list(
			"Case State Change",
			filters=[["case", "in", [case.name for case in cases]], ["changed_on", "is", "set"]],
			fields=["case", "from_state", "to_state", *moment_fields("changed_on")],
			order_by="changed_on asc, creation asc",
			limit_page_length=0,
		):
			changes[change.case].append(
				(change.from_state, change.to_state, moment_in_database(change, "changed_on"))
			)

	now = moment_of(now)
	rows, days_by_state = [], defaultdict(list)
	for case in cases:
		created = moment_in_database(case, "creation")
		last_activity = moment_in_database(case, "last_activity_on")
		spent, since = time_in_states(created, case.workflow_state, changes[case.name], now)
		row = frappe._dict(
			case=case.name,
			workflow_state=case.workflow_state,
			caseworker=case.caseworker,
			days_in_state=whole_days(now - since),
			days_since_activity=whole_days(now - last_activity) if last_activity else None,
			stalled=int(
				case.workflow_state in OPEN_STATES and bool(last_activity) and last_activity < cutoff
			),
			age_days=whole_days(now - created),
		)
		for state, time in spent.items():
			row[state_field(state)] = whole_days(time)
			days_by_state[state].append(whole_days(time))
		rows.append(row)
	rows.sort(key=lambda row: (-row.days_in_state, row.case))

	states = [state for state in (*OPEN_STATES, *ENDED_STATES) if state in days_by_state]
	states += [state for state in days_by_state if state not in states]
	average_days = {state: flt(sum(days) / len(days), 1) for state, days in days_by_state.items()}
	return columns(states), rows, None, chart(states, average_days), summary(rows)


def state_field(state: str) -> str:
	return "days_" + frappe.scrub(state)


def columns(states: list[str]) -> list[dict]:
	return [
		*case_columns(),
		{"fieldname": "days_in_state", "label": _("Days in this state"), "fieldtype": "Int", "width": 130},
		{
			"fieldname": "days_since_activity",
			"label": _("Days since last activity"),
			"fieldtype": "Int",
			"width": 170,
		},
		{"fieldname": "stalled", "label": _("Stalled"), "fieldtype": "Check", "width": 80},
		{"fieldname": "age_days", "label": _("Age (days)"), "fieldtype": "Int", "width": 100},
		*(
			{
				"fieldname": state_field(state),
				"label": _("Days in {0}").format(_(state)),
				"fieldtype": "Int",
				"width": 130,
			}
			for state in states
		),
	]


def chart(states: list[str], average_days: dict[str, float]) -> dict:
	return bar_chart(_("Average days"), {_(state): average_days[state] for state in states})


def summary(rows: list[dict]) -> list[dict]:
	return [
		{"label": _("Cases shown"), "value": len(rows), "indicator": "Blue", "datatype": "Int"},
		{
			"label": _("Stalled"),
			"value": sum(row.stalled for row in rows),
			"indicator": "Red",
			"datatype": "Int",
		},
		{
			"label": _("Longest in its current state (days)"),
			"value": max((row.days_in_state for row in rows), default=0),
			"indicator": "Orange",
			"datatype": "Int",
		},
		{
			"label": _("Average age (days)"),
			"value": flt(sum(row.age_days for row in rows) / len(rows), 1) if rows else 0,
			"datatype": "Float",
		},
	]
