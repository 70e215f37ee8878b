from frappe.model.document import Document


class ReviewProceduralFailure(Document):
	pass
