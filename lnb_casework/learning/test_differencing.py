"""A differencing attacker against every perturbed and suppressed figure of the two reports about doctors,
on the real site, as a policy lead (who may run both): runs before and after a new intake, before and after
a withdrawal, and pairs of filtered runs whose cases differ by a few. Each attack is tried many times with
generated cases; the attacker's success rate is printed and must stay near chance
(docs/disclosure-control.md)."""

import random

import frappe
from frappe.desk.query_report import run
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate, today

from lnb_casework.casework.rules import COORDINATOR, POLICY_LEAD
from lnb_casework.casework.test_casework import case_in
from lnb_casework.intake.equality import QUESTION_LABELS, question_answers
from lnb_casework.learning.summary import refresh_issue
from lnb_casework.learning.test_perturbation import best_guess_of_difference, expected_success
from lnb_casework.lnb_casework.doctype.case.test_case import make_user, submit_through_form

EQUALITY = "Discrimination and Disproportionality"
SEIPS = "Systemic Issues by Organisation and SEIPS"
WHO, KINDS = "Who the doctors are", "Kinds of discrimination reported"
LEAD = "differencing-policy-lead@lnb.test"
COORDINATING = "differencing-coordinator@lnb.test"
BASE_YEAR = "2004"
ETHNIC = "ethnic_group"
TRIALS = {
	"intake": 40,
	"withdrawal": 40,
	"lone year": 40,
	"filters": 150,
	"joining": 100,
	"withdrawn": 100,
	"issue count": 100,
}


def figures(filters: dict) -> dict[tuple[str, str], object]:
	"""{(group, answer): figure} of one run, every row of the table and the summary."""
	result = run(EQUALITY, filters=filters)
	shown = {
		(row.get("question") or row.get("group"), row["answer"]): row["cases"] for row in result["result"]
	}
	shown.update({("summary", item["label"]): item["value"] for item in result["report_summary"]})
	return shown


def equality_runs(period: str) -> dict[tuple[str, str], object]:
	"""Everything a run of either view of the period shows."""
	return {**figures({"period": period, "view": WHO}), **figures({"period": period, "view": KINDS})}


def guess_from_changes(before: dict, after: dict, answers: list[str], rng: random.Random) -> str:
	"""The answer whose figure moved most between two runs (the one doctor's answer, were figures exact);
	a guess at random when no figure moved."""
	label = QUESTION_LABELS[ETHNIC]

	def number(figure) -> float | None:
		return figure if isinstance(figure, int) else None

	moved = {}
	for answer in answers:
		one, two = number(before.get((label, answer))), number(after.get((label, answer)))
		if one is not None and two is not None and one != two:
			moved[answer] = abs(two - one)
	if not moved:
		return rng.choice(answers)
	return max(moved, key=moved.get)


def seips_figure(trust: str, state: str) -> object:
	"""The case figure of the trust's row in one run of the SEIPS report, run by the policy lead."""
	frappe.set_user(LEAD)
	try:
		result = run(SEIPS, filters={"state": state, "organisation": trust})["result"]
	finally:
		frappe.set_user("Administrator")
	rows = {row["organisation"]: row for row in result}
	figure = rows[trust]["cases"]
	return int(figure) if figure.isdigit() else figure


def new_trust() -> str:
	"""A trust of its own for one trial, so that no trial's issues are in another's runs."""
	return (
		frappe.get_doc(
			{
				"doctype": "Healthcare Organisation",
				"organisation_name": f"Differencing Trust {frappe.generate_hash(length=8)}",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def make_issue(trust: str, state: str, cases: list[str]) -> str:
	name = (
		frappe.get_doc(
			{
				"doctype": "Systemic Issue",
				"title": f"Differencing {frappe.generate_hash(length=6)}",
				"severity": "Medium",
				"seips_components": [{"seips_component": "Organisation"}],
				"organisations": [{"organisation": trust}],
			}
		)
		.insert(ignore_permissions=True)
		.name
	)
	frappe.db.set_value("Systemic Issue", name, {"workflow_state": state, "closed_reason": "Done."})
	add_evidence(name, *cases)
	return name


def add_evidence(issue: str, *cases: str) -> None:
	"""Evidence rows written in one statement: the report reads them as any others, and thousands of
	trials stay quick."""
	now = frappe.utils.now()
	frappe.db.bulk_insert(
		"Systemic Issue Evidence",
		["name", "systemic_issue", "case", "seen_on", "creation", "modified", "owner", "modified_by"],
		[
			(
				frappe.generate_hash(length=12),
				issue,
				case,
				"2026-10-01",
				now,
				now,
				"Administrator",
				"Administrator",
			)
			for case in cases
		],
	)


def report(attack: str, attempts: int, successes: int, chance: float, exact_successes: int) -> float:
	"""Prints the attack's counts; exact_successes is how often the same attacker would be right were the
	figures exact (no perturbation, no fixed periods)."""
	rate = successes / attempts
	print(
		f"\ndifferencing attack '{attack}': {attempts} attempts, attacker right {successes} times "
		f"({rate:.1%}; chance {chance:.0%}; {exact_successes / attempts:.0%} were the figures exact)"
	)
	return rate


class TestDifferencingAttacker(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(LEAD, POLICY_LEAD)
		make_user(COORDINATING, COORDINATOR)
		settings = frappe.get_single("LNB Settings")
		settings.small_number_threshold = 5
		settings.save(ignore_permissions=True)
		cls.rng = random.Random(20261201)
		cls.ethnic_answers = question_answers(ETHNIC)
		cls.answer_of = {}
		# a closed year with forty doctors
		cls.base_cases = [cls.seed(f"{BASE_YEAR}-05-01 10:00:00") for _ in range(40)]
		# cases behind the SEIPS report's issues
		cls.pool = [case_in("Under Review") for _ in range(45)]

	@classmethod
	def seed(cls, received: str | None = None, answer: str | None = None) -> str:
		answer = answer or cls.rng.choice(cls.ethnic_answers)
		case = submit_through_form(
			email=f"{frappe.generate_hash(length=10)}@example.com",
			gmc_number="",
			equality_ethnic_group=answer,
			discrimination=cls.rng.choice(("Yes", "No", "Not sure")),
		)
		if received:
			frappe.db.set_value("Case", case.name, "creation", received, update_modified=False)
		cls.answer_of[case.name] = answer
		return case.name

	def setUp(self):
		frappe.set_user(LEAD)

	def tearDown(self):
		frappe.set_user("Administrator")

	# ---- the equality report

	def test_a_new_intake_changes_no_published_figure(self):
		before = equality_runs(BASE_YEAR)
		this_year = str(getdate(today()).year)
		right = exact = refused = 0
		for _trial in range(TRIALS["intake"]):
			frappe.set_user("Administrator")
			newcomer = self.seed()
			frappe.set_user(LEAD)
			after = equality_runs(BASE_YEAR)
			self.assertEqual(after, before, "a closed year never changes")
			right += (
				guess_from_changes(before, after, self.ethnic_answers, self.rng) == self.answer_of[newcomer]
			)
			# the year the newcomer came in is still open: the attacker may not run it
			with self.assertRaises(frappe.ValidationError):
				run(EQUALITY, filters={"period": this_year})
			refused += 1
			# on exact counts of the year it came in, the newcomer's answer is the one count that grew
			exact += 1
		rate = report("new intake", TRIALS["intake"], right, 1 / len(self.ethnic_answers), exact)
		print(f"  runs of the open year refused: {refused}")
		self.assertLess(rate, 1 / len(self.ethnic_answers) + 0.25)

	def test_a_withdrawal_changes_no_published_figure(self):
		before = equality_runs(BASE_YEAR)
		right = exact = 0
		for case in self.rng.sample(self.base_cases, TRIALS["withdrawal"]):
			frappe.set_user("Administrator")
			frappe.db.set_value("Case", case, "withdrawal_reason", "The doctor asked us to stop.")
			frappe.set_user(COORDINATING)
			apply_workflow(frappe.get_doc("Case", case), "Withdraw")
			frappe.set_user(LEAD)
			after = equality_runs(BASE_YEAR)
			self.assertEqual(after, before, "a closed year never changes")
			right += guess_from_changes(before, after, self.ethnic_answers, self.rng) == self.answer_of[case]
			# were withdrawn cases left out of exact counts, the withdrawn doctor's count would fall by one
			exact += 1
		self.assertEqual(frappe.db.get_value("Case", case, "workflow_state"), "Withdrawn")
		rate = report("withdrawal", TRIALS["withdrawal"], right, 1 / len(self.ethnic_answers), exact)
		self.assertLess(rate, 1 / len(self.ethnic_answers) + 0.25)

	def test_no_two_periods_single_out_a_doctor(self):
		"""A doctor alone in a year: the attacker runs that year and the others, in both views, and
		compares every row of every pair of runs."""
		base = equality_runs(BASE_YEAR)
		right = compared = exact = 0
		for trial in range(TRIALS["lone year"]):
			year = str(1950 + trial)
			frappe.set_user("Administrator")
			lone = self.seed(f"{year}-07-01 12:00:00")
			frappe.set_user(LEAD)
			alone = equality_runs(year)
			compared += len(set(alone) & set(base))
			# what an attacker could use: rows whose figure is a number in the lone year's run
			label = QUESTION_LABELS[ETHNIC]
			numbers = {
				answer: alone[(label, answer)]
				for answer in self.ethnic_answers
				if isinstance(alone.get((label, answer)), int) and alone[(label, answer)] > 0
			}
			guess = max(numbers, key=numbers.get) if numbers else self.rng.choice(self.ethnic_answers)
			right += guess == self.answer_of[lone]
			# exact and unsuppressed, the lone doctor's answer is the one count of 1
			exact += 1
			# one doctor: nothing of the year shows but a perturbed total (0 or "<5")
			self.assertIn(alone[("summary", "Cases in the period")], ("0", "<5"))
			self.assertEqual({alone[(label, answer)] for answer in self.ethnic_answers} - {0, "[c]"}, set())
		rate = report(
			"a doctor alone in a year, against the other years",
			TRIALS["lone year"],
			right,
			1 / len(self.ethnic_answers),
			exact,
		)
		print(f"  rows compared between runs: {compared}")
		self.assertLess(rate, 1 / len(self.ethnic_answers) + 0.25)

	def test_the_same_period_shows_the_same_figures_whatever_the_other_filters(self):
		frappe.set_user(LEAD)
		runs = [
			figures({"period": BASE_YEAR, "view": WHO, "question": question})
			for question in (None, *QUESTION_LABELS.values())
		]
		self.assertTrue(all(one == runs[0] for one in runs[1:]))

	# ---- the SEIPS report and the issues' own counts: the same cases, the same figure

	def count_trials(self, attack: str, trials: int, make_pair) -> None:
		right = exact = 0
		for _trial in range(trials):
			shared = self.rng.sample(self.pool, self.rng.randint(5, 30))
			others = [case for case in self.pool if case not in shared]
			isolated = self.rng.sample(others, self.rng.randint(1, 4))
			frappe.set_user("Administrator")
			trust = new_trust()
			without, with_them = make_pair(trust, shared, isolated)
			right += best_guess_of_difference(without, with_them) == len(isolated)
			exact += len({*shared, *isolated}) - len(set(shared)) == len(isolated)
		rate = report(attack, trials, right, 0.25, exact)
		# what the p-table lets the best attacker get, given the sizes drawn here: the site must do no better
		expected = expected_success(range(5, 31))
		print(f"  expected of the best attacker who knows the p-table: {expected:.1%}")
		self.assertLess(expected, 0.45)
		self.assertLess(rate, expected + 4 * (expected * (1 - expected) / trials) ** 0.5)

	def test_two_filtered_runs_give_only_a_noisy_difference(self):
		"""Open issues against all issues at one trust: the cases only a closed issue has are 1 to 4."""

		def make_pair(trust, shared, isolated):
			make_issue(trust, "Identified", shared)
			make_issue(trust, "Closed", isolated)
			return seips_figure(trust, "Open"), seips_figure(trust, "All")

		self.count_trials("two filtered runs (open against all issues)", TRIALS["filters"], make_pair)

	def test_runs_before_and_after_cases_join_give_only_a_noisy_difference(self):
		def make_pair(trust, shared, isolated):
			issue = make_issue(trust, "Identified", shared)
			before = seips_figure(trust, "Open")
			add_evidence(issue, *isolated)
			return before, seips_figure(trust, "Open")

		self.count_trials("before and after cases join an issue", TRIALS["joining"], make_pair)

	def test_runs_before_and_after_withdrawals_give_only_a_noisy_difference(self):
		def make_pair(trust, shared, isolated):
			make_issue(trust, "Identified", [*shared, *isolated])
			before = seips_figure(trust, "Open")
			frappe.db.set_value("Case", {"name": ("in", isolated)}, "workflow_state", "Withdrawn")
			after = seips_figure(trust, "Open")
			frappe.db.set_value("Case", {"name": ("in", isolated)}, "workflow_state", "Under Review")
			return after, before

		self.count_trials("before and after withdrawals", TRIALS["withdrawn"], make_pair)

	def test_an_issues_own_count_before_and_after_cases_join_gives_only_a_noisy_difference(self):
		"""The count a systemic issue shows to everyone, read as the policy lead reads it."""

		def case_count(issue: str) -> object:
			refresh_issue(issue)
			frappe.set_user(LEAD)
			try:
				figure = frappe.get_doc("Systemic Issue", issue).case_count
			finally:
				frappe.set_user("Administrator")
			return int(figure) if figure.isdigit() else figure

		def make_pair(trust, shared, isolated):
			issue = make_issue(trust, "Identified", shared)
			before = case_count(issue)
			add_evidence(issue, *isolated)
			return before, case_count(issue)

		self.count_trials(
			"an issue's case count before and after cases join", TRIALS["issue count"], make_pair
		)
