"""No session without the second factor for anyone whose roles ask for one (docs/two-factor.md).

Frappe opens every session through `LoginManager.post_login`, whose first step runs the `on_login` hooks:
the password sign-in after its code, and also `login_as` from a mailed sign-in link (`login_via_key`), a
password reset (`update_password` with a key), social login, LDAP and impersonation. The hook below lets a
session open for such a user only when this very request carries the code their authenticator app shows
now, for the sign-in that their password began.
"""

import frappe
import pyotp
from frappe import _
from frappe.twofactor import get_cached_user_pass, get_otpsecret_for_, should_run_2fa

from lnb_casework.sign_in.attempts import refuse_when_too_many_attempts

# Frappe has just accepted the code; checked again here only to tie it to this user, so a code that turned
# over between the two checks still counts.
CODE_WINDOWS_ACCEPTED = 1


class SecondFactorRequired(frappe.AuthenticationError):
	http_status_code = 401


def refuse_a_session_without_the_second_factor(login_manager) -> None:
	"""`on_login` hook: raises before the session is made, so nothing of it is written."""
	user = login_manager.user
	if not user or user == "Guest":
		return
	refuse_when_too_many_attempts()
	if not should_run_2fa(user) or already_signed_in_as(user) or code_given_for(user):
		return
	message = _("Sign in with your password, then the code from your authenticator app, to open the desk.")
	frappe.msgprint(message, title=_("Not signed in"), indicator="red")
	refused = SecondFactorRequired(message)
	refused.user = user
	raise refused


def already_signed_in_as(user: str) -> bool:
	"""A signed-in person changing their own password is signed in again by Frappe: no new session."""
	session = frappe.session
	return bool(session) and session.get("user") == user


def code_given_for(user: str) -> bool:
	"""This request finishes the user's own password sign-in with their current code."""
	otp = frappe.form_dict.get("otp")
	signing_in, _password = get_cached_user_pass()
	if not otp or signing_in != user:
		return False
	return pyotp.TOTP(get_otpsecret_for_(user)).verify(str(otp), valid_window=CODE_WINDOWS_ACCEPTED)
