"""Queueing mail so that a mail problem can never undo the work that sent it.

`frappe.sendmail` raises when no outgoing Email Account exists, and an exception rolls back the caller's
transaction: a doctor's submission would be lost. Here mail is queued inside a savepoint; with no
outgoing account it is still written to the Email Queue (it waits there, unsent, until an account
exists and the scheduler flushes the queue), and any other failure is logged, never raised.
"""

from collections.abc import Sequence
from contextlib import contextmanager

import frappe
from frappe.email.doctype.email_queue.email_queue import EmailQueue

URGENT_PRIORITY = 10


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
	"""Queues one email and returns its Email Queue name, or None (logged) when it could not be queued.

	An urgent email is sent as soon as the transaction commits, not at the scheduler's next flush.
	"""
	mail = {
		"recipients": list(recipients),
		"subject": subject,
		"template": template,
		"args": args,
		"reference_doctype": reference_doctype,
		"reference_name": reference_name,
		"send_priority": URGENT_PRIORITY if urgent else 1,
		"delayed": True,
	}
	savepoint = "lnb_queue_email"
	frappe.db.savepoint(savepoint)
	messages_before = len(frappe.local.message_log)
	try:
		try:
			queued = frappe.sendmail(**mail)
		except frappe.OutgoingEmailError:
			frappe.db.rollback(save_point=savepoint)
			forget_messages_since(messages_before)
			with without_outgoing_account() as sender:
				queued = frappe.sendmail(sender=sender, **mail)
	except Exception:
		frappe.db.rollback(save_point=savepoint)
		forget_messages_since(messages_before)
		frappe.log_error(
			title="Learn Not Blame: an email could not be queued",
			reference_doctype=reference_doctype,
			reference_name=reference_name,
		)
		return None

	queue_name = queued.name if queued else None
	if urgent and queue_name:
		frappe.db.after_commit.add(lambda: send_queued_email(queue_name))
	return queue_name


def forget_messages_since(count: int) -> None:
	"""Drops what Frappe told the user about a mail failure: it is the site's problem, not theirs."""
	del frappe.local.message_log[count:]


@contextmanager
def without_outgoing_account():
	"""Lets Frappe queue a message although no outgoing account exists yet; yields the sender to use.

	Muting mail while queueing makes Frappe build the message with a placeholder account instead of
	raising; the Email Queue row keeps no account, so it is sent through the default outgoing account
	once one exists.
	"""
	was_muted = frappe.flags.mute_emails
	cached_accounts = dict(getattr(frappe.local, "outgoing_email_account", {}))
	frappe.flags.mute_emails = True
	try:
		yield frappe.conf.get("auto_email_id") or f"noreply@{frappe.local.site}"
	finally:
		frappe.flags.mute_emails = was_muted
		# Frappe caches the placeholder for the rest of the request; later mail must not use it
		frappe.local.outgoing_email_account = cached_accounts


def send_queued_email(queue_name: str) -> None:
	"""Sends one queued email now; on failure it stays in the queue for the scheduler to retry."""
	try:
		# not frappe's send_now: it checks the session user's permission, and a guest submitted this
		queued = EmailQueue.find(queue_name)
		if queued:
			queued.send()
	except Exception:
		frappe.log_error(
			title="Learn Not Blame: an urgent email could not be sent at once; it waits in the queue",
			reference_doctype="Email Queue",
			reference_name=queue_name,
		)
