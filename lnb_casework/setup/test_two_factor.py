import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.twofactor import two_factor_is_enabled

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD, SYSTEM_MANAGER
from lnb_casework.setup.two_factor import ISSUER, require_two_factor_sign_in

ROLES = (CASEWORKER, COORDINATOR, POLICY_LEAD, SYSTEM_MANAGER)
TWO_FACTOR_SETTINGS = (
	"enable_two_factor_auth",
	"two_factor_method",
	"otp_issuer_name",
	"login_with_email_link",
	"allow_consecutive_login_attempts",
)


def settings() -> dict:
	return {
		field: frappe.db.get_single_value("System Settings", field, cache=False)
		for field in TWO_FACTOR_SETTINGS
	}


def last_written() -> dict:
	written = {role: frappe.db.get_value("Role", role, "modified") for role in ROLES}
	written["System Settings"] = frappe.db.get_singles_dict("System Settings", cast=False).get("modified")
	return written


class TestTwoFactorSetUp(FrappeTestCase):
	def test_turned_off_it_comes_back_on_for_the_casework_roles_and_system_manager_only(self):
		# with it, sign-in by a mailed link and Frappe's per-account lockout go off again
		frappe.db.set_single_value(
			"System Settings",
			{
				"enable_two_factor_auth": 0,
				"two_factor_method": "Email",
				"otp_issuer_name": "Frappe Framework",
				"login_with_email_link": 1,
				"allow_consecutive_login_attempts": 10,
			},
		)
		for role in ROLES:
			frappe.db.set_value("Role", role, "two_factor_auth", 0)
		# any save of System Settings with two-factor on (an earlier test's, a person's) asks "All" too
		frappe.db.set_value("Role", "All", "two_factor_auth", 0)

		require_two_factor_sign_in()

		self.assertEqual(
			settings(),
			{
				"enable_two_factor_auth": 1,
				"two_factor_method": "OTP App",
				"otp_issuer_name": ISSUER,
				"login_with_email_link": 0,
				"allow_consecutive_login_attempts": 0,
			},
		)
		for role in ROLES:
			self.assertEqual(frappe.db.get_value("Role", role, "two_factor_auth"), 1, role)
		self.assertEqual(
			frappe.db.get_value("Role", "All", "two_factor_auth"), 0, "by role, not for everyone"
		)
		self.assertFalse(two_factor_is_enabled(user="Administrator"))
		self.assertFalse(two_factor_is_enabled(user="Guest"))

	def test_a_second_run_writes_nothing_and_keeps_an_issuer_the_site_chose(self):
		frappe.db.set_single_value("System Settings", "otp_issuer_name", "DAUK Learn Not Blame")
		require_two_factor_sign_in()
		written = last_written()
		require_two_factor_sign_in()
		self.assertEqual(settings()["otp_issuer_name"], "DAUK Learn Not Blame")
		self.assertEqual(last_written(), written)
