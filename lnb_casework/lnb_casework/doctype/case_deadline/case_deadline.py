from frappe.model.document import Document


class CaseDeadline(Document):
	pass
