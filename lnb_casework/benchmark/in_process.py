"""What the benchmark measures inside a connected site rather than over HTTP: the queries and rows a report or
a morning job reads (MariaDB's own session counters), what each row rule and each job's queries cost by
EXPLAIN, and the benchmark's clean-up. Every job is rolled back after it is measured."""

import contextlib
import io
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import frappe
import frappe.recorder

from lnb_casework.benchmark.figures import explain_summary, scans
from lnb_casework.benchmark.site_under_test import ADMINISTRATOR, BENCHMARK_EMAILS, SiteUnderTest
from lnb_casework.demo.remove import remove_cases

# Handler_read_rnd_next counts rows read by a scan (of a table or a temporary table); the others rows
# found through an index
SCANNED = "Handler_read_rnd_next"
BY_INDEX = (
	"Handler_read_key",
	"Handler_read_next",
	"Handler_read_prev",
	"Handler_read_first",
	"Handler_read_last",
)
COUNTERS = ("Questions", SCANNED, *BY_INDEX)
BENCHMARK_TODO = "LNB benchmark"
# the recorder formats and EXPLAINs every query it saw, a few milliseconds each
EXPLAINED_UP_TO = 5_000


@dataclass
class Work:
	seconds: float
	queries: int
	rows_scanned: int
	rows_by_index: int
	result: object = None


def counters() -> Counter:
	rows = frappe.db.sql(
		"show session status where Variable_name in %(names)s", {"names": COUNTERS}, as_list=True
	)
	return Counter({name: int(value) for name, value in rows})


def reading_overhead() -> Counter:
	"""What reading the counters itself adds to them."""
	first = counters()
	second = counters()
	second.subtract(first)
	return second


def measure(work: Callable[[], object], overhead: Counter) -> Work:
	before = counters()
	start = time.perf_counter()
	result = work()
	seconds = time.perf_counter() - start
	after = counters()
	after.subtract(before)
	after.subtract(overhead)
	return Work(
		seconds=seconds,
		queries=max(after["Questions"], 0),
		rows_scanned=max(after[SCANNED], 0),
		rows_by_index=max(sum(after[name] for name in BY_INDEX), 0),
		result=result,
	)


def report_work(under_test: SiteUnderTest, user: str, overhead: Counter) -> dict[str, Work | None]:
	"""Each report run once as `user`, as the desk runs it (its default filters); None where the user may
	not run it."""
	from frappe.desk.query_report import run

	measured = {}
	for report, filters in under_test.report_filters.items():
		frappe.set_user(user)
		try:
			work = measure(lambda: run(report, filters=frappe.as_json(filters)), overhead)
		except frappe.PermissionError:
			work = None
		finally:
			frappe.db.rollback()
			frappe.set_user(ADMINISTRATOR)
		if work is not None:
			work.result = len(work.result.get("result") or [])
		measured[report] = work
	return measured


def scheduled_jobs() -> list[str]:
	"""The app's scheduled jobs, in the order of the day they run."""
	jobs = []
	for _cron, methods in sorted(frappe.get_hooks("scheduler_events").get("cron", {}).items(), key=by_hour):
		jobs += [method for method in methods if method.startswith("lnb_casework.")]
	return jobs


def by_hour(item: tuple[str, list[str]]) -> tuple[int, int]:
	minute, hour, *_rest = item[0].split()
	return (int(hour) if hour.isdigit() else -1, int(minute) if minute.isdigit() else -1)


def job_work(overhead: Counter) -> dict[str, tuple[Work, int, list[tuple[int, str, list[str]]] | None]]:
	"""Each scheduled job run once as the scheduler runs it, then rolled back: its work and the emails it
	queued; then, unless it sent more than EXPLAINED_UP_TO queries, run again under Frappe's recorder
	(without call stacks) for each distinct query it sent, how often, its EXPLAIN and the tables it scans."""
	measured = {}
	for method in scheduled_jobs():
		frappe.set_user(ADMINISTRATOR)
		queued_before = frappe.db.count("Email Queue")
		work = measure(frappe.get_attr(method), overhead)
		queued = frappe.db.count("Email Queue") - queued_before
		frappe.db.rollback()
		plans = None
		if work.queries <= EXPLAINED_UP_TO:
			frappe.recorder.delete()
			frappe.recorder.RecorderConfig(capture_stack=False).store()
			with contextlib.redirect_stdout(io.StringIO()):  # the recorder prints where to look
				frappe.recorder.record_queries(frappe.get_attr(method))()
			frappe.db.rollback()
			plans = recorded_plans()
			frappe.recorder.delete()
		measured[method] = (work, queued, plans)
	return measured


def recorded_plans() -> list[tuple[int, str, list[str]]]:
	calls = []
	for request in frappe.recorder.get():
		calls += (frappe.recorder.get(request["uuid"]) or {}).get("calls") or []
	shapes: dict[str, list[dict]] = {}
	for call in calls:
		shapes.setdefault(frappe.recorder.normalize_query(call["query"]), []).append(call)
	return sorted(
		(
			(
				len(same),
				explain_summary(same[0].get("explain_result") or []),
				scans(same[0].get("explain_result") or []),
			)
			for same in shapes.values()
		),
		key=lambda plan: -plan[0],
	)


def row_rule_plans(doctypes: list[str], user: str) -> dict[str, str]:
	"""EXPLAIN of the first page of each list as `user` sees it (the row rule applied), in the doctype's
	own order."""
	plans = {}
	for doctype in doctypes:
		parent = None
		if frappe.get_meta(doctype).istable:
			parent = frappe.db.get_value("DocField", {"options": doctype, "fieldtype": "Table"}, "parent")
		frappe.set_user(user)
		try:
			query = frappe.get_list(
				doctype, fields=["name"], limit_page_length=20, parent_doctype=parent, run=0
			)
		except frappe.PermissionError:
			query = None
		finally:
			frappe.set_user(ADMINISTRATOR)
		plans[doctype] = (
			explain_summary(frappe.db.sql(f"explain {query}", as_dict=True)) if query else "not readable"
		)
	return plans


def clean_up() -> int:
	"""Takes away the cases and ToDos the benchmark made; how many cases went."""
	frappe.set_user(ADMINISTRATOR)
	removed, _issues = remove_cases(BENCHMARK_EMAILS)
	frappe.db.delete("ToDo", {"description": BENCHMARK_TODO})
	frappe.db.commit()
	return removed
