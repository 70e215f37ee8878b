"""The benchmark's arithmetic and layout: pure, so that what it prints can be checked without a site."""

import statistics
from collections.abc import Sequence

SCAN_ACCESS = "ALL"


def median_ms(seconds: Sequence[float]) -> float:
	"""The median of the timings, in milliseconds."""
	return statistics.median(seconds) * 1000 if seconds else float("nan")


def ratio(numerator: float, denominator: float) -> float:
	return numerator / denominator if denominator else float("nan")


def interleaved(labels: Sequence[str], rounds: int) -> list[list[str]]:
	"""The order of each round: every measure once, the order turned by one each round, so that no measure
	always runs first after another (each round warms up what the next reads)."""
	count = len(labels)
	return [[labels[(start + offset) % count] for offset in range(count)] for start in range(rounds)]


def explain_summary(rows: Sequence[dict]) -> str:
	"""One line for a query's EXPLAIN: each table read, by which index or by a scan, and the rows MariaDB
	expects to read there."""
	if not rows:
		return "no plan (not a query that reads a table)"
	parts = []
	for row in rows:
		table = row.get("table") or "-"
		rows_read = row.get("rows")
		if row.get("type") == SCAN_ACCESS:
			how = "SCAN"
		elif row.get("key"):
			how = f"index {row['key']}"
		else:
			how = row.get("type") or row.get("Extra") or "-"
		parts.append(f"{table}: {how}" + (f" ~{rows_read}" if rows_read is not None else ""))
	return "; ".join(parts)


def scans(rows: Sequence[dict], at_least: int = 1000) -> list[str]:
	"""The tables an EXPLAIN reads by a full scan of at least `at_least` rows."""
	return [
		row.get("table") or "-"
		for row in rows
		if row.get("type") == SCAN_ACCESS and int(row.get("rows") or 0) >= at_least
	]


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
	"""A plain text table, the first column left-aligned and the others right-aligned."""
	cells = [[cell_text(cell) for cell in row] for row in [header, *rows]]
	widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
	lines = []
	for number, row in enumerate(cells):
		lines.append(
			"  ".join(
				cell.ljust(widths[column]) if column == 0 else cell.rjust(widths[column])
				for column, cell in enumerate(row)
			).rstrip()
		)
		if number == 0:
			lines.append("  ".join("-" * width for width in widths))
	return "\n".join(lines)


def cell_text(cell: object) -> str:
	if cell is None:
		return "-"
	if isinstance(cell, float):
		if cell != cell:
			return "-"
		return f"{cell:.2f}" if abs(cell) < 10 else f"{cell:,.0f}"
	if isinstance(cell, int):
		return f"{cell:,}"
	return str(cell)
