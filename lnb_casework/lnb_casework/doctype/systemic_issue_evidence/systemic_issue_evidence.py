import frappe
from frappe.model.document import Document

from lnb_casework.learning.summary import refresh_issue


class SystemicIssueEvidence(Document):
	def after_insert(self) -> None:
		"""However the evidence comes (promotion, the desk, REST or code), its issue's figures count it."""
		refresh_issue(self.systemic_issue)

	def after_delete(self) -> None:
		"""However the evidence goes (the desk, REST or code), its issue's figures are worked out again
		without it, and the review's factor stops naming the issue unless other evidence still links them."""
		factor = self.review_factor
		if (
			factor
			and frappe.db.get_value("Review Systemic Factor", factor, "systemic_issue") == self.systemic_issue
			and not frappe.db.exists(
				"Systemic Issue Evidence", {"systemic_issue": self.systemic_issue, "review_factor": factor}
			)
		):
			frappe.db.set_value(
				"Review Systemic Factor", factor, "systemic_issue", None, update_modified=False
			)
		refresh_issue(self.systemic_issue)
