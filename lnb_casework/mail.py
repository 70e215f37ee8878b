"""Mail that can never undo the work that sent it, through Frappe's public mail API only.

Each message is queued with `frappe.sendmail` in the Email Queue, inside a savepoint: if queueing fails the
savepoint is rolled back and the caller's work (a doctor's submission, a move in the workflow) goes on.
Frappe needs an outgoing Email Account to build a message at all, so on a site with none nothing can be
queued: as Frappe does for its own mail then, the message is dropped and the reason logged. Each message
that could not be queued is listed for coordinators in the LNB Alert Log ("Mail not sent"); a scheduled
alert is tried again at its next run, since it is only remembered as sent once it was queued.

Queued mail is sent by the scheduler's flush of the Email Queue. An urgent message is sent at once, as
soon as the caller's transaction commits, the way the flush sends each row (`send` on the Email Queue
document); if the mail server is down it stays in the queue, Frappe records the error on it, the flush
tries it again, and the coordinators see it in the LNB Alert Log.
"""

import hashlib
from collections.abc import Sequence
from functools import partial

import frappe
from frappe import _

URGENT_PRIORITY = 10
NORMAL_PRIORITY = 1
MAIL_NOT_SENT = "Mail not sent"


def queue_email(
	recipients: Sequence[str],
	subject: str,
	template: str,
	args: dict,
	reference_doctype: str,
	reference_name: str,
	*,
	urgent: bool = False,
) -> str | None:
	"""Queues one email and returns its Email Queue name, or None when nothing was queued (then the reason
	is in the LNB Alert Log, and any traceback in the Error Log). Never raises.

	An urgent email is sent as soon as the transaction commits, not at the scheduler's next flush.
	"""
	savepoint = "lnb_queue_email"
	frappe.db.savepoint(savepoint)
	try:
		queued = frappe.sendmail(
			recipients=list(recipients),
			subject=subject,
			template=template,
			args=args,
			reference_doctype=reference_doctype,
			reference_name=reference_name,
			send_priority=URGENT_PRIORITY if urgent else NORMAL_PRIORITY,
			delayed=True,
		)
	except frappe.OutgoingEmailError:
		# no outgoing Email Account: the site's set-up, not the user's problem, so not shown to them
		frappe.db.rollback(save_point=savepoint)
		frappe.clear_last_message()
		record_mail_not_sent(
			_("No outgoing Email Account is set up"), subject, reference_doctype, reference_name
		)
		return None
	except Exception:
		frappe.db.rollback(save_point=savepoint)
		frappe.log_error(
			title="Learn Not Blame: an email could not be queued",
			reference_doctype=reference_doctype,
			reference_name=reference_name,
		)
		record_mail_not_sent(
			_("It could not be queued (see the Error Log)"), subject, reference_doctype, reference_name
		)
		return None

	if not queued:
		# Frappe leaves out unsubscribed recipients and logs an address it cannot use in the Error Log
		record_mail_not_sent(
			_("Nobody to send it to: unsubscribed or not a valid address"),
			subject,
			reference_doctype,
			reference_name,
		)
		return None
	if urgent:
		frappe.db.after_commit.add(partial(send_now, queued.name, subject, reference_doctype, reference_name))
	return queued.name


def send_now(queue_name: str, subject: str, reference_doctype: str, reference_name: str) -> None:
	"""Sends one queued email now, as the scheduler's flush sends each row of the Email Queue.

	Runs after the caller's transaction has committed, so a failure here cannot undo it: Frappe keeps the
	email in the queue with the error and the flush retries it; the coordinators are told in the LNB Alert
	Log.
	"""
	try:
		frappe.get_doc("Email Queue", queue_name).send()
	except Exception:
		# the same catch as Frappe's flush, which logs a failed row and goes on; Frappe has already
		# written the error and the retry count on the Email Queue row and committed them
		record_mail_not_sent(
			_("Not sent at once, the mail server failed; it is retried from the Email Queue"),
			subject,
			reference_doctype,
			reference_name,
			email_queue=queue_name,
		)
		frappe.db.commit()


def record_mail_not_sent(
	reason: str,
	subject: str,
	reference_doctype: str,
	reference_name: str,
	*,
	email_queue: str | None = None,
) -> None:
	"""Lists an email that was not sent in the LNB Alert Log, where coordinators look; once per email and
	reason, so an alert that fails at every scheduled run is listed once."""
	detail = f"{reason}: {subject}"
	key = (
		"mail-not-sent:"
		+ hashlib.sha256(
			"\n".join((reference_doctype or "", reference_name or "", detail, email_queue or "")).encode()
		).hexdigest()
	)
	if frappe.db.exists("LNB Alert Log", {"key": key}):
		return
	savepoint = "lnb_mail_not_sent"
	frappe.db.savepoint(savepoint)
	try:
		frappe.get_doc(
			{
				"doctype": "LNB Alert Log",
				"alert": MAIL_NOT_SENT,
				"key": key,
				"reference_doctype": reference_doctype,
				"reference_name": reference_name,
				"detail": detail[:140],
				"email_queue": email_queue,
			}
		).insert(ignore_permissions=True)
	except Exception:
		# not even the list could be written: the Error Log keeps it, and the caller's work goes on
		frappe.db.rollback(save_point=savepoint)
		frappe.log_error(
			title=f"Learn Not Blame: an email was not sent ({detail})",
			reference_doctype=reference_doctype,
			reference_name=reference_name,
		)
