from frappe.model.document import Document


class SystemicIssueSEIPSComponent(Document):
	pass
