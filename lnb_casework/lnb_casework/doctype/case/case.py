import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

from lnb_casework.intake.alerts import send_intake_emails
from lnb_casework.intake.equality import EQUALITY_QUESTIONS, case_field, record_equality_answers
from lnb_casework.intake.rules import (
	INTAKE_TABLES,
	changed_intake_answers,
	intake_problems,
	is_urgent,
)
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import get_lnb_settings

WEB_FORM = "Web form"
RECORDED_BY_COORDINATOR = "Recorded by coordinator"
ROLES_THAT_CORRECT_INTAKE = ("LNB Coordinator", "System Manager")


class IntakeInvalid(frappe.ValidationError):
	"""The doctor's answers break the intake rules; `field_problems` says which and why."""

	def __init__(self, field_problems: dict[str, str]):
		self.field_problems = field_problems
		super().__init__(_("Please check these answers: {0}").format("; ".join(field_problems.values())))


class Case(Document):
	def before_insert(self) -> None:
		self.record_consent()
		if is_urgent(self.wellbeing):
			self.priority = "Urgent"

	def validate(self) -> None:
		problems = intake_problems(self.as_dict(), self.select_choices(), consent_needed=self.is_new())
		if problems:
			raise_intake_problems(problems, self.meta)
		if not self.is_new():
			self.keep_intake_unless_corrected()

	def after_insert(self) -> None:
		if self.flags.from_intake_form:
			record_equality_answers(self)
		send_intake_emails(self)

	def on_trash(self) -> None:
		frappe.db.delete("Equality Monitoring", {"case": self.name})

	def record_consent(self) -> None:
		"""The server, never the browser, records what the doctor agreed to and when."""
		settings = get_lnb_settings()
		self.consent_source = WEB_FORM if self.flags.from_intake_form else RECORDED_BY_COORDINATOR
		self.consent_recorded_on = now_datetime()
		self.consent_version = settings.consent_version
		self.consent_wording = settings.consent_wording

	def select_choices(self) -> dict[str, list[str]]:
		choices = {
			df.fieldname: self.meta.get_options(df.fieldname).split("\n")
			for df in self.meta.get_select_fields()
		}
		equality = frappe.get_meta("Equality Monitoring")
		for question in EQUALITY_QUESTIONS:
			choices[case_field(question)] = equality.get_options(question).split("\n")
		for table in INTAKE_TABLES:
			child_meta = frappe.get_meta(self.meta.get_field(table).options)
			for df in child_meta.get_select_fields():
				choices[f"{table}.{df.fieldname}"] = child_meta.get_options(df.fieldname).split("\n")
		return choices

	def keep_intake_unless_corrected(self) -> None:
		before = self.get_doc_before_save()
		if not before:
			return
		if correction_rows(before) != correction_rows(self):
			frappe.throw(_("Earlier corrections cannot be changed or removed."), frappe.PermissionError)

		changed = changed_intake_answers(before.as_dict(), self.as_dict())
		if not changed:
			return
		if not set(ROLES_THAT_CORRECT_INTAKE) & set(frappe.get_roles()):
			frappe.throw(
				_(
					"What the doctor told us cannot be changed. A coordinator can correct it, giving a reason."
				),
				frappe.PermissionError,
			)
		reason = (self.get("intake_correction_reason") or "").strip()
		if not reason:
			frappe.throw(
				_("Please give a reason for correcting what the doctor told us."),
				title=_("Reason needed"),
			)
		self.append(
			"intake_corrections",
			{
				"corrected_on": now_datetime(),
				"corrected_by": frappe.session.user,
				"fields_changed": ", ".join(_(self.meta.get_label(field)) for field in changed),
				"reason": reason,
			},
		)


def correction_rows(case: Document) -> list[tuple[str, ...]]:
	fields = ("corrected_on", "corrected_by", "fields_changed", "reason")
	return [tuple(str(row.get(field) or "") for field in fields) for row in case.intake_corrections]


def raise_intake_problems(problems: dict[str, str], meta) -> None:
	"""Shows every problem at once, each named by its question, then refuses the save."""
	lines = "".join(
		f"<li><strong>{frappe.utils.escape_html(_(meta.get_label(field)))}</strong>: {message}</li>"
		for field, message in problems.items()
	)
	frappe.msgprint(f"<ul>{lines}</ul>", title=_("Please check your answers"), indicator="red", as_list=False)
	raise IntakeInvalid(problems)
