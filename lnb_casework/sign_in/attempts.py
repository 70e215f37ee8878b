"""Failed sign-ins: counted by the address the site trusts, and each costs the same work whether or not the
account exists (docs/two-factor.md, "Guessing").

Frappe checks the password while it reads the request, before any hook of an app runs, and then:
- for an address that names no account it stops at once; for an account it verifies the password's hash,
  loads the user and asks whether they need a code. `note_failed_sign_in` (an Activity Log hook: Frappe
  logs every failed sign-in before answering) does that same work on a decoy for an unknown address, so
  the answer takes as long;
- it would lock the account after ten failures from anyone (System Settings, turned off by migrate, see
  setup/two_factor.py) and count by the client-written X-Forwarded-For. Instead the failures are counted
  here by the trusted address (intake/client_address.py); past the allowance every sign-in from that
  address is answered the same refusal (`answer_too_many_attempts`, an after_request hook), a right
  password included, so guessing on learns nothing and nobody else's account is locked.
"""

import json

import frappe
from frappe import _
from frappe.auth import get_login_attempt_tracker
from frappe.query_builder import Table
from frappe.twofactor import should_run_2fa
from frappe.utils import cint
from frappe.utils.password import check_password, update_password

from lnb_casework.api.intake import TRUSTED_PROXY_COUNT_KEY
from lnb_casework.intake.client_address import client_address, rate_limit_key

FAILED_SIGN_INS_ALLOWED = 10
WINDOW_MINUTES = 15
# Frappe's words for a failed password, whether or not the account exists
WRONG_CREDENTIALS = "Invalid login credentials"
# A password hash kept in Frappe's password table under a name no account can have (a user's name is an
# email address), so an unknown address is checked against a hash as a real one is.
DECOY_ACCOUNT = "lnb-sign-in-decoy"
# A user that always exists, loaded as Frappe loads the real account to ask whether it needs a code
DECOY_USER = "Guest"
FAILURES_COUNTED_FLAG = "lnb_failed_sign_ins_counted"


class TooManySignInAttempts(frappe.RateLimitExceededError):
	http_status_code = 429


def keep_a_decoy_password() -> None:
	"""Install and migrate: the decoy's hash, of a random password no one ever knows."""
	auth = Table("__Auth")
	kept = (
		frappe.qb.from_(auth)
		.select(auth.name)
		.where((auth.doctype == "User") & (auth.name == DECOY_ACCOUNT) & (auth.fieldname == "password"))
	).run()
	if not kept:
		update_password(DECOY_ACCOUNT, frappe.generate_hash(length=32))


def sign_in_address() -> str:
	request = frappe.local.request
	return rate_limit_key(
		client_address(
			request.remote_addr,
			request.headers.getlist("X-Forwarded-For"),
			cint(frappe.conf.get(TRUSTED_PROXY_COUNT_KEY)),
		)
	)


def failures_key(address: str) -> str:
	return frappe.cache.make_key(f"rl:lnb-sign-in:{address}")


def failures_from_here() -> int:
	return cint(frappe.cache.get(failures_key(sign_in_address())))


def is_sign_in_request() -> bool:
	request = getattr(frappe.local, "request", None)
	return bool(request) and (request.path == "/api/method/login" or frappe.form_dict.get("cmd") == "login")


def note_failed_sign_in(doc, method: str | None = None) -> None:
	"""Activity Log before_insert: a failed password or code counts against its address; an unknown account
	costs what a real one does."""
	if doc.operation != "Login" or doc.status != "Failed" or not is_sign_in_request():
		return
	key = failures_key(sign_in_address())
	frappe.cache.set(key, 0, ex=WINDOW_MINUTES * 60, nx=True)
	frappe.cache.incrby(key, 1)
	frappe.flags[FAILURES_COUNTED_FLAG] = cint(frappe.flags.get(FAILURES_COUNTED_FLAG)) + 1
	if doc.subject == WRONG_CREDENTIALS and not frappe.db.exists("User", doc.user):
		check_as_for_a_real_account(frappe.form_dict.get("pwd") or "")


def check_as_for_a_real_account(password: str) -> None:
	"""What Frappe's LoginManager.authenticate does for an existing account with a wrong password."""
	try:
		check_password(DECOY_ACCOUNT, password, delete_tracker_cache=False)
	except frappe.AuthenticationError:
		pass
	should_run_2fa(DECOY_USER)
	get_login_attempt_tracker(DECOY_ACCOUNT, raise_locked_exception=False).add_failure_attempt()


def allowance_used() -> bool:
	"""The address had used up its failures before this request."""
	counted_now = cint(frappe.flags.get(FAILURES_COUNTED_FLAG))
	return failures_from_here() - counted_now >= FAILED_SIGN_INS_ALLOWED


def too_many_attempts_message() -> str:
	return _(
		"There have been too many unsuccessful sign-ins from your network. Please wait {0} minutes and "
		"try again. If you have forgotten your password, choose Forgot Password to set a new one."
	).format(WINDOW_MINUTES)


def refuse_when_too_many_attempts() -> None:
	"""Before a session opens from a sign-in: none from an address that has used up its allowance."""
	if is_sign_in_request() and allowance_used():
		raise TooManySignInAttempts(too_many_attempts_message())


def answer_too_many_attempts(response, request) -> None:
	"""after_request: past the allowance, every sign-in answer (wrong password, right password, code step)
	becomes the same refusal."""
	if response is None or not is_sign_in_request() or not allowance_used():
		return
	message = too_many_attempts_message()
	title = _("Please try again later")
	response.status_code = TooManySignInAttempts.http_status_code
	response.headers["Retry-After"] = str(WINDOW_MINUTES * 60)
	response.content_type = "application/json"
	response.set_data(
		json.dumps(
			{
				"exc_type": TooManySignInAttempts.__name__,
				"message": message,
				"_server_messages": json.dumps(
					[json.dumps({"message": message, "title": title, "indicator": "red"})]
				),
			}
		)
	)
