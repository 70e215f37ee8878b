"""The requests the benchmark times over HTTP, each as the desk, the intake form or a REST client sends it."""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from lnb_casework.benchmark.in_process import BENCHMARK_TODO
from lnb_casework.benchmark.site_under_test import (
	ADMINISTRATOR,
	WORKSPACE,
	SiteUnderTest,
	as_form,
	intake_answers,
)
from lnb_casework.demo.plan import COORDINATOR

LISTED_DOCTYPES = ("Case", "File", "Comment", "ToDo", "Version", "Communication")
# what the desk's list view asks for besides the doctype's own list columns
STANDARD_LIST_FIELDS = (
	"name",
	"owner",
	"creation",
	"modified",
	"modified_by",
	"_user_tags",
	"_comments",
	"_assign",
	"_liked_by",
	"docstatus",
	"idx",
)
PAGE_LENGTH = 20


@dataclass(frozen=True)
class Measure:
	group: str
	name: str
	who: str
	site: str


@dataclass
class Client:
	"""Requests to one site as one person (None: a visitor who is not signed in)."""

	base_url: str
	site: str
	token: str | None

	def __post_init__(self) -> None:
		self.session = requests.Session()
		self.session.headers["Host"] = self.site
		self.session.headers["Accept"] = "application/json"
		if self.token:
			self.session.headers["Authorization"] = self.token

	def call(self, method: str, http_method: str = "POST", **values) -> requests.Response:
		return self.session.request(
			http_method, f"{self.base_url}/api/method/{method}", data=values, timeout=600
		)

	def resource(self, doctype: str, **params) -> requests.Response:
		return self.session.get(f"{self.base_url}/api/resource/{doctype}", params=params, timeout=600)


def list_fields(doctype: str, list_columns: dict[str, list[str]]) -> str:
	fields = [*STANDARD_LIST_FIELDS, *list_columns.get(doctype, [])]
	return json.dumps([f"`tab{doctype}`.`{field}`" for field in dict.fromkeys(fields)])


def requests_for(
	under_test: SiteUnderTest, base_url: str, list_columns: dict[str, list[str]], orders: dict[str, str]
) -> dict[Measure, Callable[[], requests.Response]]:
	"""Every timed request against one site."""
	site = under_test.site
	people = {
		"Administrator": Client(base_url, site, under_test.tokens[ADMINISTRATOR]),
		"coordinator": Client(base_url, site, under_test.tokens[COORDINATOR.email]),
		"caseworker": Client(base_url, site, under_test.tokens[under_test.caseworker]),
	}
	visitor = Client(base_url, site, None)
	timed: dict[Measure, Callable[[], requests.Response]] = {
		Measure("intake", "intake (a doctor's submission)", "visitor", site): lambda: visitor.call(
			"lnb_casework.api.intake.submit", **as_form(intake_answers(under_test.consent_version))
		),
		Measure("intake", "bare ToDo insert (REST)", "Administrator", site): lambda: people[
			"Administrator"
		].session.post(f"{base_url}/api/resource/ToDo", json={"description": BENCHMARK_TODO}, timeout=600),
	}
	for doctype in LISTED_DOCTYPES:
		whose = (
			("Administrator", "caseworker", "coordinator")
			if doctype == "Case"
			else ("Administrator", "caseworker")
		)
		for who in whose:
			client = people[who]
			timed[Measure("list", f"{doctype} (desk)", who, site)] = lambda client=client, doctype=doctype: (
				client.call(
					"frappe.desk.reportview.get",
					doctype=doctype,
					fields=list_fields(doctype, list_columns),
					order_by=orders[doctype],
					start=0,
					page_length=PAGE_LENGTH,
					view="List",
					with_comment_count=1,
				)
			)
			timed[Measure("list", f"{doctype} (REST)", who, site)] = lambda client=client, doctype=doctype: (
				client.resource(doctype, limit_page_length=PAGE_LENGTH)
			)
	for report, filters in under_test.report_filters.items():
		for who in ("coordinator", "caseworker"):
			timed[Measure("report", report, who, site)] = (
				lambda client=people[who], report=report, filters=filters: client.call(
					"frappe.desk.query_report.run",
					report_name=report,
					filters=json.dumps(filters),
					ignore_prepared_report=0,
					are_default_filters=1,
				)
			)
	coordinator = people["coordinator"]
	timed[Measure("workspace", f"{WORKSPACE} workspace page", "coordinator", site)] = lambda: (
		coordinator.call(
			"frappe.desk.desktop.get_desktop_page",
			page=json.dumps({"name": WORKSPACE, "title": WORKSPACE, "public": 1}),
		)
	)
	for card, method in under_test.cards:
		for who in ("coordinator", "caseworker"):
			timed[Measure("workspace", f"card: {card}", who, site)] = (
				lambda client=people[who], method=method: client.call(method, filters="[]")
			)
	for chart, method in under_test.charts:
		for who in ("coordinator", "caseworker"):
			timed[Measure("workspace", f"chart: {chart}", who, site)] = (
				lambda client=people[who], method=method, chart=chart: client.call(
					method, chart_name=chart, filters="{}", refresh=1
				)
			)
	return timed


def timed_call(send: Callable[[], requests.Response]) -> tuple[float, int]:
	"""Seconds to the whole answer, and its status code."""
	start = time.perf_counter()
	response = send()
	seconds = time.perf_counter() - start
	return seconds, response.status_code


def wait_until_served(base_url: str, site: str, seconds: int = 120) -> None:
	"""Waits for the web server to answer for the site; raises when it does not within `seconds`."""
	deadline = time.monotonic() + seconds
	while True:
		try:
			if requests.get(f"{base_url}/api/method/ping", headers={"Host": site}, timeout=5).ok:
				return
		except requests.ConnectionError:
			pass
		if time.monotonic() > deadline:
			raise RuntimeError(f"The web server at {base_url} did not answer for {site} within {seconds} s.")
		time.sleep(0.5)
