"""Which deadlines a case's dates give: no database."""

import unittest
from datetime import date

from lnb_casework.deadlines.computed import (
	EXCLUSION_REVIEW,
	TRIBUNAL_LIMIT,
	CaseDates,
	computed_deadlines,
	date_problems,
)

TODAY = date(2026, 3, 20)


def due_dates(dates: CaseDates, months: int = 3, weeks: int = 4) -> dict[str, date]:
	return {item.rule: item.deadline.due for item in computed_deadlines(dates, TODAY, months, weeks)}


class TestComputedDeadlines(unittest.TestCase):
	def test_no_dates_give_no_deadlines(self):
		self.assertEqual(computed_deadlines(CaseDates(), TODAY, 3, 4), [])

	def test_the_tribunal_limit_follows_the_setting(self):
		act = CaseDates(act_complained_of_on=date(2026, 3, 10))
		self.assertEqual(due_dates(act), {TRIBUNAL_LIMIT: date(2026, 6, 9)})
		self.assertEqual(due_dates(act, months=6), {TRIBUNAL_LIMIT: date(2026, 9, 9)})

	def test_early_conciliation_counts_once_both_of_its_dates_are_known(self):
		act = date(2026, 1, 1)
		self.assertEqual(
			due_dates(CaseDates(act, date(2026, 3, 15), date(2026, 3, 29)))[TRIBUNAL_LIMIT], date(2026, 4, 29)
		)
		self.assertEqual(
			due_dates(CaseDates(act, date(2026, 1, 5), date(2026, 1, 19)))[TRIBUNAL_LIMIT], date(2026, 4, 14)
		)
		self.assertEqual(due_dates(CaseDates(act, date(2026, 1, 5)))[TRIBUNAL_LIMIT], date(2026, 3, 31))

	def test_a_month_end_act_is_marked_for_checking(self):
		(limit,) = computed_deadlines(CaseDates(act_complained_of_on=date(2026, 8, 31)), TODAY, 3, 4)
		self.assertEqual((limit.deadline.due, limit.deadline.check), (date(2026, 11, 29), True))

	def test_an_exclusion_is_reviewed_until_it_ends(self):
		excluded = CaseDates(excluded_from=date(2026, 3, 1))
		self.assertEqual(due_dates(excluded), {EXCLUSION_REVIEW: date(2026, 3, 29)})
		self.assertEqual(due_dates(excluded, weeks=2), {EXCLUSION_REVIEW: date(2026, 3, 29)})
		self.assertEqual(due_dates(excluded, weeks=1), {EXCLUSION_REVIEW: date(2026, 3, 22)})
		ended = CaseDates(excluded_from=date(2026, 3, 1), exclusion_ended_on=date(2026, 3, 10))
		self.assertEqual(due_dates(ended), {})

	def test_inconsistent_dates_are_explained(self):
		self.assertEqual(date_problems(CaseDates(date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))), [])
		self.assertIn("Day A", date_problems(CaseDates(acas_certificate_on=date(2026, 3, 1)))[0])
		self.assertIn(
			"cannot come before",
			date_problems(
				CaseDates(acas_contacted_on=date(2026, 3, 2), acas_certificate_on=date(2026, 3, 1))
			)[0],
		)
		self.assertIn("started", date_problems(CaseDates(exclusion_ended_on=date(2026, 3, 1)))[0])
		self.assertIn(
			"cannot end before",
			date_problems(CaseDates(excluded_from=date(2026, 3, 2), exclusion_ended_on=date(2026, 3, 1)))[0],
		)
