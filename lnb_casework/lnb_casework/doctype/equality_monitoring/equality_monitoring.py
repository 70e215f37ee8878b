import frappe
from frappe import _
from frappe.model.document import Document


class EqualityMonitoring(Document):
	def validate(self) -> None:
		if not self.is_new():
			frappe.throw(_("Equality monitoring answers are kept exactly as the doctor gave them."))
