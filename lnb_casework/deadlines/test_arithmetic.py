"""Deadline arithmetic against docs/deadlines.md's worked examples, month ends and leap years: no database."""

import unittest
from datetime import date

from lnb_casework.deadlines.arithmetic import (
	add_months,
	next_exclusion_review,
	tribunal_limit,
	with_early_conciliation,
)

# The limits' lengths are settings; the worked examples use the lengths the law gives today.
THREE_MONTHS, FOUR_WEEKS = 3, 4


class TestTribunalLimit(unittest.TestCase):
	def test_three_months_less_one_day(self):
		limit = tribunal_limit(date(2026, 3, 10), THREE_MONTHS)
		self.assertEqual((limit.due, limit.check), (date(2026, 6, 9), False))
		self.assertIn("3 months less one day", limit.how)
		self.assertEqual(tribunal_limit(date(2026, 1, 1), THREE_MONTHS).due, date(2026, 3, 31))

	def test_month_ends_give_the_earlier_date_marked_check(self):
		limit = tribunal_limit(date(2026, 8, 31), THREE_MONTHS)
		self.assertEqual((limit.due, limit.check), (date(2026, 11, 29), True))
		self.assertIn("2026-11-30", limit.how)

	def test_leap_years(self):
		self.assertEqual(tribunal_limit(date(2027, 11, 30), THREE_MONTHS).due, date(2028, 2, 28))
		self.assertTrue(tribunal_limit(date(2027, 11, 30), THREE_MONTHS).check)
		self.assertEqual(tribunal_limit(date(2026, 11, 30), THREE_MONTHS).due, date(2027, 2, 27))
		self.assertEqual(tribunal_limit(date(2028, 2, 29), THREE_MONTHS).due, date(2028, 5, 28))
		self.assertEqual(add_months(date(2028, 1, 31), 1), date(2028, 2, 29))
		self.assertEqual(add_months(date(2027, 1, 31), 1), date(2027, 2, 28))

	def test_six_months_when_the_setting_says_so(self):
		self.assertEqual(tribunal_limit(date(2026, 3, 10), months=6).due, date(2026, 9, 9))
		self.assertEqual(add_months(date(2026, 11, 15), 3), date(2027, 2, 15))


class TestEarlyConciliation(unittest.TestCase):
	limit = tribunal_limit(date(2026, 1, 1), THREE_MONTHS)

	def test_domain_example_one_month_after_the_certificate(self):
		found = with_early_conciliation(self.limit, date(2026, 3, 15), date(2026, 3, 29))
		self.assertEqual(found.due, date(2026, 4, 29))
		self.assertIn("one month after the certificate", found.how)

	def test_domain_example_extended_by_the_days_paused(self):
		found = with_early_conciliation(self.limit, date(2026, 1, 5), date(2026, 1, 19))
		self.assertEqual(found.due, date(2026, 4, 14))
		self.assertIn("14 days", found.how)

	def test_after_the_limit_no_extension(self):
		found = with_early_conciliation(self.limit, date(2026, 4, 2), date(2026, 4, 20))
		self.assertEqual(found.due, date(2026, 3, 31))

	def test_a_certificate_before_contact_is_refused(self):
		with self.assertRaises(ValueError):
			with_early_conciliation(self.limit, date(2026, 3, 15), date(2026, 3, 1))

	def test_a_checked_limit_stays_marked(self):
		limit = tribunal_limit(date(2026, 8, 31), THREE_MONTHS)
		self.assertTrue(with_early_conciliation(limit, date(2026, 9, 1), date(2026, 9, 10)).check)


class TestExclusionReview(unittest.TestCase):
	def test_every_four_weeks_from_the_start(self):
		start = date(2026, 1, 5)
		self.assertEqual(
			next_exclusion_review(start, today=date(2026, 1, 5), weeks=FOUR_WEEKS).due, date(2026, 2, 2)
		)
		self.assertEqual(
			next_exclusion_review(start, today=date(2026, 2, 2), weeks=FOUR_WEEKS).due, date(2026, 2, 2)
		)
		self.assertEqual(
			next_exclusion_review(start, today=date(2026, 2, 3), weeks=FOUR_WEEKS).due, date(2026, 3, 2)
		)
		self.assertEqual(next_exclusion_review(start, today=date(2026, 3, 1), weeks=2).due, date(2026, 3, 2))
