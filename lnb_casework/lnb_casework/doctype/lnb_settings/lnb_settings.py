import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, split_emails, validate_email_address

from lnb_casework.lnb_casework.doctype.reference_population_share.reference_population_share import (
	reference_share_problems,
)
from lnb_casework.setup.website import show_learn_not_blame_on_public_pages


class LNBSettings(Document):
	def validate(self) -> None:
		for address in self.coordinator_emails():
			if validate_email_address(address) != address:
				frappe.throw(
					_("{0} is not an email address. Give one address per line.").format(frappe.bold(address)),
					title=_("Coordinator alert recipients"),
				)
		if self.deadline_reminder_days and not reminder_days(self.deadline_reminder_days):
			frappe.throw(_("Give the reminder days as whole numbers separated by commas, e.g. 14, 7, 2."))
		if self.max_attachment_size_mb and self.max_attachment_size_mb > 10:
			frappe.throw(_("Files larger than 10 MB cannot be accepted through the form."))
		problems = reference_share_problems(self.reference_shares)
		if problems:
			frappe.throw(problems, title=_("Reference population shares"), as_list=True)

	def on_update(self) -> None:
		show_learn_not_blame_on_public_pages(self.contact_email)

	def coordinator_emails(self) -> list[str]:
		return split_emails((self.coordinator_alert_emails or "").replace("\n", ","))


def reminder_days(text: str) -> list[int]:
	"""[14, 7, 2] from "14, 7, 2"; empty when any part is not a whole number of days."""
	parts = [part.strip() for part in (text or "").split(",") if part.strip()]
	if not parts or not all(part.isdigit() for part in parts):
		return []
	return sorted({int(part) for part in parts}, reverse=True)


def get_lnb_settings() -> LNBSettings:
	return frappe.get_cached_doc("LNB Settings")


def contact_address() -> str:
	"""Where a doctor writes to Learn Not Blame, shown on the public pages."""
	return get_lnb_settings().contact_email


def stalled_after_days() -> int:
	return cint(frappe.db.get_single_value("LNB Settings", "stalled_after_days"))


def fill_in_defaults() -> None:
	"""Gives every setting that has no value the default its field declares in lnb_settings.json, the one
	place the defaults are written. Frappe shows them on a Single nobody has saved yet but stores none; this
	stores them, and on migrate fills in a setting added since. What a coordinator set (a 0 too) is kept."""
	stored = frappe.db.get_singles_dict("LNB Settings")
	missing = {
		field.fieldname: field.default
		for field in frappe.get_meta("LNB Settings").fields
		if field.default and stored.get(field.fieldname) in (None, "")
	}
	if missing:
		settings = frappe.get_single("LNB Settings")
		settings.update(missing)
		settings.save(ignore_permissions=True)
