"""The intake rules as pure functions: no database needed."""

import unittest

from lnb_casework.intake.rules import (
	changed_answers,
	intake_problems,
	is_urgent,
	payload_shape_problem,
)

CHOICES = {
	"wellbeing": ["", "I am safe and do not need urgent support", "I need urgent support"],
	"grade": ["", "Consultant"],
	"processes.process_type": ["", "MHPS investigation", "Other"],
	"discrimination_kinds.kind": ["", "Race"],
}


def valid_answers(**changes) -> dict:
	answers = {
		"doctor_name": "Dr Amina Khan",
		"email": "amina.khan@example.com",
		"what_happened": "I was excluded for five months without a review.",
		"wellbeing": "I am safe and do not need urgent support",
		"consent_given": 1,
	}
	answers.update(changes)
	return answers


def problems(**changes) -> dict:
	return intake_problems(valid_answers(**changes), CHOICES, consent_needed=True)


class TestIntakeRules(unittest.TestCase):
	def test_valid_answers_have_no_problems(self):
		self.assertEqual(problems(), {})
		self.assertEqual(problems(gmc_number="1234567", phone="+44 (0)7700 900123", grade="Consultant"), {})

	def test_required_answers(self):
		found = intake_problems({}, CHOICES, consent_needed=True)
		self.assertEqual(set(found), {"doctor_name", "email", "what_happened", "wellbeing", "consent_given"})
		self.assertIn("your name", found["doctor_name"])

	def test_blank_is_missing(self):
		self.assertIn("doctor_name", problems(doctor_name="   "))
		self.assertIn("what_happened", problems(what_happened=None))

	def test_email_must_be_one_plain_address(self):
		for bad in (
			"not-an-email",
			"dr.jones@",
			"a@b",
			"Dr Jones <jones@example.com>",
			"a@example.com, b@example.com",
		):
			with self.subTest(bad):
				self.assertIn("email address", problems(email=bad)["email"])

	def test_gmc_number_has_seven_digits_when_given(self):
		for bad in ("123456", "12345678", "12a4567", "GMC1234567"):
			with self.subTest(bad):
				self.assertIn("7 digits", problems(gmc_number=bad)["gmc_number"])
		self.assertNotIn("gmc_number", problems(gmc_number=""))

	def test_phone(self):
		self.assertIn("phone", problems(phone="call me maybe"))
		self.assertNotIn("phone", problems(phone="020 7946 0000"))

	def test_text_limits(self):
		found = problems(what_happened="x" * 20_001, doctor_name="y" * 141)
		self.assertIn("20000 characters", found["what_happened"])
		self.assertIn("(this has 20001)", found["what_happened"])
		self.assertIn("140 characters", found["doctor_name"])
		self.assertEqual(problems(what_happened="x" * 20_000), {})

	def test_choices_must_be_offered(self):
		self.assertIn("grade", problems(grade="Chief Hacker"))
		self.assertIn("wellbeing", problems(wellbeing="Fine"))

	def test_table_rows(self):
		self.assertEqual(problems(processes=[{"process_type": "Other", "details": ""}]), {})
		self.assertIn("Row 1", problems(processes=[{"process_type": "Hacking"}])["processes"])
		self.assertIn(
			"Row 2", problems(processes=[{"process_type": "Other"}, {"process_type": ""}])["processes"]
		)
		self.assertIn("no more than 20", problems(processes=[{"process_type": "Other"}] * 21)["processes"])
		self.assertIn(
			"real date", problems(key_dates=[{"description": "Hearing", "date": "31/02/2026"}])["key_dates"]
		)
		self.assertEqual(problems(key_dates=[{"description": "Hearing", "date": "2026-02-28"}]), {})

	def test_consent(self):
		self.assertIn("consent", problems(consent_given=0)["consent_given"])
		answers = valid_answers(consent_given=0)
		self.assertEqual(intake_problems(answers, CHOICES, consent_needed=False), {})

	def test_urgent(self):
		self.assertTrue(is_urgent("I need urgent support"))
		self.assertFalse(is_urgent("I am safe and do not need urgent support"))
		self.assertFalse(is_urgent(None))

	def test_changed_answers(self):
		before = valid_answers(processes=[{"process_type": "Other", "details": "a", "name": "row1"}])
		self.assertEqual(changed_answers(before, dict(before, priority="High")), [])
		after = dict(before, email="new@example.com", processes=[{"process_type": "Other", "details": "b"}])
		self.assertEqual(changed_answers(before, after), ["email", "processes"])
		self.assertEqual(changed_answers(before, dict(before, doctor_name=" Dr Amina Khan ")), [])

	def test_changed_answers_ignores_making_text_plain(self):
		before = valid_answers(what_happened="<b>Excluded</b> for\r\nfive months")
		self.assertEqual(
			changed_answers(before, dict(before, what_happened="‹b>Excluded‹/b> for\nfive months")), []
		)

	def test_payload_shape(self):
		shape = {
			"text_fields": ["doctor_name", "lnb_consent_version"],
			"check_fields": ["consent_given"],
			"tables": {"processes": ("process_type", "details"), "lnb_attachments": ("file_name", "content")},
		}
		for good in (
			{"doctor_name": "A", "processes": [{"process_type": "Other", "idx": 1, "__islocal": True}]},
			{"consent_given": 1, "processes": ""},
			{"consent_given": True, "doctor_name": None, "lnb_attachments": []},
			{"consent_given": 0, "lnb_attachments": [{"file_name": "a.pdf", "content": "data:..."}]},
		):
			with self.subTest(good=good):
				self.assertIsNone(payload_shape_problem(good, **shape))
		for bad in (
			[1, 2],
			"text",
			None,
			{"doctor_name": {"a": 1}},
			{"doctor_name": ["a"]},
			{"doctor_name": 12345},
			{"doctor_name": True},
			{"lnb_consent_version": 2.5},
			{"consent_given": "0"},
			{"consent_given": 2},
			{"consent_given": 1.0},
			{"consent_given": "yes"},
			{"processes": "Other"},
			{"processes": [["Other"]]},
			{"processes": [{"process_type": {"x": 1}}]},
			{"processes": [{"process_type": "Other", "details": 7}]},
			{"processes": [{"process_type": "Other", "idx": [1]}]},
			{"lnb_attachments": "letter.pdf"},
			{"lnb_attachments": [None]},
			{"lnb_attachments": [{"file_name": ["a.pdf"], "content": "x"}]},
			{"lnb_attachments": [{"file_name": "a.pdf", "content": 0}]},
		):
			with self.subTest(bad=bad):
				self.assertIsNotNone(payload_shape_problem(bad, **shape))
