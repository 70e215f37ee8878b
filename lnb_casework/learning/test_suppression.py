"""Small-number suppression (lnb_casework.learning.suppression): pure, no database."""

import math
import random
import unittest
from fractions import Fraction

from lnb_casework.learning.suppression import (
	SECONDARY_MARKER,
	is_suppressed,
	suppress_counts,
	suppress_counts_with_total,
	suppress_linked_lines,
	suppress_table,
	suppress_table_with_totals,
	suppressed_marker,
	table_totals,
)

C = SECONDARY_MARKER


class TestMarker(unittest.TestCase):
	def test_marker_names_the_threshold(self):
		self.assertEqual(suppressed_marker(5), "<5")
		self.assertEqual(suppressed_marker(10), "<10")
		self.assertEqual(suppressed_marker(), "<5")

	def test_is_suppressed(self):
		self.assertTrue(is_suppressed("<5"))
		self.assertTrue(is_suppressed(C))
		self.assertFalse(is_suppressed(0))
		self.assertFalse(is_suppressed(12))


class TestSuppressCounts(unittest.TestCase):
	def test_nothing_below_the_threshold_is_unchanged(self):
		counts = {"Trust A": 5, "Trust B": 12, "Trust C": 7}
		self.assertEqual(suppress_counts_with_total(counts), (counts, 24))

	def test_one_small_value_hides_the_next_smallest_too(self):
		counts = {"Trust A": 3, "Trust B": 12, "Trust C": 7, "Trust D": 20}
		shown, total = suppress_counts_with_total(counts)
		self.assertEqual(shown, {"Trust A": "<5", "Trust B": 12, "Trust C": C, "Trust D": 20})
		self.assertEqual(list(shown), list(counts))
		self.assertEqual(total, 42)
		self.assertEqual(suppress_counts(counts), shown)

	def test_without_a_total_only_small_values_are_hidden(self):
		counts = {"Trust A": 3, "Trust B": 12, "Trust C": 7}
		self.assertEqual(
			suppress_counts(counts, total_shown=False), {"Trust A": "<5", "Trust B": 12, "Trust C": 7}
		)

	def test_two_small_values_need_nothing_more(self):
		self.assertEqual(
			suppress_counts_with_total({"a": 2, "b": 9, "c": 3}), ({"a": "<5", "b": 9, "c": "<5"}, 14)
		)

	def test_all_small(self):
		self.assertEqual(
			suppress_counts_with_total({"a": 1, "b": 2, "c": 3}), ({"a": "<5", "b": "<5", "c": "<5"}, 6)
		)
		# a small total is hidden too
		self.assertEqual(suppress_counts_with_total({"a": 1, "b": 2}), ({"a": "<5", "b": "<5"}, "<5"))

	def test_zeros_show_as_zero(self):
		self.assertEqual(
			suppress_counts_with_total({"a": 0, "b": 3, "c": 9, "d": 0, "e": 11}),
			({"a": 0, "b": "<5", "c": C, "d": 0, "e": 11}, 23),
		)
		# the only non-zero value is small: nothing else to hide, and the total hides itself
		self.assertEqual(
			suppress_counts_with_total({"a": 0, "b": 3, "c": 0}), ({"a": 0, "b": "<5", "c": 0}, "<5")
		)
		self.assertEqual(suppress_counts_with_total({"a": 0, "b": 0}), ({"a": 0, "b": 0}, 0))
		self.assertEqual(suppress_counts_with_total({}), ({}, 0))

	def test_a_tie_for_next_smallest_takes_the_first_in_order(self):
		self.assertEqual(
			suppress_counts({"a": 2, "b": 8, "c": 9, "d": 8}), {"a": "<5", "b": C, "c": 9, "d": 8}
		)
		self.assertEqual(
			suppress_counts({"d": 8, "c": 9, "b": 8, "a": 2}), {"d": C, "c": 9, "b": 8, "a": "<5"}
		)

	def test_hidden_values_that_their_ranges_give_away_hide_one_more(self):
		# "<5" + "[c]" = 6 with "[c]" at least 5: the "<5" would be 1
		self.assertEqual(
			suppress_counts_with_total({"a": 1, "b": 5, "c": 100}), ({"a": "<5", "b": C, "c": C}, 106)
		)
		# two "<5" that add up to 2 are both 1
		self.assertEqual(
			suppress_counts_with_total({"a": 1, "b": 1, "c": 60}), ({"a": "<5", "b": "<5", "c": C}, 62)
		)
		# 2 + 5 = 7: the "<5" is 1 or 2, the "[c]" 5 or 6; nothing is given away
		self.assertEqual(
			suppress_counts_with_total({"a": 2, "b": 5, "c": 100}), ({"a": "<5", "b": C, "c": 100}, 107)
		)

	def test_threshold(self):
		self.assertEqual(
			suppress_counts_with_total({"a": 7, "b": 12, "c": 30}, threshold=10),
			({"a": "<10", "b": C, "c": 30}, 49),
		)
		self.assertEqual(suppress_counts({"a": 1, "b": 12}, threshold=1), {"a": 1, "b": 12})

	def test_bad_input(self):
		with self.assertRaises(ValueError):
			suppress_counts({"a": -1})
		with self.assertRaises(ValueError):
			suppress_counts({"a": 1}, threshold=0)
		with self.assertRaises(ValueError):
			suppress_table({"r": {"c": 1.5}})


# rows are organisations, columns months
FORCED = {
	"Trust A": {"2025-01": 3, "2025-02": 10},
	"Trust B": {"2025-01": 8, "2025-02": 20},
	"Trust C": {"2025-01": 9, "2025-02": 25},
}


class TestSuppressLinkedLines(unittest.TestCase):
	# answers 0-2 add up to 3 (those who answered); 3, 4 and 5 add up to 6 (everyone)
	LINES = (((0, 1, 2), 3), ((3, 4, 5), 6))

	def test_each_line_hides_a_second_figure_when_it_hides_one(self):
		self.assertEqual(
			suppress_linked_lines([7, 3, 10, 20, 3, 6, 29], self.LINES),
			["[c]", "<5", 10, 20, "<5", "[c]", 29],
		)

	def test_a_hidden_subtotal_is_protected_in_both_lines(self):
		shown = suppress_linked_lines([1, 2, 0, 3, 8, 9, 20], self.LINES)
		self.assertEqual(shown[:4], ["<5", "<5", 0, "<5"])
		self.assertEqual(shown[6], 20)
		self.assertEqual(sum(1 for figure in shown[3:6] if isinstance(figure, str)), 2)

	def test_nothing_small_hides_nothing(self):
		self.assertEqual(suppress_linked_lines([5, 6, 0, 11, 5, 0, 16], self.LINES), [5, 6, 0, 11, 5, 0, 16])

	def test_counts_are_checked(self):
		with self.assertRaises(ValueError):
			suppress_linked_lines([-1, 2, 1], [([0, 1], 2)])


class TestSuppressTable(unittest.TestCase):
	def test_nothing_small_is_unchanged(self):
		table = {"A": {"x": 5, "y": 6}, "B": {"x": 7, "y": 8}}
		self.assertEqual(suppress_table(table), table)
		self.assertEqual(table_totals(table), ({"A": 11, "B": 15}, {"x": 12, "y": 14}, 26))

	def test_a_row_forces_a_column_which_forces_a_row(self):
		# Trust A's 3 hides its February 10 (row A); January then has one hidden cell, so its next
		# smallest (Trust B's 8) goes; that leaves row B with one, so Trust B's February 20 goes too.
		self.assertEqual(
			suppress_table(FORCED),
			{
				"Trust A": {"2025-01": "<5", "2025-02": C},
				"Trust B": {"2025-01": C, "2025-02": C},
				"Trust C": {"2025-01": 9, "2025-02": 25},
			},
		)
		self.assertEqual(
			table_totals(FORCED),
			({"Trust A": 13, "Trust B": 28, "Trust C": 34}, {"2025-01": 20, "2025-02": 55}, 75),
		)

	def test_only_the_totals_shown_count(self):
		self.assertEqual(
			suppress_table(FORCED, column_totals=False),
			{
				"Trust A": {"2025-01": "<5", "2025-02": C},
				"Trust B": {"2025-01": 8, "2025-02": 20},
				"Trust C": {"2025-01": 9, "2025-02": 25},
			},
		)
		self.assertEqual(
			suppress_table(FORCED, row_totals=False),
			{
				"Trust A": {"2025-01": "<5", "2025-02": 10},
				"Trust B": {"2025-01": C, "2025-02": 20},
				"Trust C": {"2025-01": 9, "2025-02": 25},
			},
		)
		self.assertEqual(table_totals(FORCED, row_totals=False), ({}, {"2025-01": 20, "2025-02": 55}, 75))
		self.assertEqual(
			suppress_table(FORCED, row_totals=False, column_totals=False),
			{
				"Trust A": {"2025-01": "<5", "2025-02": 10},
				"Trust B": {"2025-01": 8, "2025-02": 20},
				"Trust C": {"2025-01": 9, "2025-02": 25},
			},
		)
		self.assertEqual(table_totals(FORCED, row_totals=False, column_totals=False), ({}, {}, None))

	def test_missing_cells_are_zero_and_every_row_gets_every_column(self):
		table = {"A": {"x": 6}, "B": {"y": 7, "x": 8}}
		self.assertEqual(suppress_table(table), {"A": {"x": 6, "y": 0}, "B": {"x": 8, "y": 7}})
		self.assertEqual(suppress_table({}), {})
		self.assertEqual(table_totals({}), ({}, {}, 0))

	def test_small_totals_are_hidden_and_cannot_be_worked_out_from_the_grand_total(self):
		table = {"A": {"Jan": 1, "Feb": 2}, "B": {"Jan": 10, "Feb": 20}, "C": {"Jan": 11, "Feb": 30}}
		result = suppress_table_with_totals(table)
		self.assertEqual(
			result.cells,
			{"A": {"Jan": "<5", "Feb": "<5"}, "B": {"Jan": C, "Feb": C}, "C": {"Jan": 11, "Feb": 30}},
		)
		# A's total of 3 is small; 74 - 30 - 41 would give it back, so B's total is hidden as well
		self.assertEqual(result.row_totals, {"A": "<5", "B": C, "C": 41})
		self.assertEqual(result.column_totals, {"Jan": 22, "Feb": 52})
		self.assertEqual(result.grand_total, 74)

	def test_a_small_grand_total(self):
		table = {"A": {"x": 1, "y": 0}, "B": {"x": 0, "y": 2}}
		result = suppress_table_with_totals(table)
		self.assertEqual(result.cells, {"A": {"x": "<5", "y": 0}, "B": {"x": 0, "y": "<5"}})
		self.assertEqual(result.row_totals, {"A": "<5", "B": "<5"})
		self.assertEqual(result.column_totals, {"x": "<5", "y": "<5"})
		self.assertEqual(result.grand_total, "<5")

	def test_a_single_row(self):
		result = suppress_table_with_totals({"A": {"x": 3, "y": 10}})
		self.assertEqual(result.cells, {"A": {"x": "<5", "y": C}})
		# y's column total equals its one cell
		self.assertEqual(result.column_totals, {"x": "<5", "y": C})
		self.assertEqual(result.row_totals, {"A": 13})
		self.assertEqual(result.grand_total, 13)

	def test_a_tie_prefers_a_cell_whose_other_line_already_has_a_hidden_one(self):
		table = {"A": {"x": 2, "y": 7, "z": 7}, "B": {"x": 9, "y": 9, "z": 3}}
		# row A hides 2; 7 and 7 tie and z already has B's 3 hidden, so A/z goes, closing rows and columns
		# x then has one hidden cell (A's 2) and hides B's 9, which row B then matches
		self.assertEqual(
			suppress_table(table), {"A": {"x": "<5", "y": 7, "z": C}, "B": {"x": C, "y": 9, "z": "<5"}}
		)

	def test_a_cell_joining_two_blocks_is_hidden_with_a_cell_that_closes_a_cycle(self):
		# every row and column has two or more hidden cells, but r1/c2's 1 would still be given away:
		# rows r0 and r1's hidden cells minus columns c0 and c1's hidden cells = (3 + 8) - (4 + 6) = 1
		table = {
			"r0": {"c0": 1, "c1": 2, "c2": 20, "c3": 30},
			"r1": {"c0": 3, "c1": 4, "c2": 1, "c3": 40},
			"r2": {"c0": 50, "c1": 60, "c2": 2, "c3": 3},
			"r3": {"c0": 70, "c1": 80, "c2": 4, "c3": 1},
		}
		self.assertEqual(
			suppress_table(table),
			{
				"r0": {"c0": "<5", "c1": "<5", "c2": C, "c3": 30},
				"r1": {"c0": "<5", "c1": "<5", "c2": "<5", "c3": 40},
				"r2": {"c0": 50, "c1": 60, "c2": "<5", "c3": "<5"},
				"r3": {"c0": 70, "c1": 80, "c2": "<5", "c3": "<5"},
			},
		)
		self.assertEqual(
			table_totals(table),
			({"r0": 53, "r1": 48, "r2": 115, "r3": 155}, {"c0": 124, "c1": 146, "c2": 27, "c3": 74}, 371),
		)


# property tests


def _lines(values, shown, rows, columns, row_totals, column_totals):
	"""Every published relation as ([(original, shown)...] of the parts, (original, shown) of its total)."""
	table_values, row_sum, column_sum, grand = values
	table_shown, row_shown, column_shown, grand_shown = shown
	lines = []
	if row_totals:
		for row in rows:
			lines.append(
				(
					[(table_values[row][c], table_shown[row][c]) for c in columns],
					(row_sum[row], row_shown[row]),
				)
			)
		lines.append(([(row_sum[r], row_shown[r]) for r in rows], (grand, grand_shown)))
	if column_totals:
		for column in columns:
			lines.append(
				(
					[(table_values[r][column], table_shown[r][column]) for r in rows],
					(column_sum[column], column_shown[column]),
				)
			)
		lines.append(([(column_sum[c], column_shown[c]) for c in columns], (grand, grand_shown)))
	return lines


def _reader_range(original, shown, threshold):
	if shown == suppressed_marker(threshold):
		return 1, threshold - 1
	return (threshold if original else 0), math.inf


def _given_away_by_its_line(parts, total, threshold):
	"""Whether a line's hidden figures pin one of them, as a reader who knows the ranges would see it."""
	members = [(*part, 1) for part in parts] + [(*total, -1)]
	hidden = [m for m in members if is_suppressed(m[1])]
	rest = sum(sign * original for original, shown, sign in members if not is_suppressed(shown))
	for i, (original, shown, sign) in enumerate(hidden):
		others = [m for j, m in enumerate(hidden) if j != i]
		lowest = sum(
			_reader_range(o, s, threshold)[0] if g > 0 else -_reader_range(o, s, threshold)[1]
			for o, s, g in others
		)
		highest = sum(
			_reader_range(o, s, threshold)[1] if g > 0 else -_reader_range(o, s, threshold)[0]
			for o, s, g in others
		)
		# sign * x + others + rest = 0
		candidates = sorted([(-rest - highest) * sign, (-rest - lowest) * sign])
		low, high = _reader_range(original, shown, threshold)
		if max(candidates[0], low) == min(candidates[1], high):
			return True
	return False


def _random_table(rng: random.Random, threshold: int) -> dict[str, dict[str, int]]:
	table = {}
	for r in range(rng.randint(0, 6)):
		row = {}
		for c in range(rng.randint(1, 6)):
			if rng.random() < 0.1:
				continue  # missing: 0
			kind = rng.random()
			row[f"c{c}"] = (
				0
				if kind < 0.25
				else rng.randint(1, threshold - 1)
				if kind < 0.65
				else rng.randint(threshold, 40)
			)
		table[f"r{r}"] = row
	return table


def _rank(matrix: list[list[Fraction]]) -> int:
	matrix = [row[:] for row in matrix]
	rank = 0
	width = len(matrix[0]) if matrix else 0
	for column in range(width):
		pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
		if pivot is None:
			continue
		matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
		for r in range(len(matrix)):
			if r != rank and matrix[r][column] != 0:
				factor = matrix[r][column] / matrix[rank][column]
				matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
		rank += 1
	return rank


class TestSuppressionProperties(unittest.TestCase):
	ITERATIONS = 300

	def check_table(self, table, threshold, row_totals, column_totals):
		result = suppress_table_with_totals(table, threshold, row_totals, column_totals)
		rows = list(table)
		columns = list(dict.fromkeys(c for row in table.values() for c in row))
		full = {r: {c: table[r].get(c, 0) for c in columns} for r in rows}
		row_sum = {r: sum(full[r].values()) for r in rows}
		column_sum = {c: sum(full[r][c] for r in rows) for c in columns}
		grand = sum(row_sum.values())
		marker = suppressed_marker(threshold)

		# shape, and every figure either its true value or a marker that tells the truth about it
		self.assertEqual(list(result.cells), rows)
		figures = [(full[r][c], result.cells[r][c]) for r in rows for c in columns]
		for r in rows:
			self.assertEqual(list(result.cells[r]), columns)
		self.assertEqual(list(result.row_totals), rows if row_totals else [])
		self.assertEqual(list(result.column_totals), columns if column_totals else [])
		figures += [(row_sum[r], result.row_totals[r]) for r in result.row_totals]
		figures += [(column_sum[c], result.column_totals[c]) for c in result.column_totals]
		if row_totals or column_totals:
			figures.append((grand, result.grand_total))
		else:
			self.assertIsNone(result.grand_total)
		for original, shown in figures:
			if 1 <= original < threshold:
				self.assertEqual(shown, marker)
			elif is_suppressed(shown):
				self.assertEqual(shown, SECONDARY_MARKER)
			else:
				self.assertEqual(shown, original)

		lines = _lines(
			(full, row_sum, column_sum, grand),
			(result.cells, result.row_totals, result.column_totals, result.grand_total),
			rows,
			columns,
			row_totals,
			column_totals,
		)
		for parts, total in lines:
			hidden_parts = sum(1 for _original, shown in parts if is_suppressed(shown))
			# the rule in docs/disclosure-control.md: no shown total with exactly one hidden figure under it
			if not is_suppressed(total[1]):
				self.assertNotEqual(hidden_parts, 1, (table, parts, total))
			# nor any line with a single hidden figure, the total counted among them
			self.assertNotEqual(hidden_parts + is_suppressed(total[1]), 1, (table, parts, total))
			# nor one whose hidden figures their ranges give away, unless nothing is left to hide
			if _given_away_by_its_line(parts, total, threshold):
				self.assertTrue(
					all(original == 0 for original, shown in [*parts, total] if not is_suppressed(shown)),
					(table, parts, total),
				)

		# no hidden figure follows from adding and subtracting the published relations
		hidden = {}
		for key, (_original, shown) in self._figure_keys(
			full, result, rows, columns, row_sum, column_sum, grand
		):
			if is_suppressed(shown):
				hidden[key] = len(hidden)
		matrix = []
		for members in self._relations(rows, columns, row_totals, column_totals):
			row = [Fraction(0)] * len(hidden)
			for key, sign in members:
				if key in hidden:
					row[hidden[key]] = Fraction(sign)
			matrix.append(row)
		if hidden:
			rank = _rank(matrix)
			for key, at in hidden.items():
				without = [[value for i, value in enumerate(row) if i != at] for row in matrix]
				self.assertEqual(_rank(without), rank, f"{key} can be worked out in {table}")

	@staticmethod
	def _figure_keys(full, result, rows, columns, row_sum, column_sum, grand):
		for r in rows:
			for c in columns:
				yield ("cell", r, c), (full[r][c], result.cells[r][c])
		for r in result.row_totals:
			yield ("row", r), (row_sum[r], result.row_totals[r])
		for c in result.column_totals:
			yield ("column", c), (column_sum[c], result.column_totals[c])
		if result.grand_total is not None:
			yield ("grand",), (grand, result.grand_total)

	@staticmethod
	def _relations(rows, columns, row_totals, column_totals):
		if row_totals:
			for r in rows:
				yield [(("cell", r, c), 1) for c in columns] + [(("row", r), -1)]
			yield [(("row", r), 1) for r in rows] + [(("grand",), -1)]
		if column_totals:
			for c in columns:
				yield [(("cell", r, c), 1) for r in rows] + [(("column", c), -1)]
			yield [(("column", c), 1) for c in columns] + [(("grand",), -1)]

	def test_random_tables_with_both_totals(self):
		rng = random.Random(20250501)
		for _ in range(self.ITERATIONS):
			threshold = rng.choice((3, 5, 5, 5, 10))
			self.check_table(_random_table(rng, threshold), threshold, True, True)

	def test_random_tables_with_one_margin_or_none(self):
		rng = random.Random(1729)
		for _ in range(self.ITERATIONS):
			threshold = rng.choice((3, 5, 10))
			table = _random_table(rng, threshold)
			for row_totals, column_totals in ((True, False), (False, True), (False, False)):
				self.check_table(table, threshold, row_totals, column_totals)

	def test_random_counts(self):
		rng = random.Random(42)
		for _ in range(self.ITERATIONS * 3):
			threshold = rng.choice((3, 5, 10))
			counts = {
				f"k{i}": rng.choice((0, rng.randint(1, threshold - 1), rng.randint(threshold, 60)))
				for i in range(rng.randint(0, 8))
			}
			shown, total = suppress_counts_with_total(counts, threshold)
			# the same as a one-row table with its row total
			as_table = suppress_table_with_totals(
				{"only": counts}, threshold, row_totals=True, column_totals=False
			)
			self.assertEqual(shown, as_table.cells.get("only", {}))
			if counts:
				self.assertEqual(total, as_table.row_totals["only"])
				self.check_table({"only": counts}, threshold, True, False)
			self.assertEqual(suppress_counts(counts, threshold), shown)
			hidden = [key for key, value in shown.items() if is_suppressed(value)]
			if not is_suppressed(total):
				self.assertNotEqual(len(hidden), 1, counts)
			for key, value in shown.items():
				if not is_suppressed(value):
					self.assertEqual(value, counts[key])
