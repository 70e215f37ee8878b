import frappe
from frappe.model.document import Document

from lnb_casework.learning.workflows import move_problem


class SystemicIssue(Document):
	def validate(self) -> None:
		before = self.get_doc_before_save()
		problem = move_problem(before and before.workflow_state, self.workflow_state, self.as_dict())
		if problem:
			frappe.throw(problem)

	def on_trash(self) -> None:
		frappe.db.delete("Systemic Issue Evidence", {"systemic_issue": self.name})
		frappe.db.set_value(
			"Review Systemic Factor",
			{"systemic_issue": self.name},
			"systemic_issue",
			None,
			update_modified=False,
		)
