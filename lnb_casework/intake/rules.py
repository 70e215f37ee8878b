"""The rules a doctor's account must meet at intake, as pure functions.

The Case controller applies them, so every way in (web form, desk, REST, import) enforces the same rules;
the intake endpoint applies `payload_shape_problem` first, so a malformed request is refused before any
document is built.
"""

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any

from frappe import _
from frappe.utils import validate_email_address

from lnb_casework.intake.plain_text import plain_text

URGENT_SUPPORT = "I need urgent support"

GMC_NUMBER = re.compile(r"^\d{7}$")
PHONE_NUMBER = re.compile(r"^\+?[0-9 ()\-.]{6,20}$")

# Longest answer accepted for each free-text field, in characters.
TEXT_LIMITS = {
	"doctor_name": 140,
	"email": 140,
	"phone": 20,
	"gmc_number": 7,
	"specialty": 140,
	"employer_name": 140,
	"what_happened": 20_000,
}
CHILD_TEXT_LIMITS = {"details": 140, "description": 140}
# What the doctor writes in their own words: kept as plain text (plain_text.py) wherever it comes from.
DOCTOR_TEXT_FIELDS = tuple(TEXT_LIMITS)
DOCTOR_TEXT_COLUMNS = {"processes": ("details",), "key_dates": ("description",)}
MOST_ROWS = {"processes": 20, "key_dates": 30, "discrimination_kinds": 10}

# What the doctor tells at intake: never changed afterwards except by a coordinator with a reason.
INTAKE_FIELDS = (
	"doctor_name",
	"email",
	"phone",
	"contact_preference",
	"gmc_number",
	"grade",
	"specialty",
	"employer_name",
	"what_happened",
	"discrimination",
	"wellbeing",
	"consent_given",
	"consent_source",
)
INTAKE_TABLES = {
	"processes": ("process_type", "details"),
	"key_dates": ("description", "date"),
	"discrimination_kinds": ("kind",),
}


def is_urgent(wellbeing: str | None) -> bool:
	return wellbeing == URGENT_SUPPORT


def intake_problems(
	values: Mapping[str, Any], choices: Mapping[str, Sequence[str]], *, consent_needed: bool
) -> dict[str, str]:
	"""Every problem with a doctor's answers, as {fieldname: message}; empty when all is well.

	`values` holds the Case's fields, child tables as lists of mappings; `choices` holds the allowed
	answers of each Select field, child fields keyed as "table.field".
	"""
	problems: dict[str, str] = {}

	def text(fieldname: str) -> str:
		value = values.get(fieldname)
		return "" if value is None else str(value).strip()

	for fieldname, message in (
		("doctor_name", _("Please tell us your name.")),
		("email", _("Please give an email address, so that we can reply to you.")),
		("what_happened", _("Please tell us what happened, in your own words.")),
		("wellbeing", _("Please tell us whether you are safe or need urgent support.")),
	):
		if not text(fieldname):
			problems[fieldname] = message

	for fieldname, limit in TEXT_LIMITS.items():
		length = len(text(fieldname))
		if length > limit and fieldname not in problems:
			problems[fieldname] = _("Please keep this to {0} characters or fewer (this has {1}).").format(
				limit, length
			)

	email = text("email")
	# one plain address: Frappe also accepts "Name <address>" and lists, whose names are not sanitised
	if email and "email" not in problems and ("," in email or validate_email_address(email) != email):
		problems["email"] = _(
			"This does not look like an email address. Please check it, e.g. name@example.com."
		)

	gmc_number = text("gmc_number")
	if gmc_number and not GMC_NUMBER.match(gmc_number):
		problems["gmc_number"] = _(
			"A GMC number has 7 digits, e.g. 1234567. Leave it blank if you would rather not give it."
		)

	phone = text("phone")
	if phone and "phone" not in problems and not PHONE_NUMBER.match(phone):
		problems["phone"] = _("Please give a phone number using digits, spaces and a leading + only.")

	for fieldname, allowed in choices.items():
		if "." in fieldname:
			continue
		value = text(fieldname)
		if value and value not in allowed:
			problems[fieldname] = _("Please choose one of the answers offered.")

	for table, most in MOST_ROWS.items():
		problem = table_problem(values.get(table) or [], table, most, choices)
		if problem:
			problems[table] = problem

	if consent_needed and not values.get("consent_given"):
		problems["consent_given"] = _(
			"We can only take your case with your consent. Please tick the box to give it."
		)

	return problems


def table_problem(
	rows: Sequence[Mapping[str, Any]], table: str, most: int, choices: Mapping[str, Sequence[str]]
) -> str | None:
	if len(rows) > most:
		return _("Please add no more than {0} rows here.").format(most)
	for number, row in enumerate(rows, start=1):
		for field in INTAKE_TABLES[table]:
			value = row.get(field)
			value = "" if value is None else str(value).strip()
			allowed = choices.get(f"{table}.{field}")
			if not value and field != "details":
				return _("Row {0} is incomplete: please fill it in or remove it.").format(number)
			if allowed is not None and value not in allowed:
				return _("Row {0}: please choose one of the answers offered.").format(number)
			if field in CHILD_TEXT_LIMITS and len(value) > CHILD_TEXT_LIMITS[field]:
				return _("Row {0}: please keep this to {1} characters or fewer.").format(
					number, CHILD_TEXT_LIMITS[field]
				)
			if field == "date" and not is_iso_date(value):
				return _("Row {0}: please give a real date.").format(number)
	return None


def is_iso_date(value: Any) -> bool:
	if isinstance(value, datetime.date):
		return True
	try:
		datetime.date.fromisoformat(str(value))
	except ValueError:
		return False
	return True


def changed_answers(
	before: Mapping[str, Any],
	after: Mapping[str, Any],
	fields: Sequence[str] = INTAKE_FIELDS,
	tables: Mapping[str, Sequence[str]] = INTAKE_TABLES,
) -> list[str]:
	"""The fields and tables (compared by the given columns) whose values differ between two versions.

	Values are compared as plain text, so making a value stored before plain_text existed plain is no change.
	"""

	def normal(value: Any) -> str:
		return "" if value is None else plain_text(str(value)).strip()

	def rows(values: Mapping[str, Any], table: str) -> list[tuple[str, ...]]:
		return [tuple(normal(row.get(column)) for column in tables[table]) for row in values.get(table) or []]

	changed = [field for field in fields if normal(before.get(field)) != normal(after.get(field))]
	return changed + [table for table in tables if rows(before, table) != rows(after, table)]


def payload_shape_problem(
	data: Any,
	text_fields: Sequence[str],
	check_fields: Sequence[str],
	tables: Mapping[str, Sequence[str]],
) -> str | None:
	"""Why a submitted payload is not the shape the intake form sends, or None when it is.

	Text fields hold text or nothing; check fields 0, 1, true, false or nothing; each of `tables` (a table
	or list field, with the columns that hold text) holds nothing or a list of objects of single values.
	"""
	if not isinstance(data, Mapping):
		return _("The form data must be an object of answers.")
	for field in text_fields:
		if not is_text(data.get(field)):
			return _("The answer for {0} must be text.").format(field)
	for field in check_fields:
		if not is_check(data.get(field)):
			return _("The answer for {0} must be ticked or not.").format(field)
	for field, text_columns in tables.items():
		rows = data.get(field)
		if rows in (None, ""):
			continue
		if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
			return _("The answer for {0} must be a list of rows.").format(field)
		if not all(is_scalar(value) for row in rows for value in row.values()):
			return _("Each row of {0} must hold single values.").format(field)
		if not all(is_text(row.get(column)) for row in rows for column in text_columns):
			return _("Each row of {0} must hold text.").format(field)
	return None


def is_scalar(value: Any) -> bool:
	return value is None or isinstance(value, str | int | float | bool)


def is_text(value: Any) -> bool:
	return value is None or isinstance(value, str)


def is_check(value: Any) -> bool:
	return value is None or isinstance(value, bool) or (type(value) is int and value in (0, 1))
