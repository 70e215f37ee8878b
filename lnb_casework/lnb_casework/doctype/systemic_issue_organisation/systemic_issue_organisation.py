from frappe.model.document import Document


class SystemicIssueOrganisation(Document):
	pass
