"""What anonymising a case does to each field, and whether a text still names the doctor
(docs/erasure-and-retention.md). Pure: no database.

Every text field of a case, its reviews and their tables is either replaced (the doctor's identity and
everything written in words, which may name them or others) or kept (set by the app, not typed by a
person, and needed by the reports). Select, Check, Date and Link fields are what the reports count and are
always kept; test_anonymisation.py checks that every text field of these doctypes is named here once.
"""

import re
from collections.abc import Iterable, Mapping

ANONYMISED = "[anonymised]"
BLANK = None

# {doctype: {field: what it becomes}}; free text becomes ANONYMISED only where something was written, so an
# empty field stays empty
REPLACED: dict[str, dict[str, str | None]] = {
	"Case": {
		"doctor_name": ANONYMISED,
		"email": BLANK,
		"phone": BLANK,
		"gmc_number": BLANK,
		"specialty": BLANK,
		"employer_name": BLANK,
		"what_happened": ANONYMISED,
		"allocation_override_reason": ANONYMISED,
		"triage_notes": ANONYMISED,
		"outcome": ANONYMISED,
		"withdrawal_reason": ANONYMISED,
		"referred_to": ANONYMISED,
		"reopen_reason": ANONYMISED,
		"casework_notes": ANONYMISED,
	},
	"Case Process": {"details": ANONYMISED},
	"Case Key Date": {"description": ANONYMISED},
	"Case Deadline": {"description": ANONYMISED},
	"Related Case": {"note": ANONYMISED},
	"Case Intake Correction": {"reason": ANONYMISED},
	"Case State Change": {"note": ANONYMISED},
	"Review": {
		"action_or_omission": ANONYMISED,
		"circumstances": ANONYMISED,
		"context": ANONYMISED,
		**{
			f"jc_{question}_evidence": ANONYMISED
			for question in ("1a", "2a", "2b", "2c", "3a", "3b", "3c", "4a", "4b", "4c", "5a")
		},
		"recommendation": ANONYMISED,
		"return_comments": ANONYMISED,
	},
	"Review Procedural Failure": {
		"process_stage": ANONYMISED,
		"what_went_wrong": ANONYMISED,
		"policy_breached": ANONYMISED,
		"impact": ANONYMISED,
	},
	"Review Unfairness": {"description": ANONYMISED},
	"Review Systemic Factor": {"description": ANONYMISED},
}

# Text fields that stay, each set by the app rather than typed by a person.
KEPT: dict[str, frozenset[str]] = {
	"Case": frozenset(
		{
			# the record of consent: the site's own wording and its version, not the doctor's words
			"consent_version",
			"consent_wording",
			# virtual fields, never stored: the reason for an intake correction (kept in Case Intake
			# Correction's reason, which is replaced) and the equality answers (the sealed record is deleted)
			"intake_correction_reason",
			"equality_ethnic_group",
			"equality_sex",
			"equality_gender_identity_same_as_birth",
			"equality_sexual_orientation",
			"equality_disability",
			"equality_religion_or_belief",
			"equality_age_band",
			"equality_qualification_region",
		}
	),
	# the app's explanation of a computed deadline's arithmetic
	"Case Deadline": frozenset({"how"}),
	# which fields a coordinator corrected: field labels only
	"Case Intake Correction": frozenset({"fields_changed"}),
	# the workflow's own state and action names
	"Case State Change": frozenset({"from_state", "to_state", "action"}),
	# the Just Culture walk's result, worked out from the Yes/No/Unknown answers the reports count
	"Review": frozenset({"just_culture_outcome", "just_culture_decided_by", "just_culture_needs_evidence"}),
}

CASE_TABLES = ("Case Process", "Case Key Date", "Case Deadline", "Related Case", "Case Intake Correction")
REVIEW_TABLES = ("Review Procedural Failure", "Review Unfairness", "Review Systemic Factor")

TEXT_FIELD_TYPES = frozenset(
	{
		"Data",
		"Small Text",
		"Text",
		"Long Text",
		"Text Editor",
		"Markdown Editor",
		"HTML Editor",
		"Code",
		"Phone",
	}
)


def replaced_values(doctype: str, values: Mapping[str, object]) -> dict[str, str | None]:
	"""The fields of one row that anonymising changes, with what they become."""
	changes = {}
	for field, replacement in REPLACED.get(doctype, {}).items():
		value = values.get(field)
		if value is None or str(value).strip() == "":
			continue
		if value != replacement:
			changes[field] = replacement
	return changes


TITLES = frozenset({"dr", "doctor", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sir", "dame"})
# shorter values would match ordinary words and numbers in other people's records
SHORTEST_IDENTIFIER = 5
SEPARATORS = re.compile(r"[\s\-().]+")


def doctor_identifiers(
	doctor_name: str | None, email: str | None, phone: str | None, gmc_number: str | None
) -> tuple[str, ...]:
	"""What identifies the doctor in someone else's record, in lower case: their name with and without a
	title, their email, phone (as given, without separators, and as a UK number from +44) and GMC number."""
	found: list[str] = []
	name = " ".join((doctor_name or "").split())
	if name:
		found.append(name)
		words = name.split(" ")
		while words and words[0].lower().rstrip(".") in TITLES:
			words = words[1:]
		found.append(" ".join(words))
	found.extend(value.strip() for value in (email, gmc_number) if value)
	if phone and phone.strip():
		found.append(phone.strip())
		digits = SEPARATORS.sub("", phone)
		found.append(digits)
		if digits.startswith("+44"):
			found.append("0" + digits[3:])
	unique = dict.fromkeys(value.lower() for value in found if len(value) >= SHORTEST_IDENTIFIER)
	return tuple(unique)


def holds_identifier(text: str | None, identifiers: Iterable[str]) -> bool:
	"""Whether the text names any of the identifiers, in any letter case, with or without separators."""
	if not text:
		return False
	lowered = str(text).lower()
	squeezed = SEPARATORS.sub("", lowered)
	return any(
		identifier in lowered or SEPARATORS.sub("", identifier) in squeezed for identifier in identifiers
	)


def search_patterns(identifiers: Iterable[str]) -> list[str]:
	"""SQL LIKE patterns that find every text holding one of the identifiers as written (holds_identifier
	then checks each row found, and also catches a phone written with other separators)."""
	return [
		"%" + identifier.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
		for identifier in identifiers
	]
