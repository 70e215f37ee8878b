from frappe.model.document import Document


class CaseworkerOrganisation(Document):
	pass
