from frappe.model.document import Document


class SystemicIssueEvidence(Document):
	pass
