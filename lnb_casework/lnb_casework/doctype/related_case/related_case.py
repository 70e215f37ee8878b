from frappe.model.document import Document


class RelatedCase(Document):
	pass
