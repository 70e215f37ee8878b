import datetime
import itertools
import unittest

from lnb_casework.casework.rules import action_between
from lnb_casework.demo.plan import (
	CASE_STATES,
	DOMAIN,
	PATHS,
	REVIEW_STATES,
	SIZES,
	caseworkers,
	doctor_email,
	move_dates,
	plan_case,
)
from lnb_casework.intake.sealed_answers import ANSWER_CODES

TODAY = datetime.date(2026, 6, 1)
CHOICES = {
	"discrimination": ["", "Yes", "No", "Not sure", "Prefer not to say"],
	"contact_preference": ["", "Email", "Phone", "Either"],
	"grade": ["", "Consultant", "Foundation doctor"],
	"wellbeing": ["", "I am safe and do not need urgent support", "I need urgent support"],
	"processes.process_type": ["", "MHPS investigation", "Grievance", "Other"],
	"discrimination_kinds.kind": ["", "Race", "Sex", "Age"],
	**{question: ["", *answers] for question, answers in ANSWER_CODES.items()},
}


def plans(size: str, prefix: str = "demo"):
	return [plan_case(number, SIZES[size], prefix, TODAY, CHOICES) for number in range(1, SIZES[size] + 1)]


class TestPlan(unittest.TestCase):
	def test_each_path_is_made_of_workflow_moves(self):
		for state, path in PATHS.items():
			steps = ["New", *path]
			for before, after in itertools.pairwise(steps):
				self.assertIsNotNone(action_between(before, after), f"{before} → {after}")
			self.assertEqual(steps[-1], state)

	def test_demo_reaches_every_case_and_review_state(self):
		demo = plans("demo")
		self.assertEqual({plan.state for plan in demo}, set(CASE_STATES))
		self.assertEqual({plan.review.state for plan in demo if plan.review}, set(REVIEW_STATES))

	def test_a_case_is_the_same_every_time_and_different_from_the_next(self):
		first = plan_case(7, 27, "demo", TODAY, CHOICES)
		self.assertEqual(first, plan_case(7, 27, "demo", TODAY, CHOICES))
		self.assertNotEqual(first.answers, plan_case(8, 27, "demo", TODAY, CHOICES).answers)

	def test_everyone_is_plainly_fictional(self):
		for plan in plans("demo"):
			self.assertTrue(plan.answers["email"].endswith(f"@{DOMAIN}"))
			self.assertTrue(plan.answers["phone"].startswith("07700 900"))
			self.assertNotIn("gmc_number", plan.answers)
			self.assertTrue(plan.answers["what_happened"].startswith("(Fictional case)"))
		self.assertEqual(doctor_email("demo", 3), f"demo-000003@{DOMAIN}")

	def test_cases_are_spread_over_years_and_never_in_the_future(self):
		opened = [plan.opened_on for plan in plans("demo")]
		self.assertGreater(max(opened) - min(opened), datetime.timedelta(days=180))
		self.assertTrue(all(when.date() < TODAY for when in opened))
		now = datetime.datetime(2026, 6, 1, 12)
		for plan in plans("demo"):
			dates = [plan.opened_on, *move_dates(plan, 5, now), now]
			self.assertEqual(dates, sorted(set(dates)), "each move after the last, before now")

	def test_answers_are_among_those_offered(self):
		for plan in plans("demo"):
			for question in ANSWER_CODES:
				answer = plan.answers.get(f"equality_{question}")
				self.assertIn(answer, (None, *ANSWER_CODES[question]))
			self.assertIn(plan.answers["grade"], CHOICES["grade"])

	def test_bulk_sizes_reach_every_state_and_weigh_ended_cases_most(self):
		sample = [plan_case(number, SIZES["10k"], "generated", TODAY, CHOICES) for number in range(1, 2001)]
		states = [plan.state for plan in sample]
		self.assertEqual(set(states), set(CASE_STATES))
		self.assertGreater(states.count("Closed"), len(states) / 3)

	def test_no_case_goes_to_a_caseworker_of_its_organisation_and_the_work_is_shared(self):
		for size, prefix in (("demo", "demo"), ("10k", "generated")):
			team = {person.email: person.organisation for person in caseworkers(SIZES[size])}
			sample = [plan_case(number, SIZES[size], prefix, TODAY, CHOICES) for number in range(1, 1001)]
			for plan in sample:
				self.assertNotEqual(team[plan.caseworker], plan.organisation)
			if size == "10k":
				self.assertEqual(len(team), SIZES["10k"] // 200)
				self.assertGreater(len({plan.caseworker for plan in sample}), len(team) * 0.9)
