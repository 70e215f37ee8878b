import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, split_emails, validate_email_address

from lnb_casework.lnb_casework.doctype.reference_population_share.reference_population_share import (
	reference_share_problems,
)
from lnb_casework.setup.website import show_learn_not_blame_on_public_pages

DEFAULT_CONSENT_VERSION = "2026-1"
DEFAULT_CONTACT_EMAIL = "learnnotblame@dauk.org"
DEFAULT_STALLED_AFTER_DAYS = 21
DEFAULT_CONSENT_WORDING = (
	"I give my explicit consent for Learn Not Blame (the Doctors' Association UK) to hold and use what I "
	"tell in this form, including information about my health, my ethnicity and other protected "
	"characteristics, discrimination, and disciplinary, regulatory or legal processes, so that volunteer "
	"doctors can review my case and support me. Only the Learn Not Blame casework team sees my name and "
	"contact details. What is learned from cases is shared only in anonymous form. I can withdraw my "
	"consent at any time by emailing Learn Not Blame."
)
DEFAULT_SIGNPOSTING = (
	"If you are in immediate danger or might act on thoughts of harming yourself, call 999 or go to A&E.\n"
	"Samaritans, any time, day or night: call 116 123 (free).\n"
	"NHS 111: call 111 and choose the mental health option.\n"
	"NHS Practitioner Health, free and confidential care for doctors: practitionerhealth.nhs.uk.\n"
	"BMA wellbeing support, for all doctors and medical students: 0330 123 1245."
)


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
		show_learn_not_blame_on_public_pages(self.contact_email or DEFAULT_CONTACT_EMAIL)

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
	return get_lnb_settings().contact_email or DEFAULT_CONTACT_EMAIL


def stalled_after_days() -> int:
	return (
		cint(frappe.db.get_single_value("LNB Settings", "stalled_after_days")) or DEFAULT_STALLED_AFTER_DAYS
	)


def fill_in_defaults() -> None:
	"""Gives a new site working consent wording and signposting; never overwrites what a coordinator wrote."""
	settings = frappe.get_single("LNB Settings")
	defaults = {
		"intake_rate_limit": 5,
		"small_number_threshold": 5,
		"stalled_after_days": DEFAULT_STALLED_AFTER_DAYS,
		"deadline_reminder_days": "14, 7, 2",
		"tribunal_limit_months": 3,
		"exclusion_review_weeks": 4,
		"retention_months": 72,
		"digest_day": "Monday",
		"max_attachments": 5,
		"max_attachment_size_mb": 5,
		"contact_email": DEFAULT_CONTACT_EMAIL,
		"consent_version": DEFAULT_CONSENT_VERSION,
		"consent_wording": DEFAULT_CONSENT_WORDING,
		"urgent_signposting": DEFAULT_SIGNPOSTING,
	}
	missing = {field: value for field, value in defaults.items() if not settings.get(field)}
	if missing:
		settings.update(missing)
		settings.save(ignore_permissions=True)
