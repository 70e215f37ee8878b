"""Small-number suppression: the engine behind lnb_casework/learning/disclosure.py, which is the module every
caller uses (docs/disclosure-control.md, "Small-number suppression on top").

Pure: no database and no Frappe. The disclosure module adds the footnotes (translated) explaining the markers.

Primary suppression
	A count with 1 <= count < threshold shows as ``suppressed_marker(threshold)``, "<5" by default.
	Totals are counts too: a total below the threshold shows as "<5" (a total of 3 would reveal the small
	cells under it).

Zeros
	A zero shows as 0. A true zero discloses no one, and hiding zeros would hide most of a sparse table.
	So "<5" always means 1 to 4. A zero is never hidden to protect itself, and is hidden to protect others
	only as a last resort (the cross-total rule below, when every other way is also zero).

Secondary suppression
	Figures published with their total form a relation: a row's cells add up to its row total, a column's
	to its column total, the row totals and the column totals each to the grand total. Each relation is a
	"line". Suppression is repeated until none of these rules asks for more (a fixed point, because hiding a
	figure for a row can leave its column with a single hidden figure):

	1. A line with exactly one hidden figure (docs/disclosure-control.md): its value is the total minus the
	   rest, so the next-smallest non-zero figure of the line is hidden too.
	2. A line whose hidden figures can be worked out from the ranges a reader knows: "<5" is 1 to 4, any
	   other hidden non-zero figure is at least the threshold. Counts 1, 5, 100 with the total 106 shown as
	   "<5", "[c]", 100, 106 give 1 + 5 = 6, so the "<5" is 1: the next-smallest figure (100) is hidden too.
	3. A hidden figure that can be worked out by adding and subtracting whole lines (in a table: two blocks
	   of hidden cells joined by one hidden cell; that cell is the row sums of one block minus its column
	   sums). In graph terms the lines are vertices, the hidden figures edges, and such a figure is a bridge.
	   The smallest figure that closes a cycle through it is hidden too (non-zero first).

	A figure hidden by secondary suppression shows SECONDARY_MARKER, "[c]" (the UK statistical symbol for
	"confidential"), not "<5": it is at least the threshold, and "<5" on a 7 would be false.

Ties (rules 1 and 2)
	The smallest figure is taken; among equal figures a cell before a total, then (in a table) a cell whose
	other line (its column for a row, its row for a column) already has a hidden figure, since hiding it
	starts no new chain, then the first in order: the keys in their given order; in a table row by row in
	the table's order, columns in order of first appearance. Lines are taken rows first, then columns, then
	the row totals and the column totals. The result is the same for the same input.

Limits
	This is a heuristic, not an optimal pattern (some tables lose more cells than a linear-programming tool
	such as tau-argus would hide), and it does not audit ranges across several lines together. Where every
	figure of a line is already hidden nothing more can be done: four "<5" cells whose total shows "<5" are
	all 1 whatever is shown.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 5
SECONDARY_MARKER = "[c]"

_SHOWN, _PRIMARY, _SECONDARY = 0, 1, 2

Figure = int | str


def suppressed_marker(threshold: int = DEFAULT_THRESHOLD) -> str:
	"""What a count below the threshold shows as: "<5"."""
	return f"<{threshold}"


def is_suppressed(value: Figure) -> bool:
	"""Whether a figure from this module is hidden (either marker) rather than a number."""
	return isinstance(value, str)


@dataclass(frozen=True)
class SuppressedTable:
	"""A two-way table as it may be shown. row_totals or column_totals is empty when that margin is not
	shown; grand_total is None when neither is."""

	cells: dict[str, dict[str, Figure]]
	row_totals: dict[str, Figure]
	column_totals: dict[str, Figure]
	grand_total: Figure | None


def suppress_counts_with_total(
	counts: Mapping[str, int], threshold: int = DEFAULT_THRESHOLD
) -> tuple[dict[str, Figure], Figure]:
	"""Counts shown together with their total: (the counts as shown, the total as shown)."""
	values = _checked_counts(counts, threshold)
	keys = list(counts)
	total = len(values)
	engine = _Engine(
		values=[*values, sum(values)],
		is_total=[False] * len(values) + [True],
		lines=[_Line(parts=list(range(len(values))), total=total)],
		threshold=threshold,
	)
	engine.run()
	return {key: engine.shown(index) for index, key in enumerate(keys)}, engine.shown(total)


def suppress_counts(
	counts: Mapping[str, int], threshold: int = DEFAULT_THRESHOLD, total_shown: bool = True
) -> dict[str, Figure]:
	"""Counts as they may be shown, keys and order kept. Show their total with
	suppress_counts_with_total, which hides it when it is small."""
	if total_shown:
		return suppress_counts_with_total(counts, threshold)[0]
	values = _checked_counts(counts, threshold)
	engine = _Engine(values=values, is_total=[False] * len(values), lines=[], threshold=threshold)
	engine.run()
	return {key: engine.shown(index) for index, key in enumerate(counts)}


def suppress_table_with_totals(
	table: Mapping[str, Mapping[str, int]],
	threshold: int = DEFAULT_THRESHOLD,
	row_totals: bool = True,
	column_totals: bool = True,
) -> SuppressedTable:
	"""A rows x columns table of counts, its cells and totals as they may be shown together.

	Every row gets every column (in order of first appearance); a missing cell counts as 0. The grand total
	is shown whenever row or column totals are.
	"""
	_check_threshold(threshold)
	rows = list(table)
	columns = list(dict.fromkeys(column for row in rows for column in table[row]))
	width = len(columns)
	values: list[int] = []
	for row in rows:
		for column in columns:
			values.append(_checked_count(table[row].get(column, 0)))
	is_total = [False] * len(values)

	def add_total(value: int) -> int:
		values.append(value)
		is_total.append(True)
		return len(values) - 1

	row_total_at = (
		[add_total(sum(values[r * width : (r + 1) * width])) for r in range(len(rows))] if row_totals else []
	)
	column_total_at = (
		[add_total(sum(values[r * width + c] for r in range(len(rows)))) for c in range(width)]
		if column_totals
		else []
	)
	grand_at = add_total(sum(values[: len(rows) * width])) if (row_totals or column_totals) else None

	lines: list[_Line] = []
	if row_totals:
		lines += [_Line(list(range(r * width, (r + 1) * width)), row_total_at[r]) for r in range(len(rows))]
	if column_totals:
		lines += [_Line([r * width + c for r in range(len(rows))], column_total_at[c]) for c in range(width)]
	if row_totals and grand_at is not None:
		lines.append(_Line(list(row_total_at), grand_at))
	if column_totals and grand_at is not None:
		lines.append(_Line(list(column_total_at), grand_at))

	engine = _Engine(values=values, is_total=is_total, lines=lines, threshold=threshold)
	engine.run()
	return SuppressedTable(
		cells={
			row: {column: engine.shown(r * width + c) for c, column in enumerate(columns)}
			for r, row in enumerate(rows)
		},
		row_totals={rows[r]: engine.shown(at) for r, at in enumerate(row_total_at)},
		column_totals={columns[c]: engine.shown(at) for c, at in enumerate(column_total_at)},
		grand_total=None if grand_at is None else engine.shown(grand_at),
	)


def suppress_linked_lines(
	values: Sequence[int], lines: Sequence[tuple[Sequence[int], int]], threshold: int = DEFAULT_THRESHOLD
) -> list[Figure]:
	"""Figures that add up along several lines, shown together: each line is (the indexes of its parts,
	the index of the figure they add up to), and a line's total may be a part of another line (answers
	adding up to those who answered, who with the rest add up to everyone). All lines are suppressed
	together, so no hidden figure can be worked out from any of them."""
	checked = [_checked_count(value) for value in values]
	_check_threshold(threshold)
	totals = {total for _parts, total in lines}
	engine = _Engine(
		values=checked,
		is_total=[index in totals for index in range(len(checked))],
		lines=[_Line(parts=list(parts), total=total) for parts, total in lines],
		threshold=threshold,
	)
	engine.run()
	return [engine.shown(index) for index in range(len(checked))]


def suppress_table(
	table: Mapping[str, Mapping[str, int]],
	threshold: int = DEFAULT_THRESHOLD,
	row_totals: bool = True,
	column_totals: bool = True,
) -> dict[str, dict[str, Figure]]:
	"""The cells of suppress_table_with_totals: pass the same arguments to table_totals for its totals."""
	return suppress_table_with_totals(table, threshold, row_totals, column_totals).cells


def table_totals(
	table: Mapping[str, Mapping[str, int]],
	threshold: int = DEFAULT_THRESHOLD,
	row_totals: bool = True,
	column_totals: bool = True,
) -> tuple[dict[str, Figure], dict[str, Figure], Figure | None]:
	"""(row totals, column totals, grand total) as shown beside suppress_table's cells."""
	result = suppress_table_with_totals(table, threshold, row_totals, column_totals)
	return result.row_totals, result.column_totals, result.grand_total


def _check_threshold(threshold: int) -> None:
	if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
		raise ValueError(
			f"The small-number threshold must be a whole number of at least 1, not {threshold!r}"
		)


def _checked_count(count: int) -> int:
	if isinstance(count, bool) or not isinstance(count, int) or count < 0:
		raise ValueError(f"A count must be a whole number of at least 0, not {count!r}")
	return count


def _checked_counts(counts: Mapping[str, int], threshold: int) -> list[int]:
	_check_threshold(threshold)
	return [_checked_count(count) for count in counts.values()]


@dataclass
class _Line:
	"""The figures at `parts` add up to the figure at `total` (indexes into the engine's figures)."""

	parts: list[int]
	total: int


class _Engine:
	"""Decides which figures to hide. Figures are numbered; lines say which add up to which."""

	def __init__(self, values: list[int], is_total: list[bool], lines: list[_Line], threshold: int) -> None:
		self.values = values
		self.is_total = is_total
		self.lines = lines
		self.threshold = threshold
		self.state = [_PRIMARY if 1 <= value < threshold else _SHOWN for value in values]
		# the lines each figure is in (0, 1 or 2 of them)
		self.lines_of: list[list[int]] = [[] for _ in values]
		for number, line in enumerate(lines):
			for index, _sign in self._members(line):
				self.lines_of[index].append(number)

	def shown(self, index: int) -> Figure:
		state = self.state[index]
		if state == _PRIMARY:
			return suppressed_marker(self.threshold)
		if state == _SECONDARY:
			return SECONDARY_MARKER
		return self.values[index]

	def run(self) -> None:
		while self._apply_line_rule() or self._apply_bridge_rule():
			pass

	# rules 1 and 2: one line at a time

	@staticmethod
	def _members(line: _Line) -> list[tuple[int, int]]:
		"""(figure, sign): the parts minus the total make 0."""
		return [(index, 1) for index in line.parts] + [(line.total, -1)]

	def _hidden_count(self, number: int) -> int:
		return sum(1 for index, _sign in self._members(self.lines[number]) if self.state[index] != _SHOWN)

	def _apply_line_rule(self) -> bool:
		for number, line in enumerate(self.lines):
			if self._hidden_count(number) == 1 or self._pinned(line):
				candidate = self._next_smallest(number)
				if candidate is not None:
					self.state[candidate] = _SECONDARY
					return True
		return False

	def _range(self, index: int) -> tuple[float, float]:
		"""What a reader knows of a hidden figure's value."""
		if self.state[index] == _PRIMARY:
			return 1, self.threshold - 1
		return (self.threshold if self.values[index] else 0), math.inf

	def _pinned(self, line: _Line) -> bool:
		"""Whether a hidden figure of the line is fixed by the line's sum and the others' ranges."""
		members = self._members(line)
		hidden = [(index, sign) for index, sign in members if self.state[index] != _SHOWN]
		if not hidden:
			return False
		# sum(sign * value) over the hidden ones is known
		known = -sum(sign * self.values[index] for index, sign in members if self.state[index] == _SHOWN)
		for index, sign in hidden:
			low = high = 0.0
			for other, other_sign in hidden:
				if other == index:
					continue
				other_low, other_high = self._range(other)
				if other_sign > 0:
					low, high = low + other_low, high + other_high
				else:
					low, high = low - other_high, high - other_low
			# sign * value = known - (sum of the others)
			low, high = known - high, known - low
			if sign < 0:
				low, high = -high, -low
			own_low, own_high = self._range(index)
			if max(low, own_low) == min(high, own_high):
				return True
		return False

	def _next_smallest(self, number: int) -> int | None:
		"""The non-zero shown figure of the line to hide next (see "Ties")."""

		def starts_chain(index: int) -> bool:
			return any(self._hidden_count(other) == 0 for other in self.lines_of[index] if other != number)

		candidates = [
			index
			for index, _sign in self._members(self.lines[number])
			if self.state[index] == _SHOWN and self.values[index] > 0
		]
		if not candidates:
			return None
		return min(
			candidates,
			key=lambda index: (self.values[index], self.is_total[index], starts_chain(index), index),
		)

	# rule 3: across lines

	def _ends(self, index: int) -> tuple[int, int] | None:
		"""The figure as an edge between its two lines; a figure in one line only joins it to a free
		vertex (numbered len(lines)) that no relation holds; in no line, it is no edge."""
		ends = self.lines_of[index]
		if not ends:
			return None
		return (ends[0], ends[1]) if len(ends) == 2 else (ends[0], len(self.lines))

	def _apply_bridge_rule(self) -> bool:
		edges = {}
		for index, state in enumerate(self.state):
			ends = self._ends(index)
			if state != _SHOWN and ends is not None:
				edges[index] = ends
		for bridge in _bridges(len(self.lines) + 1, edges):
			start, end = edges[bridge]
			near = _reachable(start, edges, bridge)
			far = _reachable(end, edges, bridge)
			crossing = [
				index
				for index, state in enumerate(self.state)
				if state == _SHOWN
				and (ends := self._ends(index)) is not None
				and ((ends[0] in near and ends[1] in far) or (ends[0] in far and ends[1] in near))
			]
			if crossing:
				chosen = min(
					crossing,
					key=lambda index: (
						self.values[index] == 0,
						self.values[index],
						self.is_total[index],
						index,
					),
				)
				self.state[chosen] = _SECONDARY
				return True
		return False


def _reachable(start: int, edges: Mapping[int, tuple[int, int]], without: int) -> set[int]:
	neighbours: dict[int, list[int]] = {}
	for edge, (one, other) in edges.items():
		if edge != without:
			neighbours.setdefault(one, []).append(other)
			neighbours.setdefault(other, []).append(one)
	seen = {start}
	waiting = [start]
	while waiting:
		for vertex in neighbours.get(waiting.pop(), []):
			if vertex not in seen:
				seen.add(vertex)
				waiting.append(vertex)
	return seen


def _bridges(vertex_count: int, edges: Mapping[int, tuple[int, int]]) -> list[int]:
	"""The edges (by number) whose removal disconnects their ends, in a multigraph (Tarjan, iterative)."""
	adjacent: list[list[tuple[int, int]]] = [[] for _ in range(vertex_count)]
	for edge, (one, other) in edges.items():
		adjacent[one].append((other, edge))
		adjacent[other].append((one, edge))
	order = [-1] * vertex_count
	low = [0] * vertex_count
	counter = 0
	found = []
	for root in range(vertex_count):
		if order[root] != -1:
			continue
		order[root] = low[root] = counter
		counter += 1
		stack = [(root, -1, iter(adjacent[root]))]
		while stack:
			vertex, via, pending = stack[-1]
			for neighbour, edge in pending:
				if edge == via:
					continue
				if order[neighbour] == -1:
					order[neighbour] = low[neighbour] = counter
					counter += 1
					stack.append((neighbour, edge, iter(adjacent[neighbour])))
					break
				low[vertex] = min(low[vertex], order[neighbour])
			else:
				stack.pop()
				if stack:
					parent = stack[-1][0]
					low[parent] = min(low[parent], low[vertex])
					if low[vertex] > order[parent]:
						found.append(via)
	return sorted(found)
