"""Equality monitoring answers sealed at rest (pure: no database, no Frappe).

The eight answers of one record are encoded as one byte each (the answer's code in ANSWER_CODES, 0 for
no answer) behind a format byte, and sealed with AES-GCM under a key derived from the site's encryption
key for this purpose only. The sealed value is bound to its case (associated data), so it cannot be moved
to another record, and changing one byte of it stops it opening. Every plaintext has the same length, so
neither does the length of the sealed value tell anything about the answers.
"""

import base64
import os
from collections.abc import Iterable, Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = 1
PURPOSE = b"lnb_casework equality monitoring answers v1"
NONCE_BYTES = 12

# Every answer ever offered, by question in the form's order. An answer's stored code is its place here
# (from 1), so this list only ever grows: a new answer goes at the end of its question and none is ever
# moved or removed, even when the form stops offering it, or every record sealed before would open to the
# wrong answer. Equality Monitoring's Select options (what the form offers now) must all be here.
ANSWER_CODES: dict[str, tuple[str, ...]] = {
	"ethnic_group": (
		"Asian or Asian British",
		"Black, Black British, Caribbean or African",
		"Mixed or multiple ethnic groups",
		"White",
		"Other ethnic group",
		"Prefer not to say",
	),
	"sex": ("Female", "Male", "Prefer not to say"),
	"gender_identity_same_as_birth": ("Yes", "No", "Prefer not to say"),
	"sexual_orientation": (
		"Bisexual",
		"Gay or lesbian",
		"Heterosexual or straight",
		"Other",
		"Prefer not to say",
	),
	"disability": ("Yes", "No", "Prefer not to say"),
	"religion_or_belief": (
		"No religion",
		"Buddhist",
		"Christian",
		"Hindu",
		"Jewish",
		"Muslim",
		"Sikh",
		"Other",
		"Prefer not to say",
	),
	"age_band": ("Under 30", "30–39", "40–49", "50–59", "60 or over", "Prefer not to say"),
	"qualification_region": ("United Kingdom", "European Economic Area", "Elsewhere", "Prefer not to say"),
}
QUESTIONS = tuple(ANSWER_CODES)
# answer by code, per question: code 0 is no answer
_ANSWER_OF_CODE = tuple((None, *answers) for answers in ANSWER_CODES.values())
_CODE_OF_ANSWER = {
	question: {answer: code for code, answer in enumerate(answers, start=1)}
	for question, answers in ANSWER_CODES.items()
}
ENCODED_BYTES = 1 + len(QUESTIONS)

Answers = dict[str, str | None]


class SealedAnswersError(ValueError):
	"""Sealed answers that do not open: changed, moved from another record, or sealed under another key."""


def derive_key(site_key: str | bytes) -> bytes:
	"""The 256-bit key for equality answers, derived from the site's encryption key (HKDF-SHA256, with a
	label of its own, so that it is never the key Frappe uses for passwords)."""
	if isinstance(site_key, str):
		site_key = site_key.encode()
	if not site_key:
		raise ValueError("The site has no encryption key.")
	return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(site_key)


def encode_answers(answers: Mapping[str, str | None]) -> bytes:
	"""The answers as one byte per question behind the format byte; a question missing or empty is
	unanswered. An unknown question or an answer with no code is refused."""
	unknown = set(answers) - set(QUESTIONS)
	if unknown:
		raise ValueError(f"Not an equality question: {', '.join(sorted(unknown))}")
	codes = [FORMAT]
	for question in QUESTIONS:
		answer = answers.get(question) or None
		if answer is None:
			codes.append(0)
			continue
		code = _CODE_OF_ANSWER[question].get(answer)
		if code is None:
			raise ValueError(f"{answer!r} is not an answer to {question}.")
		codes.append(code)
	return bytes(codes)


def decode_answers(encoded: bytes) -> Answers:
	"""{question: answer or None} from encode_answers' bytes."""
	if len(encoded) != ENCODED_BYTES or encoded[0] != FORMAT:
		raise SealedAnswersError("Not equality answers in a format this version reads.")
	try:
		return {
			question: answer_of_code[code]
			for question, answer_of_code, code in zip(QUESTIONS, _ANSWER_OF_CODE, encoded[1:], strict=True)
		}
	except IndexError:
		raise SealedAnswersError("An answer code that no question has.")


class AnswerSeal:
	"""Seals and opens the answers of records with one key; reuse one for many records."""

	def __init__(self, key: bytes):
		self._aead = AESGCM(key)

	def seal(self, case: str, answers: Mapping[str, str | None]) -> str:
		"""The answers of the case's record, sealed, as ASCII text (52 characters whatever the answers)."""
		nonce = os.urandom(NONCE_BYTES)
		sealed = self._aead.encrypt(nonce, encode_answers(answers), case.encode())
		return base64.b64encode(nonce + sealed).decode("ascii")

	def open(self, case: str, sealed: str) -> Answers:
		"""The answers sealed for this case; SealedAnswersError if they do not open."""
		return self.open_many([(case, sealed)])[case]

	def open_many(self, sealed_by_case: Iterable[tuple[str, str]]) -> dict[str, Answers]:
		"""{case: answers} for (case, sealed) pairs; SealedAnswersError if any does not open."""
		decrypt = self._aead.decrypt  # looked up once: this loop runs for every record a report counts
		opened = {}
		case = None
		try:
			for case, sealed in sealed_by_case:
				raw = base64.b64decode(sealed, validate=True)
				opened[case] = decode_answers(decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], case.encode()))
		except (InvalidTag, ValueError, TypeError):
			raise SealedAnswersError(f"The equality answers of {case} do not open.")
		return opened
