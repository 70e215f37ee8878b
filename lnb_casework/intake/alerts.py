"""The emails and notifications a new case sends: an acknowledgement to the doctor, alerts to coordinators
and, for an urgent case, a bell notification to each coordinator who has an account.

None carries anything the doctor told us: the doctor's own copy names only the reference, and the
coordinators' alerts and notifications only the reference, the state (or that it is urgent) and a link.
"""

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import make_notification_logs
from frappe.model.document import Document
from frappe.utils import get_url_to_form

from lnb_casework.alerts.recipients import accounts_among
from lnb_casework.alerts.sending import coordinator_users, coordinators
from lnb_casework.intake.rules import is_urgent
from lnb_casework.mail import queue_email

URGENT_ALERT_QUEUED = "lnb_urgent_alert_queued"


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
	case.flags[URGENT_ALERT_QUEUED] = False
	if not recipients:
		return
	alert = {"reference": case.name, "state": case.workflow_state, "link": get_url_to_form("Case", case.name)}
	queue_email(
		recipients, _("New case {0}").format(case.name), "lnb_new_case_alert", alert, "Case", case.name
	)
	if is_urgent(case.wellbeing):
		subject = _("Urgent: case {0} needs support now").format(case.name)
		queued = queue_email(
			recipients, subject, "lnb_urgent_case_alert", alert, "Case", case.name, urgent=True
		)
		case.flags[URGENT_ALERT_QUEUED] = bool(queued)
		notify_in_the_desk(case.name, subject, accounts_among(recipients, coordinator_users()))


def urgent_alert_queued(case: Document) -> bool:
	"""Whether inserting this case queued an urgent alert to at least one coordinator.

	For the doctor's confirmation: True only when the alert is in the Email Queue (an urgent one is sent
	as the submission commits; if the mail server is down it waits there and is retried). False for a
	case that is not urgent, or when there was nobody to alert or the alert could not be queued.
	"""
	return bool(case.flags.get(URGENT_ALERT_QUEUED))


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
