"""Hostile filter values sent to every report of the app through frappe.desk.query_report.run, over HTTP,
as a coordinator: each is refused with a 4xx and a message (the report's own names the filter; a value the
request checks refuse first, such as a dict, gets theirs), or (a name that matches nothing) answered with
no rows; never a server error, never SQL in the answer."""

import json
import re

import pytest

COORDINATOR = "report-filters-coordinator@lnb.test"
RUN = "/api/method/frappe.desk.query_report.run"

CHOICE, NUMBER, CHECK, PERIOD, ORGANISATION, NAME, DATE = (
	"choice",
	"number",
	"check",
	"period",
	"organisation",
	"name",
	"date",
)
# report: {filter: (its kind, its label in messages)}
REPORTS = {
	"Caseload": {"caseworker": (NAME, "Caseworker"), "state": (CHOICE, "State")},
	"Case Ageing": {
		"caseworker": (NAME, "Caseworker"),
		"state": (CHOICE, "State"),
		"stalled_only": (CHECK, "Stalled cases only"),
		"include_ended": (CHECK, "Include ended cases"),
	},
	"Deadlines Due": {"days": (NUMBER, "Within days")},
	"Systemic Issues by Organisation and SEIPS": {
		"state": (CHOICE, "State"),
		"severity": (CHOICE, "Severity"),
		"organisation": (ORGANISATION, "Organisation"),
		"seips_component": (CHOICE, "SEIPS component"),
	},
	"Discrimination and Disproportionality": {
		"period": (PERIOD, "Period"),
		"view": (CHOICE, "View"),
		"question": (CHOICE, "Question in the chart"),
	},
	"Advocacy Pipeline": {
		"state": (CHOICE, "State"),
		"action_type": (CHOICE, "Action type"),
		"responsible": (NAME, "Responsible"),
		"overdue_only": (CHECK, "Overdue only"),
	},
	"Case View Audit": {
		"case": (NAME, "Case"),
		"viewed_by": (NAME, "Viewed by"),
		"how": (CHOICE, "How"),
		"from_date": (DATE, "From date"),
		"to_date": (DATE, "To date"),
	},
}
SQL_FRAGMENTS = [
	"1 or 1=1",
	"1' or '1'='1",
	"') or 1=1 -- ",
	'" or ""="',
	"1; drop table `tabCase`",
	"(select name from `tabCase` limit 1)",
	"x' union select what_happened from `tabCase` -- ",
	"sleep(5)",
	"%' and 1=1 and '%'='",
]
TEXT = ["abc", "", " ", "<img src=x onerror=alert(1)>", "Open ", "9" * 200, "line\nbreak", "nul\u0000"]
NOT_TEXT = [
	["Open"],
	["in", ["x", "y"]],
	["=", "1) or (1=1"],
	{"a": 1},
	{"$gt": ""},
	1.5,
	-1,
	10**15,
	True,
	None,
]
# database errors and SQL, as they would show in an answer (no refusal repeats the value it refuses)
SQL_IN_ANSWER = re.compile(
	r"`tab|\bselect\b[^\"]*\bfrom\b|pymysql|ProgrammingError|OperationalError|InternalError|DataError"
	r"|SQL syntax",
	re.IGNORECASE,
)


@pytest.fixture(scope="module")
def coordinator(user_session):
	return user_session(COORDINATOR, "LNB Coordinator")


def run_report(session, base_url: str, report: str, filters) -> "requests.Response":  # noqa: F821
	return session.post(
		f"{base_url}{RUN}",
		data={"report_name": report, "filters": json.dumps(filters)},
		timeout=60,
	)


def messages(response) -> str:
	body = response.json()
	shown = [
		json.loads(message).get("message", "") for message in json.loads(body.get("_server_messages", "[]"))
	]
	return " ".join(shown)


def empty_or_default(value) -> bool:
	return value is None or value == ""


def refused(kind: str, value) -> bool:
	"""Whether the report must refuse this value; otherwise it must answer."""
	if empty_or_default(value):
		return False
	if kind == NAME:
		# a name is any short line of text: one that matches nothing gives no rows
		return (
			not isinstance(value, str)
			or len(value) > 140
			or value != value.strip()
			or "\n" in value
			or "\0" in value
		)
	if kind == CHECK:
		return value not in (0, 1, "0", "1") and not isinstance(value, bool)
	return True


def test_hostile_filter_values_are_refused_with_a_message_never_a_server_error(coordinator, base_url):
	sent = refusals = before_the_report = answered = 0
	failures = []
	for report, filters in REPORTS.items():
		for name, (kind, label) in filters.items():
			for value in [*SQL_FRAGMENTS, *TEXT, *NOT_TEXT]:
				response = run_report(coordinator, base_url, report, {name: value})
				sent += 1
				where = f"{report} {name}={value!r}: {response.status_code}"
				if SQL_IN_ANSWER.search(response.text):
					failures.append(f"{where} shows SQL or a traceback: {response.text[:300]}")
				if response.status_code >= 500:
					failures.append(f"{where} is a server error: {response.text[:300]}")
				elif refused(kind, value):
					refusals += 1
					said = messages(response)
					if not 400 <= response.status_code < 500 or not said:
						failures.append(f"{where} was not refused with a message")
					elif response.status_code == 417 and label not in said:
						failures.append(f"{where} says {said!r}, not naming {label}")
					before_the_report += response.status_code != 417
				else:
					answered += 1
					if response.status_code != 200:
						failures.append(f"{where} was refused: {messages(response)!r}")
					elif (
						kind == NAME and not empty_or_default(value) and response.json()["message"]["result"]
					):
						failures.append(f"{where} matched rows")
	print(
		f"\nreport filters: {sent} hostile values sent to {len(REPORTS)} reports "
		f"({sum(len(f) for f in REPORTS.values())} filters): {refusals} refused with a 4xx and a message "
		f"({refusals - before_the_report} by the report, naming the filter; {before_the_report} before it), "
		f"{answered} answered (empty or no rows), {len(failures)} wrong"
	)
	assert not failures, "\n".join(failures[:20])


def test_the_issues_examples_are_refused(coordinator, base_url):
	days = run_report(coordinator, base_url, "Deadlines Due", {"days": "abc"})
	assert days.status_code == 417, days.text
	assert "Within days must be a whole number from 0 to 3660." in messages(days)
	organisation = run_report(
		coordinator,
		base_url,
		"Systemic Issues by Organisation and SEIPS",
		{"organisation": ["x", "y"]},
	)
	assert organisation.status_code == 417, organisation.text
	assert "Organisation must be the name of one record." in messages(organisation)
	assert not SQL_IN_ANSWER.search(organisation.text)


def test_good_filters_still_answer(coordinator, base_url):
	for report, filters in (
		("Deadlines Due", {"days": "14"}),
		("Deadlines Due", {"days": 0}),
		("Case Ageing", {"include_ended": 1, "stalled_only": "0"}),
		("Caseload", {"state": "Triage"}),
		("Systemic Issues by Organisation and SEIPS", {"state": "All", "severity": "High"}),
		(
			"Discrimination and Disproportionality",
			{"period": "2001", "view": "Kinds of discrimination reported"},
		),
		("Advocacy Pipeline", {"state": "Planned", "overdue_only": 1}),
		("Case View Audit", {"how": "Desk", "from_date": "2026-01-01", "to_date": "2026-12-31"}),
	):
		response = run_report(coordinator, base_url, report, filters)
		assert response.status_code == 200, (report, filters, response.text[:300])
