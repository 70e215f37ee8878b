from frappe.model.document import Document


class ReviewSystemicFactor(Document):
	pass
