"""The doctor's story, shown beside a review so the reviewer works from what the doctor told us.

Only what the doctor told us about what happened (and the state of the case) is sent, to a user who may
read the case; the doctor's contact details and equality answers stay on the case.
"""

import frappe
from frappe import _
from frappe.utils import getdate

from lnb_casework.permissions import may_read_case

STORY_FIELDS = (
	"name",
	"workflow_state",
	"grade",
	"specialty",
	"employer_name",
	"organisation",
	"what_happened",
	"discrimination",
	"wellbeing",
)


@frappe.whitelist()
def case_story(case: str) -> dict:
	"""What the doctor told us about the case: their account, processes, dates and discrimination."""
	if not (case and may_read_case(case) and frappe.db.exists("Case", case)):
		frappe.throw(_("You can only read the story of a case allocated to you."), frappe.PermissionError)
	doc = frappe.get_doc("Case", case)
	doc.check_permission("read")
	story = {field: doc.get(field) for field in STORY_FIELDS}
	story["received_on"] = getdate(doc.creation).isoformat()
	story["processes"] = [{"process": row.process_type, "details": row.details} for row in doc.processes]
	story["key_dates"] = [
		{"what": row.description, "date": row.date and getdate(row.date).isoformat()} for row in doc.key_dates
	]
	story["discrimination_kinds"] = [row.kind for row in doc.discrimination_kinds]
	return story
