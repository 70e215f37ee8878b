"""Fixed reporting periods, without a database."""

import datetime
import unittest

from lnb_casework.learning.periods import (
	calendar_year,
	last_closed_period,
	parse_period,
)

TODAY = datetime.date(2026, 12, 1)


class TestPeriods(unittest.TestCase):
	def test_a_period_is_a_calendar_year(self):
		period = parse_period("2025")
		self.assertEqual(
			(period.label, period.first_day, period.last_day, period.day_after),
			("2025", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), datetime.date(2026, 1, 1)),
		)
		self.assertEqual(parse_period(2024), calendar_year(2024))

	def test_anything_else_is_refused(self):
		for value in (
			"2025-Q3",
			"2025-01",
			"25",
			" 2025",
			"2025 ",
			"2025\n",
			"\u0662\u0660\u0662\u0665",
			"0001",
			"abc",
			"2025' or 1=1",
			["2025"],
			{"year": 2025},
			2025.0,
			True,
			None,
			"",
		):
			with self.subTest(value=value), self.assertRaises(ValueError):
				parse_period(value)

	def test_only_ended_years_are_closed(self):
		self.assertEqual(last_closed_period(TODAY), calendar_year(2025))
		self.assertTrue(calendar_year(2025).has_ended(TODAY))
		self.assertFalse(calendar_year(2026).has_ended(TODAY))
		self.assertFalse(calendar_year(2026).has_ended(datetime.date(2026, 12, 31)))
		self.assertTrue(calendar_year(2026).has_ended(datetime.date(2027, 1, 1)))

	def test_periods_never_overlap(self):
		for year in range(2001, 2026):
			self.assertEqual(calendar_year(year).day_after, calendar_year(year + 1).first_day)


if __name__ == "__main__":
	unittest.main()
