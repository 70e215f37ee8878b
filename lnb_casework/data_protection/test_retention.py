"""When a closed case is anonymised and when coordinators are warned: month ends, leap years, the day the
period ends and the days either side. No database."""

import unittest
from datetime import date, timedelta

from lnb_casework.data_protection.retention import (
	ClosedCase,
	anonymise_on,
	due_today,
	latest_closing_due_by,
	latest_closing_to_look_at,
	warn_on,
)

SIX_YEARS, THIRTY_DAYS = 72, 30


class TestAnonymiseOn(unittest.TestCase):
	def test_the_same_day_months_later(self):
		self.assertEqual(anonymise_on(date(2026, 3, 10), SIX_YEARS), date(2032, 3, 10))
		self.assertEqual(anonymise_on(date(2026, 3, 10), 1), date(2026, 4, 10))

	def test_a_shorter_month_gives_its_last_day(self):
		self.assertEqual(anonymise_on(date(2026, 1, 31), 1), date(2026, 2, 28))
		self.assertEqual(anonymise_on(date(2027, 8, 31), 6), date(2028, 2, 29))
		self.assertEqual(anonymise_on(date(2028, 2, 29), 12), date(2029, 2, 28))

	def test_warned_the_set_days_before(self):
		self.assertEqual(warn_on(date(2026, 3, 10), SIX_YEARS, THIRTY_DAYS), date(2032, 2, 9))
		self.assertEqual(warn_on(date(2026, 3, 10), SIX_YEARS, 0), date(2032, 3, 10))


class TestLatestClosingDueBy(unittest.TestCase):
	def test_cases_closed_on_or_before_it_are_due_and_none_after(self):
		for day in (
			date(2026, 2, 28),
			date(2028, 2, 29),
			date(2026, 3, 31),
			date(2026, 7, 15),
			date(2027, 1, 1),
		):
			for months in (1, 3, 6, 12, SIX_YEARS):
				latest = latest_closing_due_by(day, months)
				self.assertLessEqual(anonymise_on(latest, months), day, (day, months))
				self.assertGreater(anonymise_on(latest + timedelta(days=1), months), day, (day, months))

	def test_every_closing_day_that_ends_at_a_month_end(self):
		# 28, 29, 30 and 31 January all end on 28 February, a month on
		self.assertEqual(latest_closing_due_by(date(2026, 2, 28), 1), date(2026, 1, 31))
		self.assertEqual(latest_closing_due_by(date(2026, 2, 27), 1), date(2026, 1, 27))
		self.assertEqual(latest_closing_due_by(date(2026, 3, 1), 1), date(2026, 2, 1))

	def test_the_job_looks_as_far_as_the_warning_reaches(self):
		self.assertEqual(
			latest_closing_to_look_at(date(2032, 2, 9), SIX_YEARS, THIRTY_DAYS), date(2026, 3, 10)
		)


class TestDueToday(unittest.TestCase):
	today = date(2032, 3, 10)

	def closed(self, name: str, closed_on: date) -> ClosedCase:
		return ClosedCase(name, closed_on)

	def test_anonymised_from_the_day_the_period_ends_warned_in_the_days_before(self):
		ended_today = self.closed("LNB-1", date(2026, 3, 10))
		ended_long_ago = self.closed("LNB-2", date(2020, 1, 1))  # a day the job did not run is caught up
		ends_tomorrow = self.closed("LNB-3", date(2026, 3, 11))
		ends_in_thirty_days = self.closed("LNB-4", date(2026, 4, 9))
		ends_in_thirty_one_days = self.closed("LNB-5", date(2026, 4, 10))
		due = due_today(
			[ended_today, ended_long_ago, ends_tomorrow, ends_in_thirty_days, ends_in_thirty_one_days],
			self.today,
			SIX_YEARS,
			THIRTY_DAYS,
		)
		self.assertEqual(due.anonymise, [ended_today, ended_long_ago])
		self.assertEqual(due.warn, [ends_tomorrow, ends_in_thirty_days])

	def test_no_warning_days_no_warning(self):
		due = due_today([self.closed("LNB-3", date(2026, 3, 11))], self.today, SIX_YEARS, 0)
		self.assertEqual((due.anonymise, due.warn), ([], []))

	def test_nothing_closed_nothing_due(self):
		due = due_today([], self.today, SIX_YEARS, THIRTY_DAYS)
		self.assertEqual((due.anonymise, due.warn), ([], []))
