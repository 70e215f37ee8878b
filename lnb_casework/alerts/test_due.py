"""When alerts are due: no database."""

import unittest
from datetime import date, datetime

from lnb_casework.alerts.due import (
	CATCH_UP_DAYS,
	alert_key,
	caught_up_since,
	digest_is_due,
	reminder_stage,
	week_of,
)

REMINDERS = [14, 7, 2]


class TestReminderStage(unittest.TestCase):
	def test_each_configured_day_is_its_own_stage(self):
		self.assertEqual([reminder_stage(days, REMINDERS) for days in (14, 7, 2)], [14, 7, 2])

	def test_days_between_stages_belong_to_the_stage_already_reached(self):
		self.assertEqual(
			[reminder_stage(days, REMINDERS) for days in (13, 8, 6, 3, 1, 0)], [14, 14, 7, 7, 2, 2]
		)

	def test_far_and_passed_deadlines_get_no_reminder(self):
		self.assertEqual([reminder_stage(days, REMINDERS) for days in (15, 60, -1)], [None, None, None])
		self.assertIsNone(reminder_stage(3, []))


class TestCatchUp(unittest.TestCase):
	def test_a_job_looks_back_a_week_of_mornings(self):
		self.assertEqual(CATCH_UP_DAYS, 7)
		self.assertEqual(caught_up_since(date(2026, 12, 2)), date(2026, 11, 25))
		self.assertEqual(caught_up_since(datetime(2026, 12, 2, 7, 0)), datetime(2026, 11, 25, 7, 0))


class TestDigest(unittest.TestCase):
	def test_the_digest_goes_on_the_configured_day(self):
		self.assertTrue(digest_is_due(date(2026, 11, 30), "Monday"))
		self.assertFalse(digest_is_due(date(2026, 11, 25), "Monday"))
		self.assertTrue(digest_is_due(date(2026, 11, 25), "Wednesday"))

	def test_one_week_one_key(self):
		self.assertEqual(week_of(date(2026, 11, 30)), week_of(date(2026, 12, 6)))
		self.assertNotEqual(week_of(date(2026, 11, 29)), week_of(date(2026, 11, 30)))
		self.assertEqual(week_of(date(2027, 1, 1)), "2026-W53")


class TestAlertKey(unittest.TestCase):
	def test_keys_differ_by_every_part_and_are_short(self):
		key = alert_key("Deadline reminder", "LNB-2026-00001", "2026-12-01", 7)
		self.assertEqual(len(key), 40)
		self.assertEqual(key, alert_key("Deadline reminder", "LNB-2026-00001", "2026-12-01", 7))
		self.assertNotEqual(key, alert_key("Deadline reminder", "LNB-2026-00001", "2026-12-01", 2))
