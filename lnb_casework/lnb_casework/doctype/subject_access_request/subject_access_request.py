import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today

from lnb_casework.data_protection.subject_access_rules import subject_access_due_by

ARCHIVE_JOB = "lnb_casework.data_protection.subject_access.build_subject_access_archive"


class SubjectAccessRequest(Document):
	def validate(self) -> None:
		self.email = (self.email or "").strip() or None
		self.gmc_number = (self.gmc_number or "").strip() or None
		if not self.email and not self.gmc_number:
			frappe.throw(_("Give the doctor's email address or GMC number, or both."), title=_("Who asked?"))
		if getdate(self.received_on) > getdate(today()):
			frappe.throw(_("A request cannot have been received after today."), title=_("Received on"))
		self.due_by = subject_access_due_by(getdate(self.received_on))

	def before_insert(self) -> None:
		# the answer is the job's to write, whatever the request sent
		self.update(
			{
				"status": "Queued",
				"requested_by": frappe.session.user,
				"archive": None,
				"cases_found": None,
				"completed_on": None,
				"failure": None,
			}
		)

	def after_insert(self) -> None:
		frappe.enqueue(ARCHIVE_JOB, queue="long", request=self.name, enqueue_after_commit=True)
