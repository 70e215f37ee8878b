"""The Just Culture outcome, derived exactly as docs/just-culture.md says: pure, no database."""

import unittest

from lnb_casework.review.just_culture import (
	DELIBERATE_HARM,
	HEALTH_ROUTE,
	INDIVIDUAL_LEARNING,
	INSUFFICIENT_EVIDENCE,
	MITIGATING_CIRCUMSTANCES,
	QUESTIONS,
	SYSTEM_FAILURE,
	assess,
)

# every test passed without pointing anywhere: no harm meant, no health issue, protocols there,
# workable and followed, peers would not have acted the same, no missed training or supervision
CLEAR = {
	"1a": "No",
	"2a": "No",
	"2b": "No",
	"2c": "No",
	"3a": "Yes",
	"3b": "Yes",
	"3c": "Yes",
	"4a": "No",
	"4b": "No",
	"4c": "No",
	"5a": "No",
}


def with_answers(**changes) -> dict:
	return {**CLEAR, **{question.replace("q", ""): answer for question, answer in changes.items()}}


class TestJustCulture(unittest.TestCase):
	def test_every_question_is_named(self):
		self.assertEqual(list(QUESTIONS), list(CLEAR))

	def test_walks_the_tests_in_order(self):
		expectations = [
			({}, INDIVIDUAL_LEARNING, ("5a",)),
			({"q5a": "Yes"}, MITIGATING_CIRCUMSTANCES, ("5a",)),
			({"q1a": "Yes"}, DELIBERATE_HARM, ("1a",)),
			({"q2b": "Yes"}, HEALTH_ROUTE, ("2b",)),
			({"q2a": "Yes", "q2c": "Yes"}, HEALTH_ROUTE, ("2a", "2c")),
			({"q3b": "No"}, SYSTEM_FAILURE, ("3b",)),
			({"q3a": "No", "q3c": "No"}, SYSTEM_FAILURE, ("3a", "3c")),
			({"q4a": "Yes"}, SYSTEM_FAILURE, ("4a",)),
			({"q4c": "Yes", "q5a": "Yes"}, SYSTEM_FAILURE, ("4c",)),
		]
		for changes, outcome, decided_by in expectations:
			with self.subTest(changes):
				found = assess(with_answers(**changes))
				self.assertEqual(
					(found.outcome, found.decided_by, found.needs_evidence), (outcome, decided_by, ())
				)
				self.assertTrue(found.system_review_needed)

	def test_the_first_decisive_answer_decides(self):
		self.assertEqual(assess(with_answers(q1a="Yes", q2a="Yes", q3a="No")).outcome, DELIBERATE_HARM)
		self.assertEqual(assess(with_answers(q2c="Yes", q3a="No", q4a="Yes")).outcome, HEALTH_ROUTE)
		self.assertEqual(assess(with_answers(q3c="No", q4b="Yes")).decided_by, ("3c",))

	def test_unknown_before_a_decision_means_insufficient_evidence(self):
		found = assess(with_answers(q1a="Unknown", q2a="Yes"))
		self.assertEqual((found.outcome, found.needs_evidence), (INSUFFICIENT_EVIDENCE, ("1a",)))
		found = assess(with_answers(q3a="Unknown", q3b="Unknown"))
		self.assertEqual((found.outcome, found.needs_evidence), (INSUFFICIENT_EVIDENCE, ("3a", "3b")))
		self.assertEqual(assess({}).needs_evidence, ("1a",))

	def test_a_system_review_is_called_for_once_the_guide_reaches_an_outcome(self):
		self.assertFalse(assess({}).system_review_needed, "a blank review has reached no outcome")
		self.assertFalse(assess(with_answers(q3a="Unknown")).system_review_needed)
		self.assertTrue(assess(with_answers(q1a="Yes")).system_review_needed)
		self.assertTrue(assess(CLEAR).system_review_needed)

	def test_a_decisive_answer_in_the_same_test_outweighs_an_unknown(self):
		found = assess(with_answers(q2a="Unknown", q2b="Yes"))
		self.assertEqual((found.outcome, found.decided_by), (HEALTH_ROUTE, ("2b",)))
		found = assess(with_answers(q4a="Unknown", q4c="Yes"))
		self.assertEqual(found.outcome, SYSTEM_FAILURE)

	def test_unknown_after_a_decision_does_not_matter(self):
		self.assertEqual(assess(with_answers(q3a="No", q4a="Unknown", q5a="Unknown")).outcome, SYSTEM_FAILURE)

	def test_anything_but_yes_or_no_is_unknown(self):
		self.assertEqual(assess(with_answers(q5a="maybe")).outcome, INSUFFICIENT_EVIDENCE)
