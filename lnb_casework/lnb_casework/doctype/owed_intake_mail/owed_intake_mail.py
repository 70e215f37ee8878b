from frappe.model.document import Document


class OwedIntakeMail(Document):
	pass
