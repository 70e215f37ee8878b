from frappe.model.document import Document

from lnb_casework.learning.workflows import refuse_incomplete_move


class AdvocacyAction(Document):
	def validate(self) -> None:
		refuse_incomplete_move(self)
