"""Sealed equality answers (lnb_casework.intake.sealed_answers): pure, no database."""

import base64
import itertools
import json
import unittest
from pathlib import Path

from lnb_casework.intake.sealed_answers import (
	ANSWER_CODES,
	ENCODED_BYTES,
	FORMAT,
	QUESTIONS,
	AnswerSeal,
	SealedAnswersError,
	decode_answers,
	derive_key,
	encode_answers,
)

DOCTYPE_JSON = Path(__file__).parents[1] / "lnb_casework/doctype/equality_monitoring/equality_monitoring.json"
SITE_KEY = "x7Yk1sW8bHq3nP0cL5vR2tU9mA4dE6fG8hJ1kL3zQ0s="
CASE = "LNB-2026-00001"
ALL_EMPTY = dict.fromkeys(QUESTIONS)
LONGEST = {question: max(answers, key=len) for question, answers in ANSWER_CODES.items()}


def doctype_options() -> dict[str, list[str]]:
	fields = json.loads(DOCTYPE_JSON.read_text())["fields"]
	return {
		field["fieldname"]: [option for option in field["options"].split("\n") if option]
		for field in fields
		if field["fieldtype"] == "Select"
	}


class TestKey(unittest.TestCase):
	def test_the_same_site_key_gives_the_same_key_and_another_gives_another(self):
		key = derive_key(SITE_KEY)
		self.assertEqual(len(key), 32)
		self.assertEqual(key, derive_key(SITE_KEY.encode()))
		self.assertNotEqual(key, derive_key(SITE_KEY[:-2] + "A="))
		self.assertNotIn(key, (SITE_KEY.encode(), base64.urlsafe_b64decode(SITE_KEY)))

	def test_no_site_key_is_refused(self):
		with self.assertRaises(ValueError):
			derive_key("")


class TestEncoding(unittest.TestCase):
	def test_the_form_offers_only_answers_that_have_a_code(self):
		options = doctype_options()
		self.assertEqual(tuple(options), QUESTIONS)
		for question, offered in options.items():
			self.assertEqual([a for a in offered if a not in ANSWER_CODES[question]], [], question)

	def test_every_answer_of_every_question_comes_back(self):
		checked = 0
		for question, answers in ANSWER_CODES.items():
			for answer in answers:
				encoded = encode_answers({question: answer})
				self.assertEqual(len(encoded), ENCODED_BYTES)
				self.assertEqual(decode_answers(encoded), {**ALL_EMPTY, question: answer})
				checked += 1
		self.assertEqual(checked, sum(len(answers) for answers in ANSWER_CODES.values()))

	def test_no_answers_and_empty_answers_are_unanswered(self):
		for answers in ({}, ALL_EMPTY, dict.fromkeys(QUESTIONS, "")):
			self.assertEqual(encode_answers(answers), bytes([FORMAT, *[0] * len(QUESTIONS)]))
			self.assertEqual(decode_answers(encode_answers(answers)), ALL_EMPTY)

	def test_unknown_questions_and_answers_are_refused(self):
		with self.assertRaises(ValueError):
			encode_answers({"shoe_size": "9"})
		with self.assertRaises(ValueError):
			encode_answers({"age_band": "Ancient"})
		with self.assertRaises(ValueError):
			encode_answers({"sex": "Yes"})  # an answer, but to another question

	def test_bytes_that_are_not_answers_are_refused(self):
		for encoded in (
			b"",
			bytes([FORMAT, *[0] * (len(QUESTIONS) - 1)]),
			bytes([FORMAT + 1, *[0] * len(QUESTIONS)]),
			bytes([FORMAT, *[0] * (len(QUESTIONS) - 1), len(ANSWER_CODES["qualification_region"]) + 1]),
		):
			with self.assertRaises(SealedAnswersError):
				decode_answers(encoded)


class TestSeal(unittest.TestCase):
	def setUp(self):
		self.seal = AnswerSeal(derive_key(SITE_KEY))

	def test_answers_come_back_for_their_case(self):
		answers = {
			**ALL_EMPTY,
			"ethnic_group": "White",
			"age_band": "30–39",
			"disability": "Prefer not to say",
		}
		sealed = self.seal.seal(CASE, answers)
		self.assertEqual(self.seal.open(CASE, sealed), answers)
		self.assertEqual(AnswerSeal(derive_key(SITE_KEY)).open(CASE, sealed), answers)

	def test_every_combination_of_two_questions_comes_back(self):
		opened = 0
		for first, second in itertools.combinations(QUESTIONS, 2):
			for a, b in itertools.product(ANSWER_CODES[first], ANSWER_CODES[second]):
				answers = {**ALL_EMPTY, first: a, second: b}
				self.assertEqual(self.seal.open(CASE, self.seal.seal(CASE, answers)), answers)
				opened += 1
		self.assertGreater(opened, 500)

	def test_empty_answers_are_sealed_too(self):
		sealed = self.seal.seal(CASE, {})
		self.assertEqual(self.seal.open(CASE, sealed), ALL_EMPTY)

	def test_the_sealed_value_tells_nothing_by_its_look_or_length(self):
		sealings = [self.seal.seal(CASE, answers) for answers in (ALL_EMPTY, LONGEST, LONGEST)]
		self.assertEqual({len(sealed) for sealed in sealings}, {52})
		self.assertEqual(len(set(sealings)), 3, "the same answers sealed twice look different")
		for sealed in sealings:
			sealed.encode("ascii")
			for answer in LONGEST.values():
				self.assertNotIn(answer, sealed)

	def test_any_change_stops_it_opening(self):
		raw = base64.b64decode(self.seal.seal(CASE, LONGEST))
		for position, bit in itertools.product(range(len(raw)), (0x01, 0x80)):
			changed = bytearray(raw)
			changed[position] ^= bit
			with self.assertRaises(SealedAnswersError, msg=(position, bit)):
				self.seal.open(CASE, base64.b64encode(bytes(changed)).decode())
		for cut in (raw[:-1], raw[:20], raw[:5], raw + b"\0"):
			with self.assertRaises(SealedAnswersError):
				self.seal.open(CASE, base64.b64encode(cut).decode())

	def test_it_does_not_open_for_another_case(self):
		sealed = self.seal.seal(CASE, LONGEST)
		with self.assertRaises(SealedAnswersError):
			self.seal.open("LNB-2026-00002", sealed)

	def test_it_does_not_open_with_another_key(self):
		sealed = self.seal.seal(CASE, LONGEST)
		with self.assertRaises(SealedAnswersError):
			AnswerSeal(derive_key("another site's key")).open(CASE, sealed)

	def test_what_is_not_a_sealed_value_is_refused(self):
		for sealed in ("", "not base64!", "White", None, "=" * 52):
			with self.assertRaises(SealedAnswersError, msg=sealed):
				self.seal.open(CASE, sealed)

	def test_many_records_open_at_once(self):
		answers = [{**ALL_EMPTY, "sex": sex} for sex in ANSWER_CODES["sex"]]
		sealed = [(f"LNB-2026-{i:05}", self.seal.seal(f"LNB-2026-{i:05}", a)) for i, a in enumerate(answers)]
		self.assertEqual(self.seal.open_many(sealed), {f"LNB-2026-{i:05}": a for i, a in enumerate(answers)})
		moved = [(sealed[0][0], sealed[1][1])]
		with self.assertRaises(SealedAnswersError):
			self.seal.open_many(moved)
