from frappe.model.document import Document


class CaseKeyDate(Document):
	pass
