"""bench lnb-benchmark: prepares each site in-process, times every request over HTTP in interleaved rounds
(the first round only warms up), then measures the reports' and jobs' queries in-process, and prints it all
side by side for each site (docs/performance.md)."""

import os
from collections import defaultdict
from collections.abc import Callable

import click
import frappe

from lnb_casework.benchmark import in_process
from lnb_casework.benchmark.figures import interleaved, median_ms, ratio, table
from lnb_casework.benchmark.over_http import (
	LISTED_DOCTYPES,
	Measure,
	requests_for,
	timed_call,
	wait_until_served,
)
from lnb_casework.benchmark.site_under_test import ADMINISTRATOR, SiteUnderTest, prepare
from lnb_casework.demo.plan import COORDINATOR
from lnb_casework.site_connection import connected_to

Echo = Callable[[str], None]


def run_benchmark(sites: list[str], base_url: str, repeat: int, server_pid: int | None, echo: Echo) -> None:
	prepared: list[SiteUnderTest] = []
	list_columns: dict[str, list[str]] = {}
	orders: dict[str, str] = {}
	for site in sites:
		with connected_to(site):
			under_test = prepare(site)
			list_columns, orders = desk_list_settings()
		prepared.append(under_test)
		echo(
			f"{site}: {under_test.cases:,} cases; the caseworker measured ({under_test.caseworker}) holds "
			f"{under_test.caseworker_cases} open cases"
		)

	timed = {}
	for under_test in prepared:
		wait_until_served(base_url, under_test.site)
		timed.update(requests_for(under_test, base_url, list_columns, orders))
	measures = list(timed)
	# measures side by side: the same request on each site one after the other
	measures.sort(key=lambda measure: (measure.group, measure.name, measure.who, sites.index(measure.site)))
	timings: dict[Measure, list[float]] = defaultdict(list)
	failures: dict[Measure, int] = {}
	labels = [str(number) for number in range(len(measures))]
	rounds = interleaved(labels, repeat + 1)
	with click.progressbar(length=len(rounds) * len(measures), label="Timing requests", file=None) as bar:
		for number, order in enumerate(rounds):
			for label in order:
				measure = measures[int(label)]
				seconds, status = timed_call(timed[measure])
				if status != 200:
					failures[measure] = status
				elif number:
					timings[measure].append(seconds)
				bar.update(1)
	rss = worker_rss_mb(server_pid)

	work = {}
	for under_test in prepared:
		with connected_to(under_test.site):
			frappe.set_user(ADMINISTRATOR)
			overhead = in_process.reading_overhead()
			work[under_test.site] = {
				"reports": {
					who: in_process.report_work(under_test, user, overhead)
					for who, user in (
						("coordinator", COORDINATOR.email),
						("caseworker", under_test.caseworker),
					)
				},
				"jobs": in_process.job_work(overhead),
				"row rules": in_process.row_rule_plans(row_rule_doctypes(), under_test.caseworker)
				if under_test is prepared[-1]
				else {},
			}
			in_process.clean_up()

	print_results(sites, timings, failures, work, rss, repeat, echo)


def desk_list_settings() -> tuple[dict[str, list[str]], dict[str, str]]:
	"""Each listed doctype's list view columns and the order its list is shown in, from its meta."""
	columns, orders = {}, {}
	for doctype in LISTED_DOCTYPES:
		meta = frappe.get_meta(doctype)
		fields = [field.fieldname for field in meta.fields if field.in_list_view]
		for extra in (
			meta.title_field,
			meta.image_field,
			"workflow_state" if meta.has_field("workflow_state") else None,
		):
			if extra:
				fields.append(extra)
		columns[doctype] = fields
		orders[doctype] = f"`tab{doctype}`.`{meta.sort_field or 'creation'}` {meta.sort_order or 'desc'}"
	return columns, orders


def row_rule_doctypes() -> list[str]:
	return sorted(
		doctype
		for doctype, methods in frappe.get_hooks("permission_query_conditions").items()
		if any(method.startswith("lnb_casework.") for method in methods)
	)


def worker_rss_mb(master_pid: int | None) -> list[float]:
	"""The resident memory of each gunicorn worker (the master's children), in MB."""
	if not master_pid:
		return []
	sizes = []
	for entry in os.listdir("/proc"):
		if not entry.isdigit():
			continue
		try:
			with open(f"/proc/{entry}/status") as status:
				fields = dict(line.split(":", 1) for line in status if ":" in line)
		except OSError:
			continue
		if int(fields.get("PPid", "0").strip()) == master_pid and "VmRSS" in fields:
			sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
	return sorted(sizes)


def print_results(sites, timings, failures, work, rss, repeat, echo: Echo) -> None:
	first, last = sites[0], sites[-1]
	short = {site: site.split(".")[0].removeprefix("lnb-bench-") for site in sites}

	def ms(group: str, name: str, who: str, site: str) -> float:
		measure = Measure(group, name, who, site)
		return float("nan") if measure in failures else median_ms(timings.get(measure, []))

	echo(f"\nMedians of {repeat} interleaved rounds over HTTP (gunicorn, 2 workers), in milliseconds.")
	if failures:
		echo(
			"Requests refused or failed (status): "
			+ "; ".join(
				f"{m.name} as {m.who} on {short[m.site]}: {status}"
				for m, status in sorted(failures.items(), key=str)
			)
		)

	echo("\n## Intake against a bare Frappe insert\n")
	rows = []
	for name, who in (
		("intake (a doctor's submission)", "visitor"),
		("bare ToDo insert (REST)", "Administrator"),
	):
		rows.append([name, *(ms("intake", name, who, site) for site in sites)])
	rows.append(
		[
			"intake / ToDo insert",
			*(
				ratio(
					ms("intake", rows[0][0], "visitor", site), ms("intake", rows[1][0], "Administrator", site)
				)
				for site in sites
			),
		]
	)
	echo(table(["measure", *(short[site] for site in sites)], rows))

	echo("\n## Lists: a caseworker (row rules) against Administrator (none), first page of 20\n")
	rows = []
	for doctype in LISTED_DOCTYPES:
		for api in ("desk", "REST"):
			name = f"{doctype} ({api})"
			row = [name]
			for site in sites:
				admin, caseworker = (
					ms("list", name, "Administrator", site),
					ms("list", name, "caseworker", site),
				)
				row += [admin, caseworker, ratio(caseworker, admin)]
			rows.append(row)
	header = ["list"]
	for site in sites:
		header += [f"{short[site]} admin", f"{short[site]} cw", f"{short[site]} ×"]
	echo(table(header, rows))
	echo("\nThe coordinator's Case list, as the desk orders it:")
	rows = []
	for api in ("desk", "REST"):
		name = f"Case ({api})"
		times = [ms("list", name, "coordinator", site) for site in sites]
		rows.append([name, *times, ratio(times[-1], times[0])])
	echo(table(["list", *(short[site] for site in sites), f"{short[last]}/{short[first]}"], rows))

	echo("\n## Reports over HTTP (ms), and their queries and rows read in-process\n")
	rows = []
	for report in sorted(
		{m.name for m in timings if m.group == "report"} | {m.name for m in failures if m.group == "report"}
	):
		for who in ("coordinator", "caseworker"):
			row = [f"{report} ({who})"]
			row += [ms("report", report, who, site) for site in sites]
			row.append(ratio(ms("report", report, who, last), ms("report", report, who, first)))
			for site in sites:
				done = work[site]["reports"][who].get(report)
				row += [done.queries, done.rows_scanned, done.result] if done else [None, None, None]
			rows.append(row)
	header = ["report", *(f"{short[s]} ms" for s in sites), f"{short[last]}/{short[first]}"]
	for site in sites:
		header += [f"{short[site]} queries", f"{short[site]} scanned", f"{short[site]} rows"]
	echo(table(header, rows))

	echo("\n## Workspace (ms)\n")
	rows = []
	for name, who in sorted({(m.name, m.who) for m in timings if m.group == "workspace"}):
		row = [f"{name} ({who})", *(ms("workspace", name, who, site) for site in sites)]
		row.append(ratio(ms("workspace", name, who, last), ms("workspace", name, who, first)))
		rows.append(row)
	echo(table(["request", *(short[site] for site in sites), f"{short[last]}/{short[first]}"], rows))

	echo("\n## Morning jobs, in-process, rolled back afterwards\n")
	rows = []
	for site in sites:
		for method, (done, queued, _plans) in work[site]["jobs"].items():
			sent = done.result if isinstance(done.result, int) else len(done.result or [])
			rows.append(
				[
					f"{method.rsplit('.', 1)[-1]} ({short[site]})",
					done.seconds,
					done.queries,
					done.rows_scanned,
					done.rows_by_index,
					sent,
					queued,
				]
			)
	echo(table(["job", "seconds", "queries", "rows scanned", "rows by index", "alerts", "emails"], rows))

	echo(f"\n## EXPLAIN on {short[last]}: each row rule (a caseworker's first page)\n")
	for doctype, plan in work[last]["row rules"].items():
		echo(f"- {doctype}: {plan}")
	echo(f"\n## EXPLAIN on {short[last]}: each job's distinct queries (how many times: plan)\n")
	for method, (done, _queued, plans) in work[last]["jobs"].items():
		name = method.rsplit(".", 1)[-1]
		if plans is None:
			echo(f"- {name}: not EXPLAINed, it sent {done.queries:,} queries")
			continue
		scanning = [plan for plan in plans if plan[2]]
		echo(f"- {name}: {len(plans)} distinct queries, {len(scanning)} with a full scan")
		for count, summary, scanned in plans[:4] + [plan for plan in scanning if plan not in plans[:4]]:
			echo(f"    {count}×  {summary}" + ("   <- SCAN" if scanned else ""))

	if rss:
		echo("\nWorker resident memory after the run (MB): " + ", ".join(f"{size:.0f}" for size in rss))
