"""Who a coordinator alert goes to: no database."""

import unittest

from lnb_casework.alerts.recipients import Coordinator, accounts_among, alert_recipients

ANA = Coordinator("ana@lnb.test", True)
BEN = Coordinator("Ben@LNB.test", True)
GONE = Coordinator("gone@lnb.test", False)


class TestAlertRecipients(unittest.TestCase):
	def test_with_none_set_every_enabled_coordinator(self):
		self.assertEqual(alert_recipients([], [ANA, BEN, GONE]), ["ana@lnb.test", "Ben@LNB.test"])
		self.assertEqual(alert_recipients(["", "  "], [ANA, GONE]), ["ana@lnb.test"])

	def test_the_settings_win_when_set(self):
		self.assertEqual(alert_recipients(["desk@lnb.test"], [ANA, BEN]), ["desk@lnb.test"])

	def test_nobody_when_none_set_and_no_enabled_coordinator(self):
		self.assertEqual(alert_recipients([], [GONE]), [])
		self.assertEqual(alert_recipients([], []), [])

	def test_repeats_in_any_case_and_blanks_are_dropped(self):
		self.assertEqual(
			alert_recipients([" desk@lnb.test", "DESK@lnb.test", "", "ana@lnb.test"], []),
			["desk@lnb.test", "ana@lnb.test"],
		)
		twice = Coordinator("ANA@lnb.test", True)
		self.assertEqual(alert_recipients([], [ANA, twice]), ["ana@lnb.test"])
		self.assertEqual(alert_recipients([], [Coordinator("", True)]), [])


class TestAccountsAmong(unittest.TestCase):
	def test_the_enabled_coordinators_whose_address_is_a_recipient(self):
		self.assertEqual(
			accounts_among(["ben@lnb.test", "ana@lnb.test"], [ANA, BEN]), ["ana@lnb.test", "Ben@LNB.test"]
		)
		self.assertEqual(accounts_among(["ana@lnb.test", "desk@lnb.test"], [ANA, BEN]), ["ana@lnb.test"])

	def test_a_disabled_account_or_an_address_with_no_account_gets_no_bell(self):
		self.assertEqual(accounts_among(["gone@lnb.test", "desk@lnb.test"], [ANA, GONE]), [])
		self.assertEqual(accounts_among([], [ANA]), [])
