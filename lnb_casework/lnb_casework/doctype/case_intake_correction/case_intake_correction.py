from frappe.model.document import Document


class CaseIntakeCorrection(Document):
	pass
