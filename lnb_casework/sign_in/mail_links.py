"""The mail the sign-in page sends (a password reset link, a sign-in link), sent by a background job once the
request has committed, so the request does the same work and gives the same answer whatever the address
(docs/two-factor.md). A job has no request, so its links are built from the site's `host_name`, never from
the Host a client sent."""

import frappe
from frappe.core.doctype.user.user import reset_password as frappe_reset_password
from frappe.twofactor import should_run_2fa
from frappe.www.login import send_login_link as frappe_send_login_link

RESET_LINK_JOB = "lnb_casework.sign_in.mail_links.send_reset_link"
SIGN_IN_LINK_JOB = "lnb_casework.sign_in.mail_links.send_sign_in_link"


def queue(job: str, address: str) -> None:
	frappe.enqueue(job, queue="short", enqueue_after_commit=True, address=address)


def send_reset_link(address: str) -> None:
	"""Frappe's own reset: the link to the account's email, if an enabled account (not Administrator) has
	that address; nothing otherwise."""
	frappe_reset_password(address)


def may_sign_in_by_mail(user_type: str | None, asks_for_code: bool) -> bool:
	"""A link alone opens a session only for a website account whose roles ask for no code; never a desk."""
	return user_type == "Website User" and not asks_for_code


def send_sign_in_link(address: str) -> None:
	user = frappe.db.get_value("User", {"name": address, "enabled": 1}, ["name", "user_type"], as_dict=True)
	if user and may_sign_in_by_mail(user.user_type, should_run_2fa(user.name)):
		frappe_send_login_link(user.name)
