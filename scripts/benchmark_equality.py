"""What sealing the equality answers costs: seals ROWS records' answers, writes them to the site's Equality
Monitoring table with as many bare cases, times reading and opening them all and the whole
Discrimination and Disproportionality report over them, prints the figures, then removes every row it wrote.

	$LNB_BENCH/env/bin/python scripts/benchmark_equality.py SITE [ROWS]

Run it on a site of your own (a test site), never on one with real cases: it writes to the real tables.
"""

import os
import random
import sys
import time
from collections.abc import Callable
from typing import NamedTuple

import frappe

from lnb_casework.intake.equality import answer_seal, equality_answers_of, sealed_records
from lnb_casework.intake.sealed_answers import ANSWER_CODES, QUESTIONS
from lnb_casework.lnb_casework.report.discrimination_and_disproportionality import (
	discrimination_and_disproportionality as report,
)

BENCH_CASES = "LNB-BENCH-%"
PERIOD = "1990"
CREATED = "1990-06-15 12:00:00"


def main(site: str, rows: int) -> None:
	sites_path = os.path.join(os.environ.get("LNB_BENCH", os.path.expanduser("~/lnb-bench")), "sites")
	os.chdir(sites_path)
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		run(rows)
	finally:
		remove_bench_rows()
		frappe.destroy()


def run(rows: int) -> None:
	remove_bench_rows()
	chance = random.Random(2026)
	cases = [f"LNB-BENCH-{i:06}" for i in range(rows)]
	answers = [
		{q: None if chance.random() < 0.15 else chance.choice(a) for q, a in ANSWER_CODES.items()}
		for _ in cases
	]

	seal = answer_seal()
	sealed, seal_time = timed(
		lambda: [seal.seal(case, answer) for case, answer in zip(cases, answers, strict=True)], repeat=1
	)

	def write() -> None:
		fields = ["name", "creation", "modified", "owner", "modified_by"]
		frappe.db.bulk_insert(
			"Case",
			[*fields, "workflow_state"],
			[(case, CREATED, CREATED, "Administrator", "Administrator", "New") for case in cases],
		)
		frappe.db.bulk_insert(
			"Equality Monitoring",
			[*fields, "case", "sealed_answers"],
			[
				(
					frappe.generate_hash(length=10),
					CREATED,
					CREATED,
					"Administrator",
					"Administrator",
					case,
					value,
				)
				for case, value in zip(cases, sealed, strict=True)
			],
		)
		frappe.db.commit()

	_nothing, write_time = timed(write, repeat=1)

	wanted = set(cases)
	stored, read_time = timed(lambda: [(case, value) for case, value in sealed_records() if case in wanted])
	opened, open_time = timed(lambda: answer_seal().open_many(stored))
	assert opened == dict(zip(cases, answers, strict=True)), "every record opens to what was sealed"
	_opened, answers_of_time = timed(lambda: equality_answers_of(cases))
	result, report_time = timed(lambda: report.execute({"period": PERIOD, "view": report.WHO}))
	keep_in_clear(cases, answers)
	in_clear, clear_time = timed(lambda: read_in_clear(cases))
	assert in_clear == opened

	print(f"rows: {rows}; sealed value: {len(sealed[0])} characters a row")
	print("seconds, wall (CPU of this process); best of three where repeated")
	print(f"seal in memory: {seal_time} ({seal_time.wall / rows * 1e6:.1f} µs a row)")
	print(f"write {rows} cases and sealed records: {write_time}")
	print(f"read sealed answers: {read_time}")
	print(f"open sealed answers: {open_time} ({open_time.wall / rows * 1e6:.1f} µs a row)")
	print(f"read and open, total: {read_time.wall + open_time.wall:.3f}")
	print(f"equality_answers_of (read and open): {answers_of_time}")
	print(f"whole report, who the doctors are: {report_time} ({result[1][0]['cases']} cases shown)")
	print(f"for comparison, the same answers in clear read as before sealing: {clear_time}")


def keep_in_clear(cases: list[str], answers: list[dict]) -> None:
	"""The answers in clear in a temporary table (this connection's only, gone when it closes), for
	comparison."""
	columns = ", ".join(f"`{question}` varchar(140)" for question in QUESTIONS)
	frappe.db.sql(f"create temporary table lnb_bench_in_clear (`case` varchar(140) primary key, {columns})")
	batch = 10_000
	for start in range(0, len(cases), batch):
		rows = [
			(case, *(answer[question] for question in QUESTIONS))
			for case, answer in zip(cases[start : start + batch], answers[start : start + batch], strict=True)
		]
		frappe.db.sql(f"insert into lnb_bench_in_clear values {', '.join(['%s'] * len(rows))}", rows)


def read_in_clear(cases: list[str]) -> dict:
	"""The answers in clear, read the way the report read them before they were sealed: eight columns, the
	cases listed in the query."""
	columns = ", ".join(f"`{question}`" for question in QUESTIONS)
	rows = frappe.db.sql(
		f"select `case`, {columns} from lnb_bench_in_clear where `case` in %(cases)s",
		{"cases": cases},
		as_dict=True,
	)
	return {row.pop("case"): row for row in rows}


class Took(NamedTuple):
	wall: float
	cpu: float

	def __str__(self) -> str:
		return f"{self.wall:.3f} ({self.cpu:.3f})"


def timed(work: Callable, repeat: int = 3) -> tuple:
	"""work's result and its quickest run's seconds: on a shared machine the quickest is the least disturbed."""
	runs = []
	for _ in range(repeat):
		wall, cpu = time.perf_counter(), time.process_time()
		result = work()
		runs.append(Took(time.perf_counter() - wall, time.process_time() - cpu))
	return result, min(runs)


def remove_bench_rows() -> None:
	frappe.db.rollback()
	frappe.db.delete("Equality Monitoring", {"case": ("like", BENCH_CASES)})
	frappe.db.delete("Case", {"name": ("like", BENCH_CASES)})
	frappe.db.commit()


if __name__ == "__main__":
	if len(sys.argv) not in (2, 3):
		sys.exit(__doc__)
	main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 100_000)
