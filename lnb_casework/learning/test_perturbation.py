"""Cell key perturbation, without a database: the p-table's bounds and distribution, record and cell keys,
consistency, and what a differencing attacker who knows the p-table can still learn."""

import random
import unittest
from collections import Counter

from lnb_casework.learning.perturbation import (
	KEY_SPACE,
	LARGE_COUNT,
	MAX_NOISE,
	PTABLE,
	Perturbation,
	cell_key,
	derive_secret,
	key_order,
	ptable_row,
	publication_chances,
	published_count,
	record_key,
)
from lnb_casework.learning.suppression import suppressed_marker

SECRET = derive_secret("a site key used only by these tests")
ALL_KEYS = range(KEY_SPACE)


def shown(published: int, threshold: int = 5) -> int | str:
	"""A lone published count as primary suppression shows it."""
	return suppressed_marker(threshold) if 0 < published < threshold else published


def chance_shown(figure: int | str, true_count: int, threshold: int = 5) -> float:
	"""The chance that a cell with this true count shows this figure, its cell key unknown."""
	return sum(
		chance
		for published, chance in publication_chances(true_count).items()
		if figure == "[c]" or shown(published, threshold) == figure
	)


def best_guess_of_difference(
	figure_without: int | str,
	figure_with: int | str,
	differences=range(1, 5),
	threshold: int = 5,
	largest_count: int = 200,
) -> int:
	"""A differencing attacker's best guess of how many records one cell has more than another, from the
	two figures shown: the most likely difference, every true count and every difference alike beforehand.
	The two cells count different sets, so their cell keys are unrelated."""

	if isinstance(figure_without, int):
		counts = range(max(0, figure_without - MAX_NOISE), figure_without + MAX_NOISE + 1)
	elif figure_without == suppressed_marker(threshold):
		counts = range(1, threshold + MAX_NOISE)
	else:
		counts = range(largest_count + 1)

	def likelihood(difference: int) -> float:
		return sum(
			chance_shown(figure_without, count, threshold)
			* chance_shown(figure_with, count + difference, threshold)
			for count in counts
		)

	return max(differences, key=lambda difference: (likelihood(difference), -difference))


def expected_success(
	shared_sizes, differences=range(1, 5), threshold: int = 5, true_differences=None
) -> float:
	"""How often best_guess_of_difference (choosing among differences) is right, exactly, when the cells
	share a number of records drawn evenly from shared_sizes and differ by a number drawn evenly from
	true_differences (by default, differences), their noise unrelated (as record keys under a secret the
	attacker does not know, and a p-table whose rows take the keys in orders of their own, make it)."""
	true_differences = true_differences or differences
	guesses: dict[tuple, int] = {}
	right = 0.0
	for shared in shared_sizes:
		for difference in true_differences:
			for without, p_without in publication_chances(shared).items():
				for with_them, p_with in publication_chances(shared + difference).items():
					figures = (shown(without, threshold), shown(with_them, threshold))
					if figures not in guesses:
						guesses[figures] = best_guess_of_difference(*figures, differences, threshold)
					right += p_without * p_with * (guesses[figures] == difference)
	return right / (len(shared_sizes) * len(true_differences))


class TestPtable(unittest.TestCase):
	def test_every_row_shares_out_every_cell_key(self):
		for count in range(0, 300):
			self.assertEqual(sum(keys for _published, keys in ptable_row(count)), KEY_SPACE, count)

	def test_bounds_zero_and_never_one_or_two(self):
		published = Counter()
		for count in range(0, 1000):
			for key in ALL_KEYS:
				figure = published_count(count, key)
				published[figure] += 1
				self.assertGreaterEqual(figure, 0)
				self.assertLessEqual(abs(figure - count), MAX_NOISE, (count, key))
		self.assertEqual({published_count(0, key) for key in ALL_KEYS}, {0})
		self.assertEqual(published[1] + published[2], 0)
		print(f"\np-table: {1000 * KEY_SPACE} (count, cell key) pairs looked up, none outside ±{MAX_NOISE}")

	def test_one_and_two_may_show_as_zero_and_three_may_come_from_one_to_five(self):
		self.assertEqual(set(publication_chances(1)), {0, 3})
		self.assertEqual(set(publication_chances(2)), {0, 3, 4})
		self.assertEqual({count for count in range(10) if publication_chances(count).get(3)}, {1, 2, 3, 4, 5})
		self.assertEqual({count for count in range(10) if publication_chances(count).get(0)}, {0, 1, 2})

	def test_small_counts_stay_below_the_default_threshold(self):
		for count in range(1, LARGE_COUNT):
			self.assertTrue(all(published < 5 for published in publication_chances(count)), count)

	def test_noise_is_spread_evenly_and_unbiased_for_counts_from_five(self):
		for count in (5, 6, 17, 250, 10_000):
			chances = publication_chances(count)
			self.assertEqual(sorted(chances), list(range(count - 2, count + 3)))
			self.assertTrue(all(51 / 256 <= chance <= 52 / 256 for chance in chances.values()))
			self.assertAlmostEqual(sum(p * c for p, c in chances.items()), count)

	def test_small_rows_are_nearly_unbiased(self):
		for count, row in PTABLE.items():
			mean = sum(published * keys for published, keys in row) / KEY_SPACE
			self.assertLessEqual(abs(mean - count), 0.25, count)
		self.assertEqual(sum(p * k for p, k in PTABLE[2]), 2 * KEY_SPACE)

	def test_each_row_takes_the_keys_in_an_order_of_its_own(self):
		for count in (0, 1, 4, 5, 6, 300):
			self.assertEqual(sorted(key_order(count)), list(ALL_KEYS))
		self.assertNotEqual(key_order(5), key_order(6))
		# a count and the next, with the same cell key or one a little larger (a record whose key is 0 or
		# small): the noise of the two is about as unrelated as for two cell keys drawn at random
		for count in (5, 17, 120):
			for shift in (0, 1, 7, 51, 200):
				same = sum(
					published_count(count, key) - count
					== published_count(count + 1, (key + shift) % KEY_SPACE) - count - 1
					for key in ALL_KEYS
				)
				self.assertLess(abs(same / KEY_SPACE - 0.2), 0.1, (count, shift))

	def test_bad_input_is_refused(self):
		for count, key in ((-1, 0), (1.5, 0), (True, 0), (3, 256), (3, -1), (3, "7")):
			with self.assertRaises(ValueError):
				published_count(count, key)
		with self.assertRaises(ValueError):
			derive_secret("")
		with self.assertRaises(ValueError):
			Perturbation(b"short")


class TestKeys(unittest.TestCase):
	def test_record_keys_are_fixed_by_the_secret_and_nothing_else(self):
		self.assertEqual(record_key(SECRET, "LNB-2026-00001"), record_key(SECRET, "LNB-2026-00001"))
		self.assertEqual(derive_secret("k"), derive_secret(b"k"))
		other = derive_secret("another site's key")
		names = [f"LNB-2026-{number:05d}" for number in range(200)]
		same = sum(record_key(SECRET, name) == record_key(other, name) for name in names)
		self.assertLess(same, 10, "another site's keys are unrelated")

	def test_record_keys_are_spread_over_0_to_255(self):
		keys = Counter(record_key(SECRET, f"LNB-2026-{number:05d}") for number in range(25_600))
		self.assertEqual(set(keys), set(ALL_KEYS))
		# chi-square with 255 degrees of freedom: above 330 happens less than once in a thousand
		chi_square = sum((seen - 100) ** 2 / 100 for seen in keys.values())
		self.assertLess(chi_square, 330)

	def test_a_cell_key_is_the_sum_of_its_record_keys(self):
		self.assertEqual(cell_key([]), 0)
		self.assertEqual(cell_key([200, 100]), 44)
		rng = random.Random(7)
		for _ in range(100):
			one = [rng.randrange(KEY_SPACE) for _ in range(rng.randint(0, 20))]
			two = [rng.randrange(KEY_SPACE) for _ in range(rng.randint(0, 20))]
			self.assertEqual(cell_key(one + two), (cell_key(one) + cell_key(two)) % KEY_SPACE)


class TestConsistency(unittest.TestCase):
	def test_the_same_cases_always_publish_the_same_count(self):
		rng = random.Random(11)
		names = [f"LNB-2025-{number:05d}" for number in range(300)]
		for _ in range(200):
			cases = rng.sample(names, rng.randint(0, 60))
			first = Perturbation(SECRET).count(cases)
			shuffled = cases[:]
			rng.shuffle(shuffled)
			self.assertEqual(Perturbation(SECRET).count(shuffled + cases[:3]), first)
			self.assertLessEqual(abs(first - len(cases)), MAX_NOISE)

	def test_counts_keep_their_cells(self):
		perturbation = Perturbation(SECRET)
		cells = {"b": ["x", "y"], "a": [], "c": [f"r{n}" for n in range(9)]}
		counts = perturbation.counts(cells)
		self.assertEqual(list(counts), ["b", "a", "c"])
		self.assertEqual(counts["a"], 0)
		self.assertEqual(counts["c"], perturbation.count(cells["c"]))

	def test_noise_over_many_cells_of_one_size_follows_the_ptable(self):
		noise = Counter()
		trials = 10_000
		for trial in range(trials):
			noise[Perturbation(SECRET).count(f"c{trial}-{n}" for n in range(20)) - 20] += 1
		print(f"\nnoise over {trials} cells of 20: {dict(sorted(noise.items()))}")
		self.assertEqual(set(noise), {-2, -1, 0, 1, 2})
		for seen in noise.values():
			self.assertAlmostEqual(seen / trials, 0.2, delta=0.025)


class TestDifferencing(unittest.TestCase):
	"""Two cells whose cases differ by a few records (two filters, or a run before and after a change):
	what their published figures tell an attacker who knows the p-table but not the site's key."""

	def test_the_difference_of_two_cells_is_a_noisy_guess(self):
		rng = random.Random(2026)
		trials, right, right_unperturbed = 2000, 0, 0
		for trial in range(trials):
			perturbation = Perturbation(SECRET)
			shared = [f"t{trial}-s{n}" for n in range(rng.randint(5, 40))]
			isolated = [f"t{trial}-d{n}" for n in range(rng.randint(1, 4))]
			without = shown(perturbation.count(shared))
			with_them = shown(perturbation.count(shared + isolated))
			right += best_guess_of_difference(without, with_them) == len(isolated)
			right_unperturbed += len(shared + isolated) - len(shared) == len(isolated)
		rate = right / trials
		expected = expected_success(range(5, 41))
		print(
			f"\ndifferencing two cells {trials} times: the attacker's best guess of the 1 to 4 cases between "
			f"them was right {rate:.1%} of the time (chance 25%; {expected:.1%} expected; "
			f"{right_unperturbed / trials:.0%} without perturbation)"
		)
		self.assertEqual(right_unperturbed, trials)
		self.assertLess(expected, 0.45)
		self.assertAlmostEqual(rate, expected, delta=4 * (expected * (1 - expected) / trials) ** 0.5)

	def test_a_record_whose_key_is_zero_is_no_easier_to_single_out(self):
		"""A record with key 0 leaves the cell key as it was; the count still moves to another row."""
		zero = next(f"zero-{n}" for n in range(100_000) if record_key(SECRET, f"zero-{n}") == 0)
		rng = random.Random(9)
		trials, right = 2000, 0
		for trial in range(trials):
			perturbation = Perturbation(SECRET)
			shared = [f"z{trial}-{n}" for n in range(rng.randint(5, 40))]
			right += (
				best_guess_of_difference(
					shown(perturbation.count(shared)), shown(perturbation.count([*shared, zero]))
				)
				== 1
			)
		rate = right / trials
		expected = expected_success(range(5, 41), true_differences=[1])
		print(
			f"\na record whose key is 0, differenced {trials} times: the attacker's best guess was 1 "
			f"{rate:.1%} of the time, as for any one record ({expected:.1%} expected)"
		)
		self.assertAlmostEqual(rate, expected, delta=4 * (expected * (1 - expected) / trials) ** 0.5)

	def test_one_record_more_changes_the_figure_most_of_the_time(self):
		"""Why the reporting periods never overlap: a cell and the same cell with one more record publish
		the same figure only when the noise happens to take the record away again, so comparing two
		overlapping cells says, most of the time, which cells that one record is in."""
		rng = random.Random(5)
		trials = 4000
		changed = 0
		for trial in range(trials):
			perturbation = Perturbation(SECRET)
			cases = [f"m{trial}-{n}" for n in range(rng.randint(5, 40))]
			changed += perturbation.count(cases) != perturbation.count([*cases, f"m{trial}-one-more"])
		print(f"\none record more changed the published figure in {changed / trials:.1%} of {trials} cells")
		self.assertAlmostEqual(changed / trials, 1 - 4 * 51 * 51 / KEY_SPACE**2, delta=0.03)


if __name__ == "__main__":
	unittest.main()
