"""The disclosure-control module's public functions, without a database (docs/disclosure-control.md): each
figure is the published count of its records, suppressed with the figures it adds up with, and held back
whole where the rules say so."""

import unittest

from lnb_casework.learning.disclosure import (
	DEFAULT_THRESHOLD,
	MAX_NOISE,
	SECONDARY_MARKER,
	Disclosure,
	held_back,
	is_suppressed,
	ratio,
	suppressed_marker,
)
from lnb_casework.learning.perturbation import Perturbation, derive_secret
from lnb_casework.learning.suppression import suppress_linked_lines

SMALL = suppressed_marker(DEFAULT_THRESHOLD)
PERTURBATION = Perturbation(derive_secret("a site key used only by these tests"))


def records(prefix: str, count: int) -> list[str]:
	return [f"{prefix}-{number}" for number in range(count)]


def find(prefix: str, count: int, published: int) -> list[str]:
	"""`count` records whose published count is `published` (a search over record names)."""
	for attempt in range(10_000):
		found = records(f"{prefix}{attempt}", count)
		if PERTURBATION.count(found) == published:
			return found
	raise AssertionError(f"no {count} records publish {published}")


class TestHeldBackAndRatio(unittest.TestCase):
	def test_held_back_hides_every_figure_keeping_keys_and_order(self):
		self.assertEqual(
			held_back({"b": 7, "a": 0, "c": "<5"}),
			{"b": SECONDARY_MARKER, "a": SECONDARY_MARKER, "c": SECONDARY_MARKER},
		)
		self.assertEqual(list(held_back({"b": 1, "a": 2})), ["b", "a"])

	def test_ratio_is_the_share_over_the_reference_share(self):
		self.assertEqual(ratio(40.0, 20.0), 2.0)
		self.assertEqual(ratio(10.0, 30.0), 0.33)

	def test_ratio_is_hidden_with_its_share_and_missing_without_a_reference(self):
		self.assertEqual(ratio(SECONDARY_MARKER, 20.0), SECONDARY_MARKER)
		self.assertEqual(ratio(SMALL, 20.0), SECONDARY_MARKER)
		self.assertIsNone(ratio(40.0, None))
		self.assertIsNone(ratio(40.0, 0))
		self.assertIsNone(ratio(None, 20.0))


class TestCounts(unittest.TestCase):
	def setUp(self):
		self.disclosure = Disclosure(PERTURBATION)

	def test_a_lone_count_is_the_published_count_or_the_marker(self):
		for size in range(0, 40):
			cases = records("lone", size)
			published = PERTURBATION.count(cases)
			shown = self.disclosure.count(cases)
			self.assertLessEqual(abs(published - size), MAX_NOISE)
			self.assertEqual(shown, SMALL if 0 < published < DEFAULT_THRESHOLD else published)

	def test_a_record_named_twice_counts_once(self):
		cases = records("twice", 9)
		self.assertEqual(self.disclosure.count(cases + cases), self.disclosure.count(cases))

	def test_a_count_never_shows_one_or_two(self):
		for size in range(1, 5):
			for attempt in range(50):
				shown = self.disclosure.count(records(f"few{attempt}-", size))
				self.assertIn(shown, (0, SMALL))

	def test_counts_that_add_up_to_nothing_shown_are_suppressed_alone(self):
		big, small = find("big", 30, 30), find("small", 3, 3)
		# the same records in both cells: nothing adds up, so a small cell hides nothing else
		shown = self.disclosure.counts({"big": big, "small": small, "again": big})
		self.assertEqual(shown, {"big": 30, "small": SMALL, "again": 30})

	def test_the_threshold_is_the_disclosures_own(self):
		cases = find("threshold", 7, 7)
		self.assertEqual(Disclosure(PERTURBATION, threshold=10).count(cases), "<10")
		self.assertEqual(Disclosure(PERTURBATION, threshold=3).count(cases), 7)


class TestCountsWithTotal(unittest.TestCase):
	def setUp(self):
		self.disclosure = Disclosure(PERTURBATION)

	def test_a_lone_small_cell_takes_the_next_smallest_with_it(self):
		small, middle, large = find("a", 3, 3), find("b", 20, 20), find("c", 40, 40)
		shown, total = self.disclosure.counts_with_total({"small": small, "middle": middle, "large": large})
		self.assertEqual(shown, {"small": SMALL, "middle": SECONDARY_MARKER, "large": 40})
		self.assertEqual(total, PERTURBATION.count(small + middle + large))

	def test_the_total_counts_every_record_once_by_default(self):
		first, second = records("first", 20), records("second", 20)
		# an issue seen at two organisations: its cases are in both rows and once in the total
		_shown, total = self.disclosure.counts_with_total({"here": first + second, "there": second})
		self.assertEqual(total, PERTURBATION.count(first + second))

	def test_the_total_may_count_records_of_its_own(self):
		cells = {"a": records("own-a", 12), "b": records("own-b", 15)}
		everyone = [*cells["a"], *cells["b"], *records("own-rest", 10)]
		values = [
			PERTURBATION.count(cells["a"]),
			PERTURBATION.count(cells["b"]),
			PERTURBATION.count(everyone),
		]
		expected = suppress_linked_lines(values, [([0, 1], 2)], DEFAULT_THRESHOLD)
		shown, total = self.disclosure.counts_with_total(cells, everyone)
		self.assertEqual([*shown.values(), total], expected)

	def test_generators_are_read_once_and_kept(self):
		shown, _total = self.disclosure.counts_with_total({"a": iter(records("gen", 30))})
		self.assertEqual(shown["a"], PERTURBATION.count(records("gen", 30)))

	def test_breakdown_sorts_labels_and_publishes_them_with_their_total(self):
		pairs = [("Zeta", case) for case in records("z", 25)] + [("Alpha", case) for case in records("a", 30)]
		breakdown = self.disclosure.breakdown(pairs)
		self.assertEqual(list(breakdown["counts"]), ["Alpha", "Zeta"])
		shown, total = self.disclosure.counts_with_total(
			{"Alpha": records("a", 30), "Zeta": records("z", 25)}
		)
		self.assertEqual(breakdown, {"counts": shown, "total": total})

	def test_table_publishes_each_cell_without_totals(self):
		table = self.disclosure.table(
			{"2026-01": {"Race": records("t1", 20)}, "2026-02": {"Age": records("t2", 30)}}
		)
		self.assertEqual(
			table,
			{
				"2026-01": {"Race": PERTURBATION.count(records("t1", 20)), "Age": 0},
				"2026-02": {"Race": 0, "Age": PERTURBATION.count(records("t2", 30))},
			},
		)


class TestPeriod(unittest.TestCase):
	def setUp(self):
		self.disclosure = Disclosure(PERTURBATION)

	def test_period_total_is_never_held_back(self):
		self.assertEqual(self.disclosure.period_total(find("pt", 3, 3)), SMALL)
		self.assertEqual(self.disclosure.period_total(find("pt0", 1, 0)), 0)
		cases = records("pt-big", 50)
		self.assertEqual(self.disclosure.period_total(cases), PERTURBATION.count(cases))

	def test_a_period_with_too_few_cases_shows_nothing_of_them(self):
		cases = find("few", 4, 4)
		cells = {"Yes": cases[:2], "No": cases[2:]}
		self.assertEqual(
			self.disclosure.period_breakdown(cells, cases), {"Yes": SECONDARY_MARKER, "No": SECONDARY_MARKER}
		)
		self.assertEqual(
			self.disclosure.period_counts(cells, cases), {"Yes": SECONDARY_MARKER, "No": SECONDARY_MARKER}
		)

	def test_a_period_with_enough_cases_is_suppressed_as_a_line(self):
		yes, no = find("yes", 20, 20), find("no", 3, 3)
		cases = yes + no
		shown = self.disclosure.period_breakdown({"Yes": yes, "No": no}, cases)
		values = [20, 3, PERTURBATION.count(cases)]
		expected = suppress_linked_lines(values, [([0, 1], 2)], DEFAULT_THRESHOLD)
		self.assertEqual(list(shown.values()), expected[:2])
		self.assertTrue(all(is_suppressed(figure) for figure in shown.values()))

	def test_period_counts_stand_alone(self):
		race, age = find("race", 20, 20), find("age", 3, 3)
		cases = race + age
		self.assertEqual(
			self.disclosure.period_counts({"Race": race, "Age": age}, cases), {"Race": 20, "Age": SMALL}
		)


class TestQuestion(unittest.TestCase):
	def setUp(self):
		self.disclosure = Disclosure(PERTURBATION)

	def test_answers_shares_and_the_rest_of_a_question(self):
		white, asian = find("white", 30, 30), find("asian", 20, 20)
		prefer, unanswered = find("pnts", 10, 10), find("none", 12, 12)
		cases = white + asian + prefer + unanswered
		figures = self.disclosure.question({"White": white, "Asian": asian}, prefer, unanswered, cases)
		answered = PERTURBATION.count(white + asian)
		total = PERTURBATION.count(cases)
		expected = suppress_linked_lines(
			[30, 20, answered, 10, 12, total], [([0, 1], 2), ([2, 3, 4], 5)], DEFAULT_THRESHOLD
		)
		self.assertEqual(figures.answers, {"White": expected[0], "Asian": expected[1]})
		self.assertEqual(
			(figures.answered, figures.prefer_not_to_say, figures.not_answered), tuple(expected[2:5])
		)
		self.assertEqual(figures.total, total)
		self.assertEqual(figures.shares, {"White": 100 * 30 / answered, "Asian": 100 * 20 / answered})

	def test_a_hidden_answer_hides_its_share(self):
		white, mixed = find("w", 40, 40), find("m", 3, 3)
		prefer, unanswered = find("p", 10, 10), find("n", 10, 10)
		cases = white + mixed + prefer + unanswered
		figures = self.disclosure.question({"White": white, "Mixed": mixed}, prefer, unanswered, cases)
		self.assertEqual(figures.answers["Mixed"], SMALL)
		self.assertEqual(figures.shares["Mixed"], SECONDARY_MARKER)
		# the one other answer would give the hidden one away, so it is held back too, with its share
		self.assertEqual(figures.answers["White"], SECONDARY_MARKER)
		self.assertEqual(figures.shares["White"], SECONDARY_MARKER)

	def test_a_question_too_few_answered_is_held_back_whole(self):
		answered = find("ans", 3, 3)
		unanswered = find("unans", 40, 40)
		cases = answered + unanswered
		figures = self.disclosure.question({"Yes": answered, "No": []}, [], unanswered, cases)
		self.assertEqual(figures.answers, {"Yes": SECONDARY_MARKER, "No": SECONDARY_MARKER})
		self.assertEqual(figures.shares, {"Yes": SECONDARY_MARKER, "No": SECONDARY_MARKER})
		self.assertEqual(
			(figures.answered, figures.prefer_not_to_say, figures.not_answered), (SECONDARY_MARKER,) * 3
		)
		# the period's total is shown as everywhere else
		self.assertEqual(figures.total, PERTURBATION.count(cases))

	def test_nobody_answering_gives_no_share(self):
		unanswered = find("silent", 20, 20)
		figures = self.disclosure.question({"Yes": []}, [], unanswered, unanswered)
		self.assertEqual(figures.answers, {"Yes": 0})
		self.assertEqual(figures.answered, 0)
		self.assertEqual(figures.shares, {"Yes": None})


if __name__ == "__main__":
	unittest.main()
