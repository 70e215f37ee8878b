import frappe
from frappe.model.document import Document

from lnb_casework.learning.workflows import refuse_incomplete_move


class SystemicIssue(Document):
	def validate(self) -> None:
		refuse_incomplete_move(self)

	def on_trash(self) -> None:
		frappe.db.delete("Systemic Issue Evidence", {"systemic_issue": self.name})
		frappe.db.set_value(
			"Review Systemic Factor",
			{"systemic_issue": self.name},
			"systemic_issue",
			None,
			update_modified=False,
		)
