"""Every page the app ships, opened in real headless Chromium as every casework role that may open it.

The pages are read from the module folder, not listed by hand (lnb_casework/lnb_casework/):
- each doctype that is not a child table: its list, its report view, a new form and a record's form (a single
  doctype: its form), for the roles its `permissions` give read, report and create at level 0;
- each report (`report/*/*.json`) for its `roles`; each workspace for its `roles`, with every number card and
  chart its content places on it drawn;
- each web form, as a guest and as every role; each print format (/printview) and its doctype's print
  preview in the desk, for the roles that read its doctype.
The roles are LNB Caseworker, LNB Coordinator, LNB Policy Lead and System Manager, each a person with that
role only. Each page fails on a script error, a console error, a refused or failed request, a "Not found" or
"Not permitted" page or an error dialog (tests/journey.py records these), and each test is named after the role
and the page. A role the permissions leave out of a doctype's list, a report or a workspace must get a clean
refusal: a "Not permitted" or "Not found" page or message, no console or server error, and no script error but
the empty promise rejection Frappe's query report raises once it has shown "Not permitted" for a report's
script.

The records opened are made once for the module through the app's own code: a case through the intake and
allocated to the caseworker by the coordinator, a review of it by the caseworker, whose systemic factor the
coordinator promotes to a systemic issue, an advocacy action on the issue, a deadline alert. A doctype the
module does not make a record of is opened at a record the site already has (set-up data).

One browser, one context per role, signed in once; the desk moves from page to page as a user's clicks do
(frappe.set_route), reloading only after a page failed. Every page's screenshot is saved to LNB_ARTIFACTS as
every-<role>-<page>.png.
"""

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import frappe
import pytest
from browser import artifact
from journey import Journey, journey, make_person
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

MODULE = Path(__file__).resolve().parents[1] / "lnb_casework" / "lnb_casework"
ROLES = {
	"caseworker": "LNB Caseworker",
	"coordinator": "LNB Coordinator",
	"policy-lead": "LNB Policy Lead",
	"system-manager": "System Manager",
}
GUEST = "guest"
PEOPLE = {key: f"every-form-{key}@lnb.test" for key in ROLES}
RECORD = "{record}"
SETTLE_MS = 250
WIDGETS_MS = 15_000
# what a print that failed to render shows instead (Jinja's undefined values, a Python traceback)
PRINT_FAILURES = ("Traceback", "{{", "undefined value printed", "StopIteration")
REFUSAL_TEXT = re.compile(r"not permitted|insufficient permission|no permission|not allowed|not found", re.I)
# Frappe's query report rejects a promise with nothing once it has shown "Not permitted" for its script
REFUSED_REPORT_REJECTION = re.compile(r"/app/query-report/.*: script error undefined$")


@dataclass(frozen=True)
class Page:
	role: str  # a key of ROLES, or GUEST
	label: str  # names the page in the test id and the screenshot
	path: str  # RECORD stands for the record of `doctype` the module opens
	kind: str  # list, report-view, new, form, single, query-report, workspace, web-form, print, desk-print
	doctype: str = ""
	name: str = ""  # the report, workspace, web form or print format

	@property
	def id(self) -> str:
		return f"{self.role}-{self.label}"


def load(path: Path) -> dict:
	return json.loads(path.read_text())


def slug(name: str) -> str:
	return name.lower().replace(" ", "-")


def roles_with(permissions: list[dict], right: str) -> set[str]:
	"""The casework roles a doctype's permission rows give this right, at level 0."""
	return {
		row["role"]
		for row in permissions
		if row.get(right) and not row.get("permlevel") and row.get("role") in ROLES.values()
	}


def role_keys(roles: set[str]) -> list[str]:
	return [key for key, role in ROLES.items() if role in roles]


def doctypes() -> list[dict]:
	found = [load(path) for path in sorted(MODULE.glob("doctype/*/*.json"))]
	return [meta for meta in found if meta.get("doctype") == "DocType" and not meta.get("istable")]


def listed_roles(meta: dict) -> set[str]:
	return {row["role"] for row in meta.get("roles", []) if row.get("role") in ROLES.values()}


def doctype_pages(meta: dict) -> list[Page]:
	doctype, route = meta["name"], f"/app/{slug(meta['name'])}"
	permissions = meta.get("permissions", [])
	readers = role_keys(roles_with(permissions, "read"))
	if meta.get("issingle"):
		return [Page(role, f"{slug(doctype)}-form", route, "single", doctype) for role in readers]
	pages = [Page(role, f"{slug(doctype)}-list", route, "list", doctype) for role in readers]
	pages += [
		Page(role, f"{slug(doctype)}-report-view", f"{route}/view/report", "report-view", doctype)
		for role in role_keys(roles_with(permissions, "report"))
	]
	pages += [
		Page(role, f"{slug(doctype)}-new", f"{route}/new", "new", doctype)
		for role in role_keys(roles_with(permissions, "create"))
	]
	pages += [Page(role, f"{slug(doctype)}-form", f"{route}/{RECORD}", "form", doctype) for role in readers]
	return pages


def reports() -> list[dict]:
	return [load(path) for path in sorted(MODULE.glob("report/*/*.json"))]


def workspaces() -> list[dict]:
	return [load(path) for path in sorted(MODULE.glob("workspace/*/*.json"))]


def web_forms() -> list[dict]:
	return [load(path) for path in sorted(MODULE.glob("web_form/*/*.json"))]


def print_formats() -> list[dict]:
	return [load(path) for path in sorted(MODULE.glob("print_format/*/*.json"))]


def readers_of(doctype: str) -> list[str]:
	meta = next(meta for meta in doctypes() if meta["name"] == doctype)
	return role_keys(roles_with(meta.get("permissions", []), "read"))


def every_page() -> list[Page]:
	pages = [page for meta in doctypes() for page in doctype_pages(meta)]
	for report in reports():
		name = report["name"]
		path = f"/app/query-report/{name}"
		pages += [
			Page(role, f"report-{slug(name)}", path, "query-report", report["ref_doctype"], name)
			for role in role_keys(listed_roles(report))
		]
	for workspace in workspaces():
		name = workspace["name"]
		roles = listed_roles(workspace) or set(ROLES.values())
		pages += [
			Page(role, f"workspace-{slug(name)}", f"/app/{slug(name)}", "workspace", name=name)
			for role in role_keys(roles)
		]
	for print_format in print_formats():
		doctype, name = print_format["doc_type"], print_format["name"]
		pages += [
			Page(role, f"desk-print-{slug(doctype)}", f"/app/print/{doctype}/{RECORD}", "desk-print", doctype)
			for role in readers_of(doctype)
		]
		query = f"doctype={quote(doctype)}&name={RECORD}&format={quote(name)}&no_letterhead=1"
		pages += [
			Page(role, f"print-{slug(name)}", f"/printview?{query}", "print", doctype, name)
			for role in readers_of(doctype)
		]
	for form in web_forms():
		path = f"/{form['route']}"
		who = [*ROLES, GUEST] if not form.get("login_required") else list(ROLES)
		pages += [Page(role, f"web-form-{form['route']}", path, "web-form", form["doc_type"]) for role in who]
	return pages


def every_refusal() -> list[Page]:
	"""The lists, reports and workspaces a role is left out of."""
	refusals = []
	for meta in doctypes():
		readers = set(role_keys(roles_with(meta.get("permissions", []), "read")))
		doctype = meta["name"]
		path = f"/app/{slug(doctype)}"
		refusals += [
			Page(
				role, f"refused-{slug(doctype)}", path, "single" if meta.get("issingle") else "list", doctype
			)
			for role in ROLES
			if role not in readers and role != "system-manager"
		]
	for report in reports():
		allowed = set(role_keys(listed_roles(report)))
		refusals += [
			Page(role, f"refused-report-{slug(report['name'])}", f"/app/query-report/{report['name']}", "")
			for role in ROLES
			if role not in allowed and role != "system-manager"
		]
	for workspace in workspaces():
		allowed = set(role_keys(listed_roles(workspace) or set(ROLES.values())))
		refusals += [
			Page(role, f"refused-workspace-{slug(workspace['name'])}", f"/app/{slug(workspace['name'])}", "")
			for role in ROLES
			if role not in allowed and role != "system-manager"
		]
	return refusals


PAGES = every_page()
REFUSALS = every_refusal()


@pytest.fixture(scope="module")
def records() -> Iterator[dict[str, str]]:
	"""One record of each doctype, made through the app's own code as its users would, removed afterwards."""
	from frappe.model.workflow import apply_workflow

	from lnb_casework.alerts.scheduled import DEADLINE_REMINDER
	from lnb_casework.alerts.sending import send_once
	from lnb_casework.api.casework import allocate
	from lnb_casework.api.learning import promote
	from lnb_casework.lnb_casework.doctype.case.test_case import submit_through_form
	from lnb_casework.lnb_casework.doctype.review.test_review import review_answers

	for key, role in ROLES.items():
		make_person(PEOPLE[key], role, full_name=f"Every {key.replace('-', ' ').title()}")
	tag = frappe.generate_hash(length=6)
	made: dict[str, str] = {}
	try:
		frappe.set_user(PEOPLE["coordinator"])
		trust, other = (
			frappe.get_doc({"doctype": "Healthcare Organisation", "organisation_name": f"{name} {tag}"})
			.insert()
			.name
			for name in ("Every Form Hospitals NHS Trust", "Every Form Community Trust")
		)
		made["Healthcare Organisation"], made["other organisation"] = trust, other
		made["Caseworker Profile"] = (
			frappe.get_doc(
				{
					"doctype": "Caseworker Profile",
					"user": PEOPLE["caseworker"],
					"capacity": 5,
					"organisations": [{"organisation": other}],
				}
			)
			.insert()
			.name
		)
		frappe.set_user("Guest")
		case = submit_through_form(
			email=f"every-form-{tag}@example.com",
			gmc_number="",
			equality_sex="Prefer not to say",
			key_dates=[
				{
					"description": "Disciplinary hearing",
					"date": frappe.utils.add_days(frappe.utils.today(), 3),
				}
			],
		).name
		made["Case"] = case
		frappe.set_user(PEOPLE["coordinator"])
		doc = frappe.get_doc("Case", case)
		doc.organisation = trust
		doc.save()
		apply_workflow(doc, "Start triage")
		allocate(case, PEOPLE["caseworker"])
		frappe.set_user(PEOPLE["caseworker"])
		review = frappe.get_doc(
			review_answers(
				case,
				systemic_factors=[
					{
						"seips_component": "Organisation",
						"description": "The night rota left two doctors short.",
					}
				],
			)
		).insert()
		made["Review"] = review.name
		frappe.set_user(PEOPLE["coordinator"])
		issue = promote(review.name, review.systemic_factors[0].name)["systemic_issue"]
		made["Systemic Issue"] = issue
		frappe.set_user(PEOPLE["policy-lead"])
		made["Advocacy Action"] = (
			frappe.get_doc(
				{
					"doctype": "Advocacy Action",
					"title": f"Letter on night rotas {tag}",
					"action_type": "Letter to an organisation",
					"responsible": PEOPLE["policy-lead"],
					"systemic_issues": [{"systemic_issue": issue}],
				}
			)
			.insert()
			.name
		)
		frappe.set_user("Administrator")
		send_once(
			DEADLINE_REMINDER,
			f"every-form-{tag}",
			[PEOPLE["caseworker"]],
			f"Deadline in 3 days on case {case}",
			{"message": "A deadline on this case is coming up.", "reference": case, "facts": []},
			"Case",
			case,
		)
		made["LNB Alert Log"] = frappe.db.get_value("LNB Alert Log", {"key": f"every-form-{tag}"})
		made["Systemic Issue Evidence"] = frappe.db.get_value("Systemic Issue Evidence", {"case": case})
		made["Case State Change"] = frappe.db.get_value("Case State Change", {"case": case})
		made["Equality Monitoring"] = frappe.db.get_value("Equality Monitoring", {"case": case})
		made["Subject Access Request"] = (
			frappe.get_doc({"doctype": "Subject Access Request", "email": f"every-form-{tag}@example.com"})
			.insert()
			.name
		)
		made["Erasure Request"] = (
			frappe.get_doc(
				{
					"doctype": "Erasure Request",
					"email": frappe.db.get_value("Case", case, "email"),
					"reason": "The every-form test opens a request awaiting confirmation.",
				}
			)
			.insert()
			.name
		)
		frappe.db.commit()
		yield made
	finally:
		frappe.db.rollback()
		frappe.set_user("Administrator")
		remove(made)
		frappe.db.commit()


def remove(made: dict[str, str]) -> None:
	if made.get("Erasure Request"):
		frappe.db.delete("Erasure Request", {"name": made["Erasure Request"]})
	if made.get("Subject Access Request"):
		frappe.delete_doc(
			"Subject Access Request", made["Subject Access Request"], ignore_permissions=True, force=True
		)
	for doctype in ("Advocacy Action", "Systemic Issue"):
		if made.get(doctype):
			frappe.delete_doc(doctype, made[doctype], ignore_permissions=True, force=True)
	if made.get("LNB Alert Log"):
		frappe.db.delete("LNB Alert Log", {"name": made["LNB Alert Log"]})
	if made.get("Case"):
		case = made["Case"]
		for review in frappe.get_all("Review", filters={"case": case}, pluck="name"):
			frappe.db.delete("Review Systemic Factor", {"parent": review})
			frappe.db.delete("Review", {"name": review})
		frappe.db.delete("Email Queue", {"reference_doctype": "Case", "reference_name": case})
		frappe.db.delete("ToDo", {"reference_type": "Case", "reference_name": case})
		frappe.db.delete("Case State Change", {"case": case})
		frappe.delete_doc("Case", case, ignore_permissions=True, force=True)
	if made.get("Caseworker Profile"):
		frappe.delete_doc(
			"Caseworker Profile", made["Caseworker Profile"], ignore_permissions=True, force=True
		)
	for key in ("Healthcare Organisation", "other organisation"):
		if made.get(key):
			frappe.delete_doc("Healthcare Organisation", made[key], ignore_permissions=True, force=True)


def record_of(records: dict[str, str], doctype: str) -> str:
	"""The module's record of this doctype, or one the site already has (set-up data)."""
	name = records.get(doctype) or frappe.db.get_value(doctype, {}, "name")
	assert name, f"No {doctype} to open: make one in the `records` fixture."
	return name


@pytest.fixture(scope="module")
def people(chromium: Browser, base_url: str, records) -> Iterator[dict[str, Journey]]:
	"""Each role's browser context, signed in on first use; the guest's is never signed in."""
	with contextlib.ExitStack() as stack:
		opened: dict[str, Journey] = {}

		def person(role: str) -> Journey:
			if role not in opened:
				visit = stack.enter_context(journey(chromium, f"every-{role}"))
				if role != GUEST:
					visit.sign_in(base_url, PEOPLE[role])
					settle(visit)
				opened[role] = visit
			return opened[role]

		yield person


def settle(visit: Journey) -> None:
	"""Waits until no desk request has been in flight for a moment (the page then has what it shows)."""
	idle = "() => !(window.frappe && frappe.request) || frappe.request.ajax_count === 0"
	visit.page.wait_for_load_state("load")
	for _attempt in range(100):
		visit.page.wait_for_function(idle)
		visit.page.wait_for_timeout(SETTLE_MS)
		if visit.page.evaluate(idle):
			return


def in_desk(visit: Journey) -> bool:
	with contextlib.suppress(PlaywrightError):
		return visit.page.evaluate("() => !!(window.frappe && frappe.router && frappe.container)")
	return False


def open_page(visit: Journey, base_url: str, path: str) -> None:
	"""Closes whatever dialog the last page left open and goes to `path`: inside the desk as a click would,
	or by loading it when the desk is not there (a web page was last, or the last page failed)."""
	visit.problems.clear()
	reload, visit.broken = getattr(visit, "broken", False), True
	if path.startswith("/app/") and in_desk(visit) and not reload:
		visit.page.evaluate("() => { $('.modal.show').modal('hide'); }")
		visit.page.evaluate("path => frappe.set_route(path)", path)
	else:
		visit.page.goto(f"{base_url}{quote(path, safe='/?=&%')}")
	settle(visit)


def screenshot(visit: Journey, role: str, label: str) -> None:
	with contextlib.suppress(PlaywrightError):
		visit.page.screenshot(path=str(artifact(f"every-{role}-{label}.png")))


def current(visit: Journey, script: str):
	return visit.page.evaluate(f"() => {{ {script} }}")


def shown_problems(visit: Journey, page: Page, record: str) -> list[str]:
	"""What is wrong with what the page shows, beyond what the journey records."""
	if page.kind in ("list", "report-view"):
		rows = ".frappe-list .list-row-container" if page.kind == "list" else ".dt-scrollable .dt-row"
		shown = visit.page.locator(f"{rows}:visible").count()
		return [] if shown else [f"the {page.kind} shows no {page.doctype}, though {record} is there"]
	if page.kind in ("form", "new", "single"):
		form = current(
			visit, "return window.cur_frm ? [cur_frm.doctype, cur_frm.docname, cur_frm.is_new()] : null"
		)
		expected = {"form": record, "single": page.doctype}.get(page.kind)
		if not form or form[0] != page.doctype or (expected and form[1] != expected):
			return [f"the {page.doctype} form is not open (shown: {form})"]
		if page.kind == "new" and not form[2]:
			return [f"the form open is {form[1]}, not a new {page.doctype}"]
		return []
	if page.kind == "query-report":
		shown = current(
			visit, "return window.frappe && frappe.query_report && frappe.query_report.report_name"
		)
		return [] if shown == page.name else [f"the report {page.name} is not shown (shown: {shown})"]
	if page.kind == "workspace":
		return workspace_problems(visit, page.name)
	if page.kind == "print":
		printed = visit.page.locator(".print-format:visible")
		text = printed.first.inner_text() if printed.count() else visit.page.locator("body").inner_text()
		problems = [] if printed.count() else [f"no print of {record}: {text[:300]!r}"]
		return problems + [f"the print shows {marker!r}" for marker in PRINT_FAILURES if marker in text]
	if page.kind == "desk-print":
		drawn = """() => [...document.querySelectorAll("iframe.print-format-container")]
			.some((frame) => frame.offsetParent && frame.contentDocument?.body?.innerText.trim())"""
		# the desk may draw the preview twice (once the doctype's default format is known)
		for _drawing in range(2):
			with contextlib.suppress(PlaywrightError):
				visit.page.wait_for_function(drawn, timeout=WIDGETS_MS)
			settle(visit)
		preview = visit.page.locator("iframe.print-format-container:visible")
		text = preview.first.content_frame.locator("body").inner_text() if preview.count() else ""
		problems = [] if text.strip() else [f"the print preview of {record} is empty"]
		return problems + [
			f"the print preview shows {marker!r}" for marker in PRINT_FAILURES if marker in text
		]
	if page.kind == "web-form":
		shown = visit.page.locator("form:visible, .web-form:visible").count()
		return [] if shown else ["no web form on the page"]
	return []


def workspace_problems(visit: Journey, name: str) -> list[str]:
	"""Each number card and chart the workspace's content places on it is drawn, a card with its figure."""
	workspace = next(workspace for workspace in workspaces() if workspace["name"] == name)
	blocks = json.loads(workspace["content"])
	cards = [block["data"]["number_card_name"] for block in blocks if block["type"] == "number_card"]
	charts = [block["data"]["chart_name"] for block in blocks if block["type"] == "chart"]
	drawn = """([cards, charts]) =>
		[...document.querySelectorAll(".number-widget-box .number")].filter((n) => n.offsetParent).length === cards
		&& [...document.querySelectorAll(".dashboard-widget-box")].filter((n) => n.offsetParent).length === charts"""
	with contextlib.suppress(PlaywrightError):
		visit.page.wait_for_function(drawn, arg=[len(cards), len(charts)], timeout=WIDGETS_MS)
	settle(visit)
	problems = []
	numbers = visit.page.locator(".number-widget-box:visible .number").all_inner_texts()
	if len(numbers) != len(cards) or not all(re.search(r"\d", number) for number in numbers):
		problems.append(f"number cards {cards}: shown {numbers}")
	shown = visit.page.locator(".dashboard-widget-box:visible").count()
	if shown != len(charts):
		problems.append(f"charts {charts}: {shown} shown")
	return problems


@pytest.mark.parametrize("target", PAGES, ids=[page.id for page in PAGES])
def test_page_opens_cleanly(people, records, base_url: str, target: Page) -> None:
	visit = people(target.role)
	record = record_of(records, target.doctype) if RECORD in target.path else ""
	path = target.path.replace(RECORD, quote(record))
	open_page(visit, base_url, path)
	screenshot(visit, target.role, target.label)
	problems = [
		*visit.problems,
		*visit.error_dialogs(),
		*visit.not_found(),
		*shown_problems(visit, target, record),
	]
	assert not problems, f"{target.role} opening {path}:\n" + "\n".join(problems)
	visit.broken = False


@pytest.mark.parametrize("target", REFUSALS, ids=[page.id for page in REFUSALS])
def test_page_refused_cleanly(people, base_url: str, target: Page) -> None:
	"""A "Not permitted" or "Not found" page or message, and no script error, console error or server error.
	Each refusal is loaded afresh: the desk shows its refusal message once for a run of refused routes."""
	visit = people(target.role)
	visit.broken = True
	open_page(visit, base_url, target.path)
	screenshot(visit, target.role, target.label)
	crashes = [
		problem
		for problem in visit.problems
		if ("script error" in problem and not REFUSED_REPORT_REJECTION.search(problem))
		or "console error" in problem
		or re.search(r"answered 5\d\d", problem)
	]
	shown = ".modal.show:visible, .page-container:visible .page-head, .page-card-head:visible, h1:visible"
	text = " ".join(visit.page.locator(shown).all_inner_texts())
	assert not crashes, f"{target.role} refused {target.path}, but not cleanly:\n" + "\n".join(crashes)
	assert REFUSAL_TEXT.search(text), f"{target.role} opening {target.path} was not told it may not: {text!r}"
