"""When an alert is due, as pure functions: the scheduled jobs ask these, then send each alert once."""

import datetime
import hashlib

# How far back a morning job looks for what fell due: mornings the scheduler missed (a server down over a
# long weekend) and alerts that could not be queued are caught up for this many days; nothing older is read.
CATCH_UP_DAYS = 7
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def reminder_stage(days_left: int, reminder_days: list[int]) -> int | None:
	"""The reminder a deadline `days_left` away has reached: the nearest configured day it is within.

	With reminders at 14, 7 and 2 days, a deadline 10 days away has reached the 14-day reminder and one
	6 days away the 7-day reminder; each stage is sent once, so a day the scheduler missed is caught up
	the next day rather than lost. A passed deadline gets no reminder.
	"""
	if days_left < 0:
		return None
	reached = [days for days in reminder_days if days_left <= days]
	return min(reached) if reached else None


def caught_up_since(moment: datetime.datetime) -> datetime.datetime:
	"""The earliest moment a morning job looks at: what fell due, or changed, before it was seen on an
	earlier morning. (Works alike on dates.)"""
	return moment - datetime.timedelta(days=CATCH_UP_DAYS)


def digest_is_due(today: datetime.date, digest_day: str) -> bool:
	return WEEKDAYS[today.weekday()] == digest_day


def week_of(today: datetime.date) -> str:
	"""The ISO week, as 2026-W48: one digest per week."""
	year, week, _day = today.isocalendar()
	return f"{year}-W{week:02d}"


def alert_key(*parts: object) -> str:
	"""A fixed-length key naming one alert about one thing at one stage, so it is sent only once."""
	return hashlib.sha1("\x1f".join(str(part) for part in parts).encode()).hexdigest()
