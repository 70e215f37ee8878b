"""A doctor's erasure request: one coordinator asks, with a reason; a different coordinator confirms, and
only the confirmation erases (docs/erasure-and-retention.md). Nothing else about a request is ever edited."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

from lnb_casework.data_protection.erasure import ERASURE_ON_REQUEST, anonymise_cases
from lnb_casework.data_protection.held_records import cases_held_about

AWAITING_CONFIRMATION = "Awaiting confirmation"
DONE = "Done"
WITHDRAWN = "Withdrawn"
# more cases than this are erased by a background job, with its progress shown on the request
CASES_ERASED_IN_THE_REQUEST = 20


class ErasureRequest(Document):
	def before_insert(self) -> None:
		self.email = (self.email or "").strip() or None
		self.gmc_number = (self.gmc_number or "").strip() or None
		self.reason = (self.reason or "").strip()
		if not self.email and not self.gmc_number:
			frappe.throw(_("Give the doctor's email address or GMC number."))
		if not self.reason:
			frappe.throw(_("Give the reason for erasing the doctor's data."))
		found = cases_held_about(self.email, self.gmc_number)
		if not found:
			frappe.throw(_("No case holds this email address or GMC number."))
		self.cases = "\n".join(found)
		self.status = AWAITING_CONFIRMATION
		self.grounds = ERASURE_ON_REQUEST
		self.requested_by = frappe.session.user
		self.requested_on = now_datetime()
		self.confirmed_by = None
		self.done_on = None

	def validate(self) -> None:
		if not self.is_new() and not self.flags.moving_on:
			frappe.throw(
				_("An erasure request is not edited: a second coordinator confirms it, or it is withdrawn."),
				frappe.PermissionError,
			)

	def case_list(self) -> list[str]:
		return [case for case in (self.cases or "").split("\n") if case]

	@frappe.whitelist()
	def confirm(self) -> None:
		"""A coordinator other than the one who asked confirms; then the cases are anonymised. Whatever
		document object this runs on, who asked, the status and the cases are the stored request's."""
		request = self.stored_request()
		if frappe.session.user == request.requested_by:
			frappe.throw(
				_("A different coordinator must confirm an erasure you asked for."), frappe.PermissionError
			)
		cases = list(dict.fromkeys(request.case_list() + cases_held_about(request.email, request.gmc_number)))
		request.flags.moving_on = True
		request.cases = "\n".join(cases)
		request.confirmed_by = frappe.session.user
		request.save()
		self.reload()
		frappe.enqueue(
			erase,
			request=request.name,
			queue="long",
			now=len(cases) <= CASES_ERASED_IN_THE_REQUEST,
			enqueue_after_commit=True,
		)

	@frappe.whitelist()
	def withdraw(self) -> None:
		request = self.stored_request()
		request.flags.moving_on = True
		request.status = WITHDRAWN
		request.email = request.gmc_number = None
		request.save()
		self.reload()

	def stored_request(self) -> "ErasureRequest":
		"""The request as stored, locked until the transaction ends (so two confirmations cannot both pass),
		once the user is found to be able to act on it while it still awaits confirmation."""
		if self.is_new() or not frappe.db.exists("Erasure Request", self.name):
			frappe.throw(_("This request is no longer awaiting confirmation."))
		request = frappe.get_doc("Erasure Request", self.name, for_update=True)
		request.check_permission("write")
		if request.status != AWAITING_CONFIRMATION or request.confirmed_by:
			frappe.throw(_("This request is no longer awaiting confirmation."))
		return request


def erase(request: str) -> None:
	"""Anonymises the request's cases and records it done, keeping no identifier of the doctor."""
	doc = frappe.get_doc("Erasure Request", request)
	try:
		anonymise_cases(doc.case_list(), ERASURE_ON_REQUEST, doc.name)
	except Exception:
		# nothing was erased: the request awaits a confirmation again, even when this ran as a job after the
		# confirmation was committed
		frappe.db.rollback()
		frappe.db.set_value("Erasure Request", request, "confirmed_by", None)
		frappe.log_error(title=_("Erasure Request {0} was not carried out").format(request))
		frappe.db.commit()
		raise
	doc.reload()
	doc.flags.moving_on = True
	doc.status = DONE
	doc.done_on = now_datetime()
	doc.email = doc.gmc_number = None
	doc.save(ignore_permissions=True)
	doc.notify_update()
