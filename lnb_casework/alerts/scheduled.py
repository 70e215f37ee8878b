"""The daily alerts (hooks.py runs each every morning): each reads only the rows that are due, by an
indexed date, and sends each alert once (the LNB Alert Log remembers what went). Each job asks the log once
for all its alerts and works out the coordinators once, so its queries grow with the alerts it sends, not
with the cases held."""

import datetime
from collections import defaultdict
from functools import cache

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import date_diff, format_date, get_url, get_url_to_form, getdate, now_datetime

from lnb_casework.alerts.due import alert_key, caught_up_since, digest_is_due, reminder_stage, week_of
from lnb_casework.alerts.sending import coordinators, keys_already_sent, send_once
from lnb_casework.casework.rules import OPEN_STATES, stalled_cutoff
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import (
	get_lnb_settings,
	reminder_days,
	stalled_after_days,
)
from lnb_casework.oversight.headlines import (
	DEADLINE_TABLES,
	headline_figures,
	overdue_action_filters,
	stalled_filters,
)

DEADLINE_REMINDER, STALLED_CASE = "Deadline reminder", "Stalled case"
OVERDUE_ACTION, WEEKLY_DIGEST = "Overdue action", "Weekly digest"


def digest_labels() -> dict[str, str]:
	return {
		"awaiting_triage": _("Cases awaiting triage"),
		"open_cases": _("Open cases"),
		"stalled_cases": _("Stalled cases"),
		"deadlines_within": _("Cases with a deadline in the next 7 days"),
		"open_systemic_issues": _("Open systemic issues"),
		"overdue_actions": _("Overdue advocacy actions"),
	}


def send_deadline_reminders(today: datetime.date | None = None) -> int:
	"""One reminder per case, deadline day and configured stage (14, 7, 2 days before...). It only reads:
	exclusion reviews that have passed are rolled on earlier each morning, through their cases
	(deadlines/case_deadlines.py)."""
	today = getdate(today)
	stages = reminder_days(get_lnb_settings().deadline_reminder_days)
	if not stages:
		return 0
	horizon = today + datetime.timedelta(days=max(stages))
	due_by_case = defaultdict(int)
	cases = {}
	for table, date_field in DEADLINE_TABLES:
		for row in open_case_rows_dated_between(table, date_field, today, horizon):
			due_by_case[(row.case_name, getdate(row.due))] += 1
			cases[row.case_name] = row
	reminders = {}
	for (case_name, due), count in sorted(due_by_case.items()):
		stage = reminder_stage(date_diff(due, today), stages)
		if stage is not None:
			reminders[alert_key(DEADLINE_REMINDER, case_name, due, stage)] = (case_name, due, count, stage)
	sent_before = keys_already_sent(reminders)
	coordinators_once = cache(coordinators)
	sent = 0
	for key, (case_name, due, count, stage) in reminders.items():
		if key in sent_before:
			continue
		case = cases[case_name]
		days_left = date_diff(due, today)
		sent += send_once(
			DEADLINE_REMINDER,
			key,
			[case.caseworker] if case.caseworker else coordinators_once(),
			_("Deadline in {0} days on case {1}").format(days_left, case_name),
			{
				"message": _("A deadline on this case is coming up.")
				if count == 1
				else _("{0} deadlines on this case fall on the same day.").format(count),
				"reference": case_name,
				"state": case.workflow_state,
				"facts": [(_("Due"), format_date(due)), (_("Days left"), days_left)],
				"link": get_url_to_form("Case", case_name),
				"link_label": _("Open the case"),
			},
			"Case",
			case_name,
			detail=_("{0}, {1} days before").format(due.isoformat(), stage),
			sent_before=sent_before,
		)
	return sent


def open_case_rows_dated_between(
	table: str, date_field: str, start: datetime.date, end: datetime.date
) -> list[frappe._dict]:
	child, case = DocType(table), DocType("Case")
	return (
		frappe.qb.from_(child)
		.join(case)
		.on(child.parent == case.name)
		.select(
			case.name.as_("case_name"),
			case.workflow_state,
			case.caseworker,
			child[date_field].as_("due"),
		)
		.where(child.parenttype == "Case")
		.where(child[date_field][start:end])
		.where(case.workflow_state.isin(OPEN_STATES))
		.run(as_dict=True)
	)


def send_stalled_case_alerts(now: datetime.datetime | None = None) -> int:
	"""Each open case without activity for the configured days, to its caseworker and the coordinators,
	once for each stretch of inactivity."""
	now = now or now_datetime()
	stalled = newly_stalled_cases(now)
	keys = {case.name: alert_key(STALLED_CASE, case.name, case.last_activity_on) for case in stalled}
	sent_before = keys_already_sent(keys.values())
	coordinators_once = cache(coordinators)
	sent = 0
	for case in stalled:
		if keys[case.name] in sent_before:
			continue
		idle_days = (now - case.last_activity_on).days
		sent += send_once(
			STALLED_CASE,
			keys[case.name],
			[case.caseworker, *coordinators_once()],
			_("Case {0} has had no activity for {1} days").format(case.name, idle_days),
			{
				"message": _("Nothing has happened on this case for {0} days.").format(idle_days),
				"reference": case.name,
				"state": case.workflow_state,
				"facts": [(_("Last activity"), format_date(case.last_activity_on))],
				"link": get_url_to_form("Case", case.name),
				"link_label": _("Open the case"),
			},
			"Case",
			case.name,
			detail=_("no activity since {0}").format(case.last_activity_on.date().isoformat()),
			sent_before=sent_before,
		)
	return sent


def newly_stalled_cases(now: datetime.datetime) -> list[frappe._dict]:
	"""The stalled cases an alert may be due for, least recently active first: those that became stalled
	within the catch-up days (by the index on last activity) and those changed in that time, reopened say
	(by the index on modified). Any other stalled case was alerted on an earlier morning, and is not read."""
	stalled = stalled_filters(now)
	became_stalled = ["last_activity_on", ">=", caught_up_since(stalled_cutoff(now, stalled_after_days()))]
	fields = ["name", "workflow_state", "caseworker", "last_activity_on"]
	cases = {}
	for recent in (became_stalled, ["modified", ">=", caught_up_since(now)]):
		for case in frappe.get_all("Case", filters=[*stalled, recent], fields=fields, order_by=None):
			cases[case.name] = case
	return sorted(cases.values(), key=lambda case: (case.last_activity_on, case.name))


def send_overdue_action_alerts(today: datetime.date | None = None) -> int:
	"""Each open advocacy action past its due date, to the user responsible for it, once per due date."""
	today = getdate(today)
	overdue = newly_overdue_actions(today)
	keys = {action.name: alert_key(OVERDUE_ACTION, action.name, action.due_date) for action in overdue}
	sent_before = keys_already_sent(keys.values())
	sent = 0
	for action in overdue:
		if keys[action.name] in sent_before:
			continue
		sent += send_once(
			OVERDUE_ACTION,
			keys[action.name],
			[action.responsible or action.owner],
			_("Advocacy action overdue: {0}").format(action.title),
			{
				"message": _("An advocacy action you are responsible for is past its due date."),
				"reference": action.title,
				"state": action.workflow_state,
				"facts": [
					(_("Due"), format_date(action.due_date)),
					(_("Days overdue"), date_diff(today, action.due_date)),
				],
				"link": get_url_to_form("Advocacy Action", action.name),
				"link_label": _("Open the action"),
			},
			"Advocacy Action",
			action.name,
			detail=_("due {0}").format(action.due_date.isoformat()),
			sent_before=sent_before,
		)
	return sent


def newly_overdue_actions(today: datetime.date) -> list[frappe._dict]:
	"""The overdue actions an alert may be due for, earliest due first: those that fell due within the
	catch-up days and those changed in that time (one made already late, a due date moved back)."""
	fields = ["name", "title", "workflow_state", "responsible", "owner", "due_date"]
	since = caught_up_since(today)
	actions = {}
	for recent in (["due_date", ">=", since], ["modified", ">=", since]):
		for action in frappe.get_all(
			"Advocacy Action", filters=[*overdue_action_filters(today), recent], fields=fields, order_by=None
		):
			actions[action.name] = action
	return sorted(actions.values(), key=lambda action: (action.due_date, action.name))


def send_weekly_digest(today: datetime.date | None = None) -> int:
	"""The headline numbers, to the coordinators, on the configured day, once a week."""
	today = getdate(today)
	if not digest_is_due(today, get_lnb_settings().digest_day):
		return 0
	figures = headline_figures()
	week = week_of(today)
	return int(
		send_once(
			WEEKLY_DIGEST,
			alert_key(WEEKLY_DIGEST, week),
			coordinators(),
			_("Learn Not Blame: the week of {0}").format(format_date(today)),
			{
				"message": _("This week's headline numbers."),
				"facts": [(digest_labels().get(key, key), value) for key, value in figures.items()],
				"link": get_url("/app/learn-not-blame"),
				"link_label": _("Open the Learn Not Blame workspace"),
			},
			"LNB Settings",
			"LNB Settings",
			detail=week,
		)
	)
