"""The case form tells the whole story in one place: Frappe's timeline shows emails, comments, changes and
each move from state to state (once, as the workflow's own entry); this adds the case's reviews."""

import frappe
from frappe import _
from frappe.utils import escape_html, get_url_to_form


def case_timeline(doctype: str, docname: str) -> list[dict]:
	"""additional_timeline_content hook for Case."""
	items = []
	for review in frappe.get_list(
		"Review",
		filters={"case": docname},
		fields=["name", "workflow_state", "creation", "modified", "owner"],
	):
		link = f'<a href="{get_url_to_form("Review", review.name)}">{escape_html(review.name)}</a>'
		items.append(
			{
				"icon": "file",
				"creation": review.creation,
				"content": _("Review {0} started by {1}; now {2}").format(
					link, escape_html(review.owner), escape_html(_(review.workflow_state or "Draft"))
				),
			}
		)
	return items
