from frappe.model.document import Document


class CaseProcess(Document):
	pass
