"""The emails a new case sends: an acknowledgement to the doctor and alerts to coordinators.

None carries anything the doctor told us: the doctor's own copy names only the reference, and the
coordinators' alerts only the reference, the state and a link.
"""

from frappe import _
from frappe.utils import get_url_to_form

from lnb_casework.intake.rules import is_urgent
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import get_lnb_settings
from lnb_casework.mail import queue_email


def send_intake_emails(case) -> None:
	queue_email(
		[case.email],
		_("Learn Not Blame: we have received your case {0}").format(case.name),
		"lnb_case_received",
		{"reference": case.name},
		"Case",
		case.name,
	)
	coordinators = get_lnb_settings().coordinator_emails()
	if not coordinators:
		return
	alert = {"reference": case.name, "state": case.workflow_state, "link": get_url_to_form("Case", case.name)}
	queue_email(
		coordinators, _("New case {0}").format(case.name), "lnb_new_case_alert", alert, "Case", case.name
	)
	if is_urgent(case.wellbeing):
		queue_email(
			coordinators,
			_("Urgent: case {0} needs support now").format(case.name),
			"lnb_urgent_case_alert",
			alert,
			"Case",
			case.name,
			urgent=True,
		)
