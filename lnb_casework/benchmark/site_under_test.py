"""What the benchmark needs on each of its sites, set up in-process before the site is served: an API key
for each person it acts as, the busiest caseworker, an outgoing Email Account (so mail is queued as on a
real site) and an intake allowance that a few hundred submissions from one address do not exhaust."""

import json
import secrets
import socket
import uuid
from dataclasses import dataclass, field

import frappe
from frappe.utils.password import get_decrypted_password, set_encrypted_password

from lnb_casework.boot import rules_the_desk_scripts_read
from lnb_casework.casework.rules import OPEN_STATES
from lnb_casework.demo.plan import COORDINATOR, DOMAIN
from lnb_casework.mail_testing import insert_local_outgoing_account

ADMINISTRATOR = "Administrator"
BENCHMARK_EMAILS = f"benchmark-%@{DOMAIN}"
OUTBOX = "LNB benchmark outbox"
INTAKE_ALLOWANCE = 1_000_000
WORKSPACE = "Learn Not Blame"


@dataclass
class SiteUnderTest:
	site: str
	caseworker: str
	caseworker_cases: int
	cases: int
	tokens: dict[str, str] = field(default_factory=dict)
	report_filters: dict[str, dict] = field(default_factory=dict)
	cards: list[tuple[str, str]] = field(default_factory=list)
	charts: list[tuple[str, str]] = field(default_factory=list)
	consent_version: str = ""


def prepare(site: str) -> SiteUnderTest:
	"""Sets up the site for the benchmark (committed) and describes it."""
	frappe.set_user(ADMINISTRATOR)
	caseworker, held = busiest_caseworker()
	under_test = SiteUnderTest(
		site=site,
		caseworker=caseworker,
		caseworker_cases=held,
		cases=frappe.db.count("Case"),
		consent_version=frappe.db.get_single_value("LNB Settings", "consent_version"),
	)
	for user in (ADMINISTRATOR, COORDINATOR.email, caseworker):
		under_test.tokens[user] = api_token(user)
	frappe.db.set_single_value("LNB Settings", "intake_rate_limit", INTAKE_ALLOWANCE)
	ensure_outbox()
	under_test.report_filters = default_report_filters()
	under_test.cards, under_test.charts = workspace_cards_and_charts()
	frappe.db.commit()
	frappe.clear_cache()
	return under_test


def busiest_caseworker() -> tuple[str, int]:
	"""The caseworker allocated the most open cases, and how many."""
	rows = frappe.db.sql(
		"""select caseworker, count(*) from `tabCase`
		where caseworker is not null and workflow_state in %(open)s
		group by caseworker order by count(*) desc, caseworker limit 1""",
		{"open": OPEN_STATES},
	)
	if not rows:
		frappe.throw("The site has no allocated cases: make them with bench lnb-generate-data first.")
	return rows[0][0], rows[0][1]


def api_token(user: str) -> str:
	"""The Authorization header value for the user's API key, made once and kept."""
	key = frappe.db.get_value("User", user, "api_key")
	secret = key and get_decrypted_password("User", user, "api_secret", raise_exception=False)
	if not secret:
		key, secret = frappe.generate_hash(length=15), frappe.generate_hash(length=15)
		frappe.db.set_value("User", user, "api_key", key, update_modified=False)
		set_encrypted_password("User", user, secret, "api_secret")
	return f"token {key}:{secret}"


def ensure_outbox() -> None:
	"""A default outgoing Email Account, so that mail is queued as on a real site. Frappe checks the server
	answers when the account is saved: a throwaway SMTP sink answers then; the benchmark runs no scheduler,
	so nothing is ever sent to it afterwards."""
	if frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}):
		return
	from aiosmtpd.controller import Controller
	from aiosmtpd.handlers import Sink

	sink = Controller(Sink(), hostname="127.0.0.1", port=free_port())
	sink.start()
	try:
		insert_local_outgoing_account(OUTBOX, f"benchmark@{DOMAIN}", sink.port)
	finally:
		sink.stop()


def free_port() -> int:
	with socket.socket() as probe:
		probe.bind(("127.0.0.1", 0))
		return probe.getsockname()[1]


def default_report_filters() -> dict[str, dict]:
	"""Each of the app's query reports with the filters its desk script sets by default, read from where
	the scripts read them (the boot info)."""
	boot = frappe._dict()
	rules_the_desk_scripts_read(boot)
	rules = boot.lnb
	defaults = {
		"Caseload": {},
		"Case Ageing": {"stalled_only": 0, "include_ended": 0},
		"Deadlines Due": {"days": rules["deadlines_due_days"]},
		"Discrimination and Disproportionality": {
			"period": rules["equality_report"]["ended_years"][0],
			"view": rules["equality_report"]["views"][0],
		},
		"Systemic Issues by Organisation and SEIPS": {"state": rules["issue_filter"]["open"]},
		"Advocacy Pipeline": {"overdue_only": 0},
		"Case View Audit": {},
	}
	shipped = set(frappe.get_all("Report", filters={"module": "LNB Casework"}, pluck="name"))
	return {report: filters for report, filters in defaults.items() if report in shipped}


def workspace_cards_and_charts() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
	"""The coordinator workspace's number cards (name, method) and charts (name, source's method), as the
	desk loads them."""
	workspace = frappe.get_doc("Workspace", WORKSPACE)
	cards = []
	for row in workspace.number_cards:
		method = frappe.db.get_value("Number Card", row.number_card_name, "method")
		if method:
			cards.append((row.number_card_name, method))
	charts = []
	for row in workspace.charts:
		source = frappe.db.get_value("Dashboard Chart", row.chart_name, "source")
		if source:
			charts.append((row.chart_name, chart_method(source)))
	return cards, charts


def chart_method(source: str) -> str:
	"""The whitelisted method the desk calls for one of the app's custom chart sources: the module's `get`."""
	module = frappe.scrub(frappe.db.get_value("Dashboard Chart Source", source, "module"))
	folder = frappe.scrub(source)
	return f"lnb_casework.{module}.dashboard_chart_source.{folder}.{folder}.get"


def intake_answers(consent_version: str) -> dict:
	"""A doctor's answers as the intake form sends them (no attachment), under a benchmark address that
	bench lnb-remove-generated-data also recognises, and a GMC number of their own (a repeated one would
	make each submission a possible duplicate of the earlier ones)."""
	return {
		"doctor_name": "Dr Benchmark (fictional)",
		"email": f"benchmark-{uuid.uuid4().hex[:12]}@{DOMAIN}",
		"phone": "+44 7700 900456",
		"contact_preference": "Phone",
		"gmc_number": str(secrets.randbelow(9_000_000) + 1_000_000),
		"grade": "Specialty, associate specialist or specialist (SAS)",
		"specialty": "Emergency medicine",
		"employer_name": "Westshire University Hospitals (fictional)",
		"what_happened": "After I raised concerns about rota gaps I was referred to the GMC by my employer.",
		"processes": [{"process_type": "GMC fitness to practise", "details": "provisional enquiry"}],
		"key_dates": [{"description": "Reply to the GMC", "date": "2030-01-08"}],
		"discrimination": "Yes",
		"discrimination_kinds": [{"kind": "Race"}],
		"wellbeing": "I am safe and do not need urgent support",
		"equality_ethnic_group": "Prefer not to say",
		"consent_given": 1,
		"lnb_consent_version": consent_version,
	}


def as_form(answers: dict) -> dict:
	return {"data": json.dumps(answers)}
