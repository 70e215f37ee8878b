"""Deadlines whose rule is known, counted as docs/deadlines.md says, with its worked examples.

Pure functions: dates in, a date and how it was counted out. The limits themselves (three months, six
months, four weeks) are settings, passed in, because the law changes.
"""

import calendar
import datetime
from dataclasses import dataclass

from frappe import _

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
	due: datetime.date
	how: str
	check: bool = False  # the usual ways of counting disagree: the earlier date is given; check it


def add_months(day: datetime.date, months: int) -> datetime.date:
	"""The same day of the month `months` later, or that month's last day when it is shorter."""
	month_index = day.month - 1 + months
	year, month = day.year + month_index // 12, month_index % 12 + 1
	return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def tribunal_limit(act: datetime.date, months: int) -> Deadline:
	"""The employment tribunal limit, "`months` months less one day" from the act complained of.

	Counted both usual ways (months on, then a day back; a day back, then months on); at month ends
	they can differ, and then the earlier date is given and marked for checking.
	"""
	months_then_day = add_months(act, months) - ONE_DAY
	day_then_months = add_months(act - ONE_DAY, months)
	due = min(months_then_day, day_then_months)
	how = _("{0} months less one day from the act on {1}").format(months, act.isoformat())
	if months_then_day != day_then_months:
		how += " " + _("(counted the other way it would be {0}: check)").format(
			max(months_then_day, day_then_months).isoformat()
		)
	return Deadline(due, how, check=months_then_day != day_then_months)


def with_early_conciliation(limit: Deadline, day_a: datetime.date, day_b: datetime.date) -> Deadline:
	"""The limit after ACAS early conciliation (Employment Rights Act s207B).

	The days after Day A up to and including Day B do not count, so the limit moves later by B - A days;
	if the limit so extended would fall before one month after Day B, it is one month after Day B. A limit
	that had already passed when ACAS was contacted is not extended.
	"""
	if day_b < day_a:
		raise ValueError(_("The ACAS certificate (Day B) cannot come before ACAS was contacted (Day A)."))
	if day_a > limit.due:
		return Deadline(
			limit.due,
			limit.how + "; " + _("ACAS was contacted after the limit, which is not extended"),
			limit.check,
		)
	paused = (day_b - day_a).days
	extended = limit.due + datetime.timedelta(days=paused)
	month_after_b = add_months(day_b, 1)
	if extended < month_after_b:
		how = _("{0}; early conciliation from {1} to {2}: one month after the certificate").format(
			limit.how, day_a.isoformat(), day_b.isoformat()
		)
		return Deadline(month_after_b, how, limit.check)
	how = _("{0}; plus {1} days of early conciliation ({2} to {3})").format(
		limit.how, paused, day_a.isoformat(), day_b.isoformat()
	)
	return Deadline(extended, how, limit.check)


def next_exclusion_review(excluded_from: datetime.date, today: datetime.date, weeks: int) -> Deadline:
	"""The next review of an exclusion: every `weeks` weeks from its start, the first on or after today."""
	interval = datetime.timedelta(weeks=weeks)
	periods = max(1, -(-(today - excluded_from).days // interval.days))
	due = excluded_from + periods * interval
	return Deadline(
		due, _("exclusion reviewed every {0} weeks from {1}").format(weeks, excluded_from.isoformat())
	)
