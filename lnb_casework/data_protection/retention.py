"""When a closed case has been kept long enough, and when coordinators are warned before it is anonymised
(docs/erasure-and-retention.md, "Retention").

Pure functions: dates in, dates out. A case counts as closed in every ended state (Closed, Withdrawn,
Referred On), from the last time it moved into one (a case reopened and closed again counts from its last close). Months are
counted as the deadlines count them: the same day of the month, or that month's last day when it is
shorter.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from lnb_casework.casework.rules import ENDED_STATES
from lnb_casework.deadlines.arithmetic import ONE_DAY, add_months

CLOSED_STATES = ENDED_STATES


@dataclass(frozen=True)
class ClosedCase:
	name: str
	closed_on: datetime.date


@dataclass(frozen=True)
class RetentionDue:
	"""What the daily job does today: the cases to anonymise, and the cases to warn coordinators about."""

	anonymise: list[ClosedCase]
	warn: list[ClosedCase]


def anonymise_on(closed_on: datetime.date, retention_months: int) -> datetime.date:
	"""The day a case closed on `closed_on` is anonymised: `retention_months` months later."""
	return add_months(closed_on, retention_months)


def warn_on(closed_on: datetime.date, retention_months: int, warning_days: int) -> datetime.date:
	"""The day coordinators are first warned: `warning_days` days before the case is anonymised."""
	return anonymise_on(closed_on, retention_months) - datetime.timedelta(days=warning_days)


def latest_closing_due_by(day: datetime.date, retention_months: int) -> datetime.date:
	"""The last closing date whose retention period has ended by `day`: every case closed on or before it
	is due, and none closed after it. (Month ends make several closing dates end on one day: 28 to 31
	January all end on 28 February, one month on.)"""
	closing = add_months(day, -retention_months)
	while anonymise_on(closing + ONE_DAY, retention_months) <= day:
		closing += ONE_DAY
	return closing


def latest_closing_to_look_at(
	today: datetime.date, retention_months: int, warning_days: int
) -> datetime.date:
	"""The last closing date the daily job needs: cases closed later are neither due nor warned about."""
	return latest_closing_due_by(today + datetime.timedelta(days=warning_days), retention_months)


def due_today(
	cases: Iterable[ClosedCase], today: datetime.date, retention_months: int, warning_days: int
) -> RetentionDue:
	"""Of the closed cases, those to anonymise today (their period has ended, today or on a day the job
	did not run) and those to warn about (to be anonymised within `warning_days` days)."""
	anonymise, warn = [], []
	for case in cases:
		if anonymise_on(case.closed_on, retention_months) <= today:
			anonymise.append(case)
		elif warn_on(case.closed_on, retention_months, warning_days) <= today:
			warn.append(case)
	return RetentionDue(anonymise, warn)
