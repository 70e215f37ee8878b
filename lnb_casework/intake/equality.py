"""Equality monitoring answers: collected by the intake form, kept apart from the case.

The Case carries them only in virtual fields, never stored; they are written to an Equality Monitoring
record that no casework role can open, so no filter on Case can reveal them. That record holds them only
sealed with a key derived from the site's encryption key (sealed_answers.py), so that a query that gets
round the permission checks, or a copy of the database without the site's config, reads no answer.
"""

import datetime
from collections.abc import Iterator

import frappe
from frappe import _
from frappe.utils.password import get_encryption_key

from lnb_casework.intake.sealed_answers import Answers, AnswerSeal, SealedAnswersError, derive_key

PREFER_NOT_TO_SAY = "Prefer not to say"

# How reports and settings name each question (docs/equality-monitoring.md). The
# form asks them in the doctor's words (Equality Monitoring's field labels); the answers are that doctype's
# Select options, read by question_answers. Reference Population Share's "question" offers these labels.
QUESTION_LABELS = {
	"ethnic_group": "Ethnic group (ONS 2021 high-level)",
	"sex": "Sex",
	"gender_identity_same_as_birth": "Gender identity the same as sex registered at birth",
	"sexual_orientation": "Sexual orientation",
	"disability": "Disability (Equality Act definition)",
	"religion_or_belief": "Religion or belief",
	"age_band": "Age band",
	"qualification_region": "Where the primary medical qualification was gained",
}
# The questions by their Equality Monitoring fieldnames, in the form's order.
EQUALITY_QUESTIONS = tuple(QUESTION_LABELS)


def question_answers(question: str) -> list[str]:
	"""The answers to one question in the form's order, without "Prefer not to say"."""
	options = frappe.get_meta("Equality Monitoring").get_options(question).split("\n")
	return [option for option in options if option and option != PREFER_NOT_TO_SAY]


def question_with_label(label: str) -> str | None:
	"""The question (its fieldname) a report label names, or None."""
	return next((question for question, named in QUESTION_LABELS.items() if named == label), None)


def case_field(question: str) -> str:
	return f"equality_{question}"


def record_equality_answers(case) -> str:
	"""Writes the case's equality answers, sealed (unanswered questions stay empty), and returns the
	record's name."""
	answers = {question: case.get(case_field(question)) or None for question in EQUALITY_QUESTIONS}
	record = frappe.get_doc(
		{
			"doctype": "Equality Monitoring",
			"case": case.name,
			"sealed_answers": answer_seal().seal(case.name, answers),
		}
	)
	record.insert(ignore_permissions=True)
	return record.name


def answer_seal() -> AnswerSeal:
	"""Seals and opens equality answers with this site's key."""
	return AnswerSeal(derive_key(get_encryption_key()))


def open_equality_answers(case: str, sealed: str) -> Answers:
	"""{question: answer} of one record."""
	return opened_answers([(case, sealed)])[case]


def equality_answers_of_cases_received(since: datetime.date, before: datetime.date) -> dict[str, Answers]:
	"""{case: {question: answer}} for the cases created from since up to (not including) before that have an
	Equality Monitoring record, opened with one key. The records are found from the cases, through the
	index of cases by creation and the records' index by case, so only the period's records are read."""
	records = frappe.db.sql(
		"""select record.`case`, record.sealed_answers
		from `tabCase` received join `tabEquality Monitoring` record on record.`case` = received.name
		where received.creation >= %s and received.creation < %s""",
		(since, before),
	)
	if any(sealed is None for _case, sealed in records):
		frappe.throw(_("Some equality monitoring records could not be read whole."))
	return opened_answers(records)


def equality_answers_of(cases: list[str]) -> dict[str, Answers]:
	"""{case: {question: answer}} for those of the cases that have an Equality Monitoring record, opened
	with one key."""
	wanted = set(cases)
	if not wanted:
		return {}
	return opened_answers((case, sealed) for case, sealed in sealed_records() if case in wanted)


# The database packs this many records into one value: the driver reads a hundred thousand rows one by one
# several times slower than twenty long values, and a long list of cases to look up in the query costs the
# database more than reading every record. 5,000 records of at most 194 characters (a case name of up to 140,
# a space, 52 for the seal, a newline) stay within MariaDB's default group_concat_max_len of 1 MiB.
PACKED_RECORDS = 5000


def sealed_records() -> Iterator[tuple[str, str]]:
	"""(case, sealed answers) of every Equality Monitoring record, in batches by name."""
	after = ""
	while True:
		((count, last, packed),) = frappe.db.sql(
			f"""select count(*), max(name), group_concat(`case`, ' ', sealed_answers separator '\\n')
			from (select name, `case`, sealed_answers from `tabEquality Monitoring`
				where name > %s order by name limit {PACKED_RECORDS}) batch""",
			after,
		)
		records = packed.split("\n") if packed else []
		if len(records) != count:
			# cut short by the database, or a record without its seal: never count a part as the whole
			frappe.throw(_("Some equality monitoring records could not be read whole."))
		for record in records:
			case, _space, sealed = record.rpartition(" ")
			yield case, sealed
		if count < PACKED_RECORDS:
			return
		after = last


def opened_answers(sealed_by_case) -> dict[str, Answers]:
	try:
		return answer_seal().open_many(sealed_by_case)
	except SealedAnswersError:
		# changed in the database, or the site's encryption key is not the one they were sealed with
		frappe.throw(
			_("Equality monitoring answers do not open with this site's encryption key."),
			title=_("Sealed answers"),
		)
