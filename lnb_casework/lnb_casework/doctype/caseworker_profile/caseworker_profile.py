import frappe
from frappe import _
from frappe.model.document import Document

from lnb_casework.casework.rules import CASEWORKER


class CaseworkerProfile(Document):
	def validate(self) -> None:
		if CASEWORKER not in frappe.get_roles(self.user):
			frappe.throw(_("{0} does not have the LNB Caseworker role.").format(self.user))
