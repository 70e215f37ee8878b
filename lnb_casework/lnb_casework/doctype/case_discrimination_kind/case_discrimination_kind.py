from frappe.model.document import Document


class CaseDiscriminationKind(Document):
	pass
