"""The emails and notifications a new case sends: an acknowledgement to the doctor, alerts to coordinators
and, for an urgent case, a bell notification to each coordinator who has an account.

None carries anything the doctor told us: the doctor's own copy names only the reference, and the
coordinators' alerts and notifications only the reference, the state (or that it is urgent) and a link.

They are made off the doctor's request (docs/intake-mail.md). The case is saved with an Owed Intake Mail
row, in the same transaction; once that commits a background job links the case to its possible duplicates
(casework/related.py), renders and queues the mail and takes the row away, in one transaction of its own,
whose commit sends an urgent alert at once. A sweep every few minutes (hooks.py) does the same for every
row still there, so a job that never ran (Redis down as the case was saved, a worker that stopped) loses
nothing. The doctor's request so does the same work whatever the email or GMC number they gave.
"""

from functools import partial

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import make_notification_logs
from frappe.email.doctype.email_account.email_account import EmailAccount
from frappe.model.document import Document
from frappe.utils import get_url_to_form

from lnb_casework.alerts.recipients import accounts_among
from lnb_casework.alerts.sending import coordinator_users, coordinators
from lnb_casework.casework.related import link_possible_duplicates
from lnb_casework.intake.rules import is_urgent
from lnb_casework.mail import queue_email

OWED = "Owed Intake Mail"
SENDING_JOB = "lnb_casework.intake.alerts.send_owed_intake_mail"


def owe_intake_mail(case: Document) -> None:
	"""As a new case is inserted: its mail (and the linking of its possible duplicates) is owed from the
	case's own transaction, and a job does it once that commits. While Frappe's mail is muted (the demo
	generator works so), both are done at once instead, as Frappe queues all mail then, for whoever muted it
	to deal with: a worker would send it."""
	if frappe.are_emails_muted():
		if link_possible_duplicates(case.name):
			# the links were saved to the stored case: the caller's copy goes on from that
			case.reload()
		send_intake_emails(case)
		return
	frappe.get_doc({"doctype": OWED, "case": case.name}).insert(ignore_permissions=True)
	frappe.db.after_commit.add(partial(start_sending, case.name))


def start_sending(case: str) -> None:
	"""Queues the job that sends the case's mail, after the case has committed. Not with Frappe's
	enqueue_after_commit, which reaches Redis before the commit, so that Redis being down would undo the
	doctor's submission: here the failure is logged and the sweep sends the mail."""
	try:
		frappe.enqueue(SENDING_JOB, queue="short", case=case)
	except Exception:
		frappe.log_error(
			title="Learn Not Blame: the job sending a new case's mail could not be queued",
			reference_doctype="Case",
			reference_name=case,
		)
		frappe.db.commit()


def send_owed_intake_mail(case: str) -> None:
	"""The background job: if the case's Owed Intake Mail row is still there, links the case to its possible
	duplicates, queues its mail and takes the row away, in the caller's transaction (the job's commit, or the
	sweep's, sends an urgent alert at once). The row is locked as it is read, so a job and the sweep never
	both do one case's work."""
	if not frappe.db.get_value(OWED, case, "name", for_update=True):
		return
	if frappe.db.exists("Case", case):
		link_possible_duplicates(case)
		send_intake_emails(frappe.get_doc("Case", case))
	frappe.db.delete(OWED, {"name": case})


def send_intake_mail_still_owed() -> None:
	"""Every few minutes (hooks.py): the work still owed (possible duplicates, mail), each case's in a
	transaction of its own, so one that fails does not hold back the others (it is logged, and tried again
	at the next run)."""
	for case in frappe.get_all(OWED, pluck="name", order_by="creation asc"):
		try:
			send_owed_intake_mail(case)
			frappe.db.commit()
		except Exception:
			frappe.db.rollback()
			frappe.log_error(
				title="Learn Not Blame: a new case's mail could not be sent",
				reference_doctype="Case",
				reference_name=case,
			)
			frappe.db.commit()


def send_intake_emails(case: Document) -> None:
	queue_email(
		[case.email],
		_("Learn Not Blame: we have received your case {0}").format(case.name),
		"lnb_case_received",
		{"reference": case.name},
		"Case",
		case.name,
	)
	recipients = coordinators()
	if not recipients:
		return
	alert = {"reference": case.name, "state": case.workflow_state, "link": get_url_to_form("Case", case.name)}
	queue_email(
		recipients, _("New case {0}").format(case.name), "lnb_new_case_alert", alert, "Case", case.name
	)
	if is_urgent(case.wellbeing):
		subject = _("Urgent: case {0} needs support now").format(case.name)
		queue_email(recipients, subject, "lnb_urgent_case_alert", alert, "Case", case.name, urgent=True)
		notify_in_the_desk(case.name, subject, accounts_among(recipients, coordinator_users()))


def coordinator_being_alerted(case: Document) -> bool:
	"""For the doctor's confirmation, as their case is saved: whether an urgent alert is on its way to a
	coordinator. True for an urgent case when there is a coordinator to alert and the site can send mail (an
	outgoing Email Account): the case's job queues the alert moments later and sends it at once (the sweep
	within minutes if the job never runs). False for a case that is not urgent, or when nobody can be told
	by mail."""
	return (
		is_urgent(case.wellbeing)
		and bool(coordinators())
		and bool(EmailAccount.find_outgoing(match_by_doctype="Case"))
	)


def notify_in_the_desk(reference: str, subject: str, users: list[str]) -> None:
	"""A bell notification for each user, linking to the case; a failure is logged, never raised, so it
	cannot undo the doctor's submission."""
	if not users:
		return
	savepoint = "lnb_notify_coordinators"
	frappe.db.savepoint(savepoint)
	try:
		make_notification_logs(
			frappe._dict(
				{"type": "Alert", "document_type": "Case", "document_name": reference, "subject": subject}
			),
			users,
		)
	except Exception:
		frappe.db.rollback(save_point=savepoint)
		frappe.log_error(
			title="Learn Not Blame: coordinators could not be notified in the desk",
			reference_doctype="Case",
			reference_name=reference,
		)
