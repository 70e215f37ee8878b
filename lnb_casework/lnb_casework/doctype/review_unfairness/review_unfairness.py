from frappe.model.document import Document


class ReviewUnfairness(Document):
	pass
