from frappe.model.document import Document


class CaseStateChange(Document):
	pass
