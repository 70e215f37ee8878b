"""Two-factor sign-in for everyone who can read casework (docs/two-factor.md).

Frappe's own two-factor authentication, by role: a password sign-in by a user holding any of these roles
is asked for a code from an authenticator app; sign-in by a mailed link and Frappe's per-account lockout are
off (lnb_casework/sign_in/ closes the other ways to a session). It runs after install and after every
migrate, so a site where someone turned it off gets it back.
"""

import time

import frappe
import pyotp
from frappe import _

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD, SYSTEM_MANAGER
from lnb_casework.sign_in.attempts import keep_a_decoy_password

ROLES_WITH_TWO_FACTOR_SIGN_IN = (CASEWORKER, COORDINATOR, POLICY_LEAD, SYSTEM_MANAGER)
# An authenticator app needs neither a phone signal nor a mail server at sign-in, and its codes cannot be
# redirected the way a text message or a mailbox can (docs/two-factor.md, "Why an authenticator app").
METHOD = "OTP App"
ISSUER = "Learn Not Blame"
FRAPPE_DEFAULT_ISSUER = "Frappe Framework"


def require_two_factor_sign_in() -> None:
	# Single values, not a System Settings save: the save would also switch it on for the role "All",
	# every user of the site, where the design asks for it by role.
	wanted = {
		"enable_two_factor_auth": 1,
		"two_factor_method": METHOD,
		# a mailed link alone would open a session (docs/two-factor.md, "Every way in")
		"login_with_email_link": 0,
		# Frappe's lockout lets anyone lock any account; failures are limited by address instead
		# (sign_in/attempts.py)
		"allow_consecutive_login_attempts": 0,
	}
	if frappe.db.get_single_value("System Settings", "otp_issuer_name") in (None, "", FRAPPE_DEFAULT_ISSUER):
		wanted["otp_issuer_name"] = ISSUER
	for field, value in wanted.items():
		if frappe.db.get_single_value("System Settings", field) != value:
			frappe.db.set_single_value("System Settings", field, value)
	for role in ROLES_WITH_TWO_FACTOR_SIGN_IN:
		if not frappe.db.get_value("Role", role, "two_factor_auth"):
			frappe.db.set_value("Role", role, "two_factor_auth", 1)
	keep_a_decoy_password()


def sign_in_code(user: str) -> tuple[str, int, str]:
	"""The code the user's authenticator app shows now, the seconds it has left, and the otpauth link the
	app's QR code carries, for a site that sends no mail (docs/two-factor.md, "A local demo site"). The
	user's set-up is marked complete, so the site no longer mails them a QR code at sign-in."""
	from frappe.twofactor import get_default, get_otpsecret_for_, set_default, two_factor_is_enabled

	if not frappe.db.exists("User", user):
		frappe.throw(_("There is no user {0}.").format(user))
	if not two_factor_is_enabled(user=user):
		frappe.throw(
			_("{0} signs in without a second factor: none of their roles asks for one.").format(user)
		)
	secret = get_otpsecret_for_(user)
	if not get_default(f"{user}_otplogin"):
		set_default(f"{user}_otplogin", 1)
	frappe.db.commit()
	issuer = frappe.db.get_single_value("System Settings", "otp_issuer_name")
	totp = pyotp.TOTP(secret)
	seconds_left = totp.interval - int(time.time()) % totp.interval
	return totp.now(), seconds_left, totp.provisioning_uri(user, issuer_name=issuer)
