from frappe.model.document import Document


class AdvocacyActionIssue(Document):
	pass
