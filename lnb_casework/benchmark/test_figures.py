import math

from lnb_casework.benchmark.figures import (
	explain_summary,
	interleaved,
	median_ms,
	ratio,
	scans,
	table,
)


def test_median_is_in_milliseconds_and_ignores_one_outlier():
	assert median_ms([0.010, 0.012, 5.0]) == 12.0
	assert math.isnan(median_ms([]))


def test_ratio_of_nothing_is_not_a_number():
	assert ratio(3.0, 2.0) == 1.5
	assert math.isnan(ratio(1.0, 0.0))


def test_each_round_runs_every_measure_once_and_no_measure_always_first():
	rounds = interleaved(["a", "b", "c"], 3)
	assert all(sorted(order) == ["a", "b", "c"] for order in rounds)
	assert [order[0] for order in rounds] == ["a", "b", "c"]


def test_explain_names_the_index_or_the_scan():
	rows = [
		{"table": "tabCase", "type": "ref", "key": "caseworker", "rows": 60},
		{"table": "tabFile", "type": "ALL", "key": None, "rows": 250000},
	]
	assert explain_summary(rows) == "tabCase: index caseworker ~60; tabFile: SCAN ~250000"
	assert scans(rows) == ["tabFile"]
	assert scans([{"table": "tabSingles", "type": "ALL", "rows": 12}]) == []
	assert explain_summary([]) == "no plan (not a query that reads a table)"


def test_table_aligns_numbers_right_and_marks_missing_figures():
	text = table(["measure", "10k", "100k"], [["Case list", 1.234, 56.7], ["queries", 1234, float("nan")]])
	assert text.splitlines() == [
		"measure      10k  100k",
		"---------  -----  ----",
		"Case list   1.23    57",
		"queries    1,234     -",
	]
