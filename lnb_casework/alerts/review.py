"""A review's moves that someone must act on: submitted (to the coordinators) and returned (to the
caseworker). Sent through the app's mail path rather than a Notification, whose failure to queue would
undo the reviewer's action."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_url_to_form

from lnb_casework.alerts.sending import coordinators, send_alert
from lnb_casework.review.workflow import SUBMITTED_FOR_APPROVAL, is_return


def send_review_alerts(review: Document, state_before: str | None) -> None:
	if state_before == review.workflow_state:
		return
	args = {
		"reference": review.case,
		"state": review.workflow_state,
		"facts": [(_("Review"), review.name)],
		"link": get_url_to_form("Review", review.name),
		"link_label": _("Open the review"),
	}
	if review.workflow_state == SUBMITTED_FOR_APPROVAL:
		send_alert(
			coordinators(),
			_("Review of case {0} submitted for approval").format(review.case),
			{**args, "message": _("A review has been submitted for your approval.")},
			"Review",
			review.name,
		)
	elif is_return(state_before, review.workflow_state):
		caseworker = frappe.db.get_value("Case", review.case, "caseworker")
		send_alert(
			[caseworker or review.owner],
			_("Review of case {0} returned to you").format(review.case),
			{**args, "message": _("A coordinator has returned this review to you with comments.")},
			"Review",
			review.name,
		)
