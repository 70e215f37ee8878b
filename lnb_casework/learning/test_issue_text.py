"""What a new systemic issue is called and says, made from a review's systemic factor: pure, no database."""

import unittest

from lnb_casework.learning.issues import anonymised, new_issue_title

DOCTOR = ("Dr Olu Adeyemi", ["olu.adeyemi@example.com", "+44 7700 900456", "1234567"])


class TestIssueText(unittest.TestCase):
	def test_the_doctor_is_never_named(self):
		text = anonymised(
			"Dr Adeyemi (GMC 1234567) was excluded; Olu Adeyemi rang from +44 7700 900456 and wrote from "
			"olu.adeyemi@example.com and o.a@nhs.net. ADEYEMI's rota had no cover on 2026-12-14.",
			*DOCTOR,
		)
		for private in ("Olu", "Adeyemi", "ADEYEMI", "1234567", "7700", "olu.adeyemi", "o.a@nhs.net"):
			self.assertNotIn(private, text)
		self.assertIn("Dr [the doctor] (GMC [number]) was excluded; [the doctor] rang from [number]", text)
		self.assertIn("[email address] and [email address]", text)
		self.assertIn("no cover on 2026-12-14.", text, "a date is not a number to hide")

	def test_a_title_or_a_short_word_of_the_name_is_kept_in_other_words(self):
		self.assertEqual(
			anonymised("Drugs were given by the doctor on Ward Li.", "Dr Li Wu"),
			"Drugs were given by the doctor on Ward Li.",
		)
		self.assertEqual(anonymised(None, *DOCTOR), "")

	def test_the_title_says_what_where(self):
		self.assertEqual(
			new_issue_title("Organisation", "Westshire Trust", "No exclusion reviews."),
			"Organisation at Westshire Trust: No exclusion reviews",
		)
		self.assertEqual(new_issue_title("Tasks", None, ""), "Tasks")
		long = new_issue_title("Tasks", None, " ".join(f"word{n}" for n in range(30)))
		self.assertEqual(long, "Tasks: " + " ".join(f"word{n}" for n in range(10)) + "…")
		self.assertLessEqual(len(new_issue_title("Tasks", "T" * 200, "x")), 140)
