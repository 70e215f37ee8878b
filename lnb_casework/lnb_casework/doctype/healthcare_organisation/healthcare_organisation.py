import re

import frappe
from frappe import _
from frappe.model.document import Document

ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")


class HealthcareOrganisation(Document):
	def validate(self) -> None:
		self.organisation_name = (self.organisation_name or "").strip()
		if self.ods_code:
			self.ods_code = self.ods_code.strip().upper()
			if not ODS_CODE.match(self.ods_code):
				frappe.throw(_("An ODS code has 3 to 10 letters and digits, e.g. RJ1."), title=_("ODS code"))
