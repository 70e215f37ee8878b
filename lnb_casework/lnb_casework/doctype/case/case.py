import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime, nowdate

from lnb_casework.casework.allocation import allocation_problems, caseworker_load, sync_assignment
from lnb_casework.casework.related import mirror_new_case, mirror_related_cases
from lnb_casework.casework.rules import (
	CASEWORK_FIELDS,
	CASEWORK_TABLES,
	CASEWORKER,
	CONTROL_FIELDS,
	ENDED_STATES,
	OPEN_STATES,
	REFERRED_ON,
	URGENT,
	WITHDRAWN,
	action_between,
	edit_problem,
	read_only_fields,
	transition_problems,
)
from lnb_casework.deadlines.case_deadlines import check_deadline_dates, refresh_computed_deadlines
from lnb_casework.intake.alerts import OWED, owe_intake_mail
from lnb_casework.intake.equality import EQUALITY_QUESTIONS, case_field, record_equality_answers
from lnb_casework.intake.plain_text import plain_text
from lnb_casework.intake.rules import (
	DOCTOR_TEXT_COLUMNS,
	DOCTOR_TEXT_FIELDS,
	INTAKE_FIELDS,
	INTAKE_TABLES,
	changed_answers,
	intake_problems,
	is_urgent,
)
from lnb_casework.learning.summary import refresh_issues_of_case
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import get_lnb_settings
from lnb_casework.permissions import may_read_case

WEB_FORM = "Web form"
RECORDED_BY_COORDINATOR = "Recorded by coordinator"
ROLES_THAT_CORRECT_INTAKE = ("LNB Coordinator", "System Manager")


class IntakeInvalid(frappe.ValidationError):
	"""The doctor's answers break the intake rules; `field_problems` says which and why."""

	def __init__(self, field_problems: dict[str, str]):
		self.field_problems = field_problems
		super().__init__(_("Please check these answers: {0}").format("; ".join(field_problems.values())))


class Case(Document):
	def onload(self) -> None:
		self.set_onload("read_only_fields", read_only_fields(frappe.get_roles()))

	def before_insert(self) -> None:
		if not self.flags.from_intake_form and not frappe.has_permission("Case", "create"):
			# a case comes through the intake's endpoint (api/intake.py) and its checks, or from someone who
			# may create cases; never through a route that inserts past permissions for anyone else, such
			# as Frappe's own web form endpoint
			frappe.throw(_("A case can only be sent through the intake form."), frappe.PermissionError)
		self.received_on = nowdate()
		self.record_consent()
		if is_urgent(self.wellbeing):
			self.priority = URGENT

	def validate(self) -> None:
		if self.anonymised_on:
			# the doctor's identity was erased (docs/erasure-and-retention.md): the answers the intake requires
			# stay empty, and the case can still be saved
			self.flags.ignore_mandatory = True
		self.keep_doctor_text_plain()
		if not self.flags.upkeep:
			self.check_the_users_changes()
		check_deadline_dates(self)
		if self.workflow_state in OPEN_STATES or self.is_new():
			refresh_computed_deadlines(self)

	def check_the_users_changes(self) -> None:
		"""What a save by a user is held to. A save the app makes itself to keep the case in step
		(`flags.upkeep`: its exclusion review rolled on, a link mirrored from another case) skips it: it
		changes nothing anyone typed, is not activity on the case and answers to no user's rights on it."""
		# as_dict leaves out the virtual equality answers when the user may not read them (a guest at intake)
		answers = {**self.as_dict(), **{case_field(q): self.get(case_field(q)) for q in EQUALITY_QUESTIONS}}
		# an anonymised case's answers are erased, not the doctor's to check (validate)
		problems = (
			None
			if self.anonymised_on
			else intake_problems(answers, self.select_choices(), consent_needed=self.is_new())
		)
		if problems:
			raise_intake_problems(problems, self.meta)
		self.last_activity_on = now_datetime()
		if not self.is_new():
			self.keep_related_cases_the_user_was_not_shown()
			self.keep_intake_unless_corrected()
			self.keep_to_casework_rules()

	def after_insert(self) -> None:
		log_state_change(self, "")
		if self.flags.from_intake_form:
			record_equality_answers(self)
		mirror_new_case(self)
		# its possible duplicates are linked with its mail, once it has committed (docs/intake-mail.md)
		owe_intake_mail(self)

	def on_update(self) -> None:
		before = self.get_doc_before_save()
		if not before:
			return
		if before.workflow_state != self.workflow_state:
			log_state_change(self, before.workflow_state)
			if WITHDRAWN in (before.workflow_state, self.workflow_state):
				refresh_issues_of_case(self.name)
		if before.caseworker != self.caseworker:
			sync_assignment(self)
		mirror_related_cases(self, before)

	def on_trash(self) -> None:
		# a deleted case's reference can be given again: nothing of it may show on the next case
		frappe.db.delete("Equality Monitoring", {"case": self.name})
		frappe.db.delete("Case State Change", {"case": self.name})
		frappe.db.delete(OWED, {"case": self.name})

	def keep_doctor_text_plain(self) -> None:
		"""What the doctor typed, from the form, the desk or the API, is kept as text that can run or load
		nothing wherever it is shown (Frappe shows these values unescaped in print formats)."""
		for field in DOCTOR_TEXT_FIELDS:
			if self.get(field):
				self.set(field, plain_text(str(self.get(field))))
		for table, columns in DOCTOR_TEXT_COLUMNS.items():
			for row in self.get(table):
				for column in columns:
					if row.get(column):
						row.set(column, plain_text(str(row.get(column))))

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

		changed = changed_answers(before.as_dict(), self.as_dict())
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

	def keep_to_casework_rules(self) -> None:
		"""Who may change what in which state; what each move needs; who may take the case."""
		before = self.get_doc_before_save()
		if not before:
			return
		fields = (*INTAKE_FIELDS, *CONTROL_FIELDS, *CASEWORK_FIELDS, "workflow_state")
		changed = changed_answers(
			before.as_dict(), self.as_dict(), fields, {**INTAKE_TABLES, **CASEWORK_TABLES}
		)
		problem = edit_problem(
			frappe.get_roles(),
			before.workflow_state,
			changed,
			before.workflow_state != self.workflow_state,
			lambda field: _(self.meta.get_label(field)),
		)
		if problem:
			frappe.throw(problem, frappe.PermissionError)
		missing = transition_problems(before.workflow_state, self.workflow_state, self.as_dict())
		if missing:
			frappe.throw(
				"<br>".join(missing.values()),
				title=_("Before: {0}").format(
					_(action_between(before.workflow_state, self.workflow_state) or "")
				),
			)
		if "caseworker" in changed and self.caseworker:
			self.check_allocation()
		if "related_cases" in changed:
			self.check_related_cases_can_be_seen()

	def check_allocation(self) -> None:
		if CASEWORKER not in frappe.get_roles(self.caseworker):
			frappe.throw(
				_("{0} is not a caseworker, so a case cannot be allocated to them.").format(self.caseworker)
			)
		load = caseworker_load(self.caseworker, other_than=self.name)
		problems = allocation_problems(
			self.caseworker,
			self.organisation,
			load.organisations if load.capacity is not None else None,
			load.capacity,
			load.open_cases,
			self.allocation_override_reason,
		)
		if problems:
			frappe.throw("<br>".join(problems), title=_("Cannot allocate"))

	def apply_fieldlevel_read_permissions(self) -> None:
		"""Every read of a case (the desk, REST, frappe.client) shows only the related cases the reader may
		read: a link to another caseworker's case, such as a possible duplicate, would tell them it exists."""
		super().apply_fieldlevel_read_permissions()
		self.set("related_cases", [row for row in self.related_cases if may_read_case(row.related_case)])

	def keep_related_cases_the_user_was_not_shown(self) -> None:
		"""A save by someone who was shown only some of the related cases keeps the others, where they were."""
		before = self.get_doc_before_save()
		if not before:
			return
		shown = {row.related_case for row in self.related_cases}
		rows = list(self.related_cases)
		for position, row in enumerate(before.related_cases):
			if row.related_case not in shown and not may_read_case(row.related_case):
				rows.insert(position, row)
		if len(rows) != len(self.related_cases):
			self.set("related_cases", rows)

	def check_related_cases_can_be_seen(self) -> None:
		"""A caseworker links only cases they can see; any other answers as if it did not exist."""
		for row in self.related_cases:
			if row.related_case == self.name or not may_read_case(row.related_case):
				# worded as Frappe words a link to a case that does not exist
				where = "{} #{}: {}: {}".format(_("Row"), row.idx, _("Case"), row.related_case)
				frappe.throw(_("Could not find {0}").format(where), frappe.LinkValidationError)


def log_state_change(case: Document, from_state: str) -> None:
	note_field = {WITHDRAWN: "withdrawal_reason", REFERRED_ON: "referred_to"}.get(case.workflow_state)
	if from_state in ENDED_STATES:
		note_field = "reopen_reason"
	frappe.get_doc(
		{
			"doctype": "Case State Change",
			"case": case.name,
			"from_state": from_state,
			"to_state": case.workflow_state,
			"action": action_between(from_state, case.workflow_state) or "",
			"changed_by": frappe.session.user,
			"changed_on": now_datetime(),
			"note": case.get(note_field) if note_field else "",
		}
	).insert(ignore_permissions=True)
	if note_field == "reopen_reason":
		# the next reopening needs a reason of its own
		case.db_set("reopen_reason", "", update_modified=False)


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
