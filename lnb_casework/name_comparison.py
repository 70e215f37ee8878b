"""Names as MariaDB compares them, for the request layer (request_guard.py).

The site's tables use utf8mb4_unicode_ci: a name is found whatever its case, with spaces after it, with
accents, zero-width or other ignorable characters in it, and with look-alikes of its letters and digits
(full-width letters, Arabic-Indic or circled digits…). Anything in Python that compares names as typed sees
two different strings where the database sees one record. `as_compared` writes a value the way the
collation sees it, closely enough to tell which values could name a case or a review; the database then
says which record, if any, they name. lnb_casework/test_name_comparison.py checks it against MariaDB for
every character the collation equates with one of a reference's.
"""

import re
import unicodedata

# the app's references: naming series LNB-.YYYY.-.##### (Case) and REV-.YYYY.-.##### (Review)
CASE_REFERENCE = re.compile(r"LNB-[0-9]{4}-[0-9]{5,}")
REVIEW_REFERENCE = re.compile(r"REV-[0-9]{4}-[0-9]{5,}")
# the names Frappe generates for records named by "hash" (and child rows): ten of 0-9 and a-z
GENERATED_NAME = re.compile(r"[0-9a-z]{10}")
# the longest value worth asking the database about: the name column is varchar(140)
NAME_LENGTH = 140
DIGIT_WORDS = {
	word: str(digit) for digit, word in enumerate("ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE".split())
}
COMBINING_LETTER = "COMBINING LATIN SMALL LETTER "
# categories the collation gives no weight (marks, format and control characters, unassigned ones)
IGNORED_CATEGORIES = {"Mn", "Me", "Mc", "Cf", "Cc", "Co", "Cn", "Zl", "Zp"}
# characters of other categories it ignores too (the Arabic tatweel and tail fragment, the rub el hizb sign)
IGNORED_CHARACTERS = {"\u0640", "\ufe73", "\u06de"}


def compared_character(character: str) -> str:
	name = unicodedata.name(character, "")
	if name.startswith(COMBINING_LETTER) and len(name) == len(COMBINING_LETTER) + 1:
		return name[-1]
	if unicodedata.numeric(character, None) is not None:
		# digits of every script, circled and negative digits, Tibetan half digits, counting rods…
		if (word := name.rsplit(" ", 1)[-1]) in DIGIT_WORDS:
			return DIGIT_WORDS[word]
		value = unicodedata.numeric(character)
		if value == int(value) and 0 <= value <= 9:
			return str(int(value))
	if unicodedata.category(character) in IGNORED_CATEGORIES or character in IGNORED_CHARACTERS:
		return ""
	return character


def as_compared(value: str) -> str:
	"""The value as the collation sees it, in the letters and digits a reference is written in."""
	decomposed = unicodedata.normalize("NFKD", value)
	return unicodedata.normalize("NFKC", "".join(map(compared_character, decomposed))).upper().strip()


def referenced_doctype(value: object) -> str | None:
	""" "Case" or "Review" when the value, compared as the database compares, is a reference of one."""
	if not isinstance(value, str) or not value or len(value) > NAME_LENGTH:
		return None
	compared = as_compared(value)
	if CASE_REFERENCE.fullmatch(compared):
		return "Case"
	if REVIEW_REFERENCE.fullmatch(compared):
		return "Review"
	return None


def could_be_generated_name(value: str) -> bool:
	"""Whether the value, compared as the database compares, has the shape of a name Frappe generates.
	A capitalised word ("Attachment", a value Frappe's own lists filter on) is not taken for one."""
	compared = as_compared(value).lower()
	if not GENERATED_NAME.fullmatch(compared):
		return False
	typed = value.strip()
	capitalised_word = typed[:1].isupper() and typed[1:].islower() and typed.isalpha()
	return not capitalised_word
