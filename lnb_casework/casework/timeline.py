"""The case form tells the whole story in one place: Frappe's timeline shows emails, comments and
changes; this adds the case's reviews and its moves from state to state."""

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
	for change in frappe.get_list(
		"Case State Change",
		filters={"case": docname},
		fields=["from_state", "to_state", "changed_by", "changed_on", "note"],
	):
		if not change.from_state:
			continue
		content = _("{0} moved the case from {1} to {2}").format(
			escape_html(change.changed_by), escape_html(_(change.from_state)), escape_html(_(change.to_state))
		)
		if change.note:
			content += ": " + escape_html(change.note)
		items.append({"icon": "arrow-right", "creation": change.changed_on, "content": content})
	return items
