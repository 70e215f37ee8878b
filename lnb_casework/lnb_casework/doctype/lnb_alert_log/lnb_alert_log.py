from frappe.model.document import Document


class LNBAlertLog(Document):
	pass
