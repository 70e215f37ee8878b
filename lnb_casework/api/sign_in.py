"""Frappe's guest methods of the sign-in page, made to tell no account from another and to open no session
without the second factor (hooks.py `override_whitelisted_methods`; docs/two-factor.md)."""

import frappe
from frappe import _
from frappe.core.doctype.user.user import update_password as frappe_update_password
from frappe.utils import cint, today

from lnb_casework.sign_in.attempts import sign_in_address
from lnb_casework.sign_in.mail_links import RESET_LINK_JOB, SIGN_IN_LINK_JOB, queue
from lnb_casework.sign_in.second_factor import SecondFactorRequired

MAIL_REQUESTS_ALLOWED = 5
MAIL_WINDOW_MINUTES = 60
SIGN_IN_PAGE = "/login"


def count_mail_request() -> None:
	"""Reset and sign-in links asked for from one address (the one the site trusts), whatever the account."""
	key = frappe.cache.make_key(f"rl:lnb-sign-in-mail:{sign_in_address()}")
	frappe.cache.set(key, 0, ex=MAIL_WINDOW_MINUTES * 60, nx=True)
	if cint(frappe.cache.incrby(key, 1)) > MAIL_REQUESTS_ALLOWED:
		frappe.throw(
			_(
				"Several links have been asked for from your network in the last hour, so no more can be "
				"sent just now. Please try again in an hour, or ask a coordinator for help."
			),
			frappe.RateLimitExceededError,
			title=_("Please try again later"),
		)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def reset_password(user: str) -> str:
	"""The same answer for every address: the link, if there is an account, is mailed by a job."""
	count_mail_request()
	queue(RESET_LINK_JOB, user)
	return _("If an account uses that address, we have emailed it a link to set a new password.")


@frappe.whitelist(allow_guest=True, methods=["POST"])
def send_login_link(email: str) -> None:
	"""Sign-in by a mailed link (off unless an administrator turns it on): the same answer for every
	address, and never a link for anyone asked for a code."""
	count_mail_request()
	if frappe.get_system_settings("login_with_email_link"):
		queue(SIGN_IN_LINK_JOB, email)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def update_password(
	new_password: str, logout_all_sessions: int = 0, key: str | None = None, old_password: str | None = None
) -> str:
	"""Frappe's, except that a reset key sets the password without signing in anyone asked for a code: they
	go to the sign-in page, for their password and then the code."""
	try:
		return frappe_update_password(new_password, logout_all_sessions, key, old_password)
	except SecondFactorRequired as refused:
		# Frappe had set the password and was about to sign the person in; the rest of its work, unsigned
		frappe.db.set_value("User", refused.user, "last_password_reset_date", today())
		frappe.clear_messages()
		return SIGN_IN_PAGE
