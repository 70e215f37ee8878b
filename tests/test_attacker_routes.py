"""Every whitelisted method and route on the site, tried as an attacker of each role against a case that is
not theirs, over real HTTP (issue 10, "Tests as an attacker").

One victim case comes in through the public intake with secret markers in every answer; a coordinator's
allocation gives it to caseworker A; it gets a review, a comment, a deadline, a tag and a file. The attackers
are caseworker B (not allocated), a policy lead, a desk user with no casework role, a website user and a
guest, each signed in by API key. For each method (tests/attack_surface.py finds them all, Frappe's and the
app's) and each parameter that names a doctype, a document, a field, a filter or a tag, every attacker sends
argument sets aimed at the victim, and the same calls naming a case that does not exist. Then:
1. no answer shows any of the victim's secrets (or a reference the request did not name);
2. the answer for the victim and the answer for the missing case are the same (status, and body once the
   names are put back as placeholders and times and generated names are taken out);
3. no answer is a server error; and no call changes the victim's records.
A second test sends a generated battery of SQL expressions through every field, filter, order and group
parameter (and the aggregate arguments of number cards and dashboard charts) with the same checks.

Every failure is listed at the end, and written to $LNB_ARTIFACTS/attacker-findings.md.
"""

import hashlib
import json
import os
import random
import string
import threading
import time
import uuid
import zlib
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import frappe
import pytest
import requests
from attack_surface import (
	FIELD_LIST_PARAMETERS,
	FIELD_PARAMETERS,
	FILTER_PARAMETERS,
	ORDER_PARAMETERS,
	SEARCH_PARAMETERS,
	SECRET_READS,
	SPELLINGS_OF_NAMES,
	Attack,
	Markers,
	Method,
	aggregate_attacks,
	attacks_on,
	attacks_without_aim,
	carrier_arguments,
	comparable,
	discover_methods,
	payloads_for,
	placeholders_in,
	respelt,
	route_attacks,
	sample,
	targets,
	targets_for,
	token,
)
from intake_payloads import PDF, answers, data_url, submit

from lnb_casework.lnb_casework.doctype.case.test_case import make_user

CASEWORKER_A = "victim-caseworker-a@lnb.test"
ORGANISATION = "Attacker Test Hospitals NHS Trust"
ATTACKERS = {
	"caseworker B": ("attacker-caseworker-b@lnb.test", "LNB Caseworker"),
	"policy lead": ("attacker-policy-lead@lnb.test", "LNB Policy Lead"),
	"desk user": ("attacker-desk-user@lnb.test", "Attacker Desk Role"),
	"website user": ("attacker-website-user@lnb.test", None),
}
GUEST = "guest"
ROLES = (*ATTACKERS, GUEST)
# which of the victim's records each attacker aims at (attack_surface.targets_for)
REACH = {
	"caseworker B": "all",
	"policy lead": "core",
	"desk user": "minimal",
	"website user": "minimal",
	GUEST: "minimal",
}
WORKERS = 4
# payloads per parameter of each method, shared out among the roles (each payload is a victim/missing pair)
PAYLOADS_PER_PARAMETER = 16
# doctypes an attacker may list rows of, to carry an expression past the row rules (first that answers)
CARRIER_DOCTYPES = (
	"Case",
	"Healthcare Organisation",
	"Systemic Issue",
	"ToDo",
	"Country",
	"Currency",
	"User",
)
FINDINGS_FILE = "attacker-findings.md"
NAME_COUNTS_FILE = "attack-counts-names.txt"
SNIPPET = 240
TIMEOUT = 30
CONTENT_HEADERS = ("Content-Type", "Content-Disposition", "Location")
TIMED_OUT = 599
TEXT_FIELDS = (
	"Data",
	"Small Text",
	"Text",
	"Long Text",
	"Select",
	"Date",
	"Link",
)  # how an answer that never came is recorded


# ---- the victim


def unique_digits(count: int) -> str:
	return str(uuid.uuid4().int)[:count]


def allocate_as_coordinator(case: str, caseworker: str) -> None:
	from lnb_casework.api.casework import allocate

	if not frappe.db.exists("Caseworker Profile", caseworker):
		frappe.get_doc({"doctype": "Caseworker Profile", "user": caseworker, "capacity": 1000}).insert(
			ignore_permissions=True
		)
	if not frappe.db.exists("Healthcare Organisation", ORGANISATION):
		frappe.get_doc({"doctype": "Healthcare Organisation", "organisation_name": ORGANISATION}).insert(
			ignore_permissions=True
		)
	frappe.db.set_value("Case", case, {"workflow_state": "Triage", "organisation": ORGANISATION})
	allocate(case, caseworker, override_reason="Attacker test")


@dataclass
class Victim:
	real: dict[str, str]  # placeholder -> the victim's value
	missing: dict[str, str]  # placeholder -> a value nothing on the site has
	markers: Markers
	child_rows: dict[str, tuple[str, str, tuple[str, ...]]]  # doctype -> (parent, parentfield, fields)


def make_victim(base_url: str) -> Victim:
	"""A case through the public intake, allocated to caseworker A, with a review, a comment, a deadline,
	a tag and a file; every answer carries a marker of its own."""
	mark = uuid.uuid4().hex[:10]
	gmc, phone_digits = unique_digits(7), unique_digits(6)
	email = f"victim-{mark}@example.com"
	equality = {
		"ethnic_group": "Mixed or multiple ethnic groups",
		"sex": "Female",
		"gender_identity_same_as_birth": "No",
		"sexual_orientation": "Bisexual",
		"disability": "Yes",
		"religion_or_belief": "Sikh",
		"age_band": "60 or over",
		"qualification_region": "European Economic Area",
	}
	secrets = {
		"narrative": f"Narrative{mark}",
		"doctor's name": f"Vexhart{mark}",
		"email": email,
		"phone": f"+44 7700 9{phone_digits[:2]} {phone_digits[2:]}",
		"GMC number": gmc,
		"process details": f"Process{mark}",
		"key date": f"Keydate{mark}",
		"file name": f"letter-{mark}.pdf",
		"casework notes": f"Notes{mark}",
		"deadline": f"Deadline{mark}",
		"comment": f"Comment{mark}",
		"review": f"Circumstances{mark}",
		"review recommendation": f"Recommendation{mark}",
		"systemic factor": f"Factor{mark}",
		"procedural failure": f"Failure{mark}",
		"unfairness": f"Unfair{mark}",
		"tag": f"victimtag{mark}",
	}
	narrative = f"After I raised concerns {secrets['narrative']} I was excluded."
	frappe.db.rollback()
	frappe.cache.delete_keys("rl:")
	with requests.Session() as guest:
		response = submit(
			guest,
			base_url,
			answers(
				email,
				doctor_name="Dr Quill " + secrets["doctor's name"],
				phone=secrets["phone"],
				gmc_number=gmc,
				what_happened=narrative,
				processes=[
					{"process_type": "GMC fitness to practise", "details": secrets["process details"]}
				],
				key_dates=[{"description": secrets["key date"], "date": "2027-01-08"}],
				lnb_attachments=[
					{"file_name": secrets["file name"], "content": data_url(PDF + mark.encode())}
				],
				**{f"equality_{question}": answer for question, answer in equality.items()},
			),
		)
	assert response.status_code == 200, response.text
	case = response.json()["message"]["name"]

	frappe.db.rollback()
	frappe.set_user("Administrator")
	make_user(CASEWORKER_A, "LNB Caseworker")
	allocate_as_coordinator(case, CASEWORKER_A)
	doc = frappe.get_doc("Case", case)
	doc.casework_notes = secrets["casework notes"]
	doc.append(
		"deadlines", {"description": secrets["deadline"], "due_date": "2027-03-01", "source": "Caseworker"}
	)
	doc.save(ignore_permissions=True)
	doc.add_comment("Comment", secrets["comment"])
	from frappe.desk.doctype.tag.tag import add_tag

	add_tag(secrets["tag"], "Case", case)
	review = frappe.get_doc(
		{
			"doctype": "Review",
			"case": case,
			"circumstances": secrets["review"],
			"recommendation": secrets["review recommendation"],
			"systemic_factors": [
				{"seips_component": "Organisation", "description": secrets["systemic factor"]}
			],
			"procedural_failures": [
				{"process_stage": "Investigation", "what_went_wrong": secrets["procedural failure"]}
			],
			"unfairness": [{"kind": "Delay", "description": secrets["unfairness"]}],
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()

	child_rows = {}
	rows = {}
	for parent, parent_name in (("Case", case), ("Review", review.name)):
		for table in frappe.get_meta(parent).get_table_fields():
			name = frappe.db.get_value(table.options, {"parent": parent_name, "parenttype": parent}, "name")
			if name:
				fields = tuple(
					df.fieldname
					for df in frappe.get_meta(table.options).fields
					if df.fieldtype in TEXT_FIELDS
				)
				child_rows[table.options] = (parent, table.fieldname, fields)
				rows[table.options] = name
	for doctype, filters in (
		("Equality Monitoring", {"case": case}),
		("Case State Change", {"case": case}),
		("File", {"attached_to_doctype": "Case", "attached_to_name": case}),
		("Comment", {"reference_doctype": "Case", "reference_name": case, "comment_type": "Comment"}),
		("Version", {"ref_doctype": "Case", "docname": case}),
		("Tag Link", {"document_type": "Case", "document_name": case}),
		("ToDo", {"reference_type": "Case", "reference_name": case}),
	):
		rows[doctype] = frappe.db.get_value(doctype, filters, "name") or ""
	file_url = frappe.db.get_value("File", rows["File"], "file_url")

	real = {
		"CASE": case,
		"REVIEW": review.name,
		"GMC": gmc,
		"EMAIL": email,
		"TAG": secrets["tag"],
		"FILE_URL": file_url,
		**{f"ROW:{doctype}": name for doctype, name in rows.items()},
	}
	year = case.split("-")[1]
	missing = {
		"CASE": f"LNB-{year}-99999",
		"REVIEW": f"REV-{year}-99999",
		"GMC": next(other for other in iter(lambda: unique_digits(7), None) if other != gmc),
		"EMAIL": f"nobody-{mark}@example.com",
		"TAG": f"missingtag{mark}",
		"FILE_URL": f"/private/files/missing-{mark}.pdf",
		**{f"ROW:{doctype}": name_like(name) for doctype, name in rows.items()},
	}
	options = {
		question: frappe.get_meta("Equality Monitoring").get_options(question).split("\n")
		for question in equality
	}
	markers = Markers(
		secrets={
			**secrets,
			"narrative, as CRC32": str(zlib.crc32(narrative.encode())),
			"equality answers, joined": "|".join(equality.values()),
			"equality answers, as CRC32": str(zlib.crc32("|".join(equality.values()).encode())),
		},
		references={
			"case reference": case,
			"review reference": review.name,
			**{f"{doctype} row name": name for doctype, name in rows.items() if name},
			"file URL": file_url,
		},
		equality_answers={q: a for q, a in equality.items() if a not in ("Yes", "No", "Female")},
		equality_options=options,
	)
	return Victim(real=real, missing=missing, markers=markers, child_rows=child_rows)


def name_like(name: str) -> str:
	"""A name of the same shape that nothing has (generated names start with a time-based prefix)."""
	return name[:-4] + "".join(random.choice(string.ascii_lowercase) for _letter in range(4)) if name else ""


def victim_intact(victim: Victim) -> bool:
	"""Whether every record of the victim is still there (an attacker may have deleted or renamed one)."""
	frappe.db.rollback()
	records = [("Case", victim.real["CASE"]), ("Review", victim.real["REVIEW"])]
	records += [(key[4:], name) for key, name in victim.real.items() if key.startswith("ROW:") and name]
	intact = all(frappe.db.exists(doctype, name) for doctype, name in records)
	frappe.db.rollback()
	return intact


def victim_state(victim: Victim) -> str:
	"""A fingerprint of everything the victim has: any change by an attacker shows."""
	frappe.db.rollback()
	case, review = victim.real["CASE"], victim.real["REVIEW"]
	parts = [
		frappe.db.get_value("Case", case, ["modified", "caseworker", "workflow_state"]),
		frappe.db.get_value("Review", review, ["modified", "workflow_state"]),
	]
	for doctype, (parent, _field, _fields) in sorted(victim.child_rows.items()):
		parts.append(
			frappe.get_all(doctype, {"parent": case if parent == "Case" else review}, ["name", "modified"])
		)
	for doctype, filters in (
		("Comment", {"reference_name": ("in", (case, review))}),
		("File", {"attached_to_name": case}),
		("Tag Link", {"document_name": case}),
		("ToDo", {"reference_name": case}),
		("DocShare", {"share_name": ("in", (case, review))}),
		("Equality Monitoring", {"case": case}),
	):
		parts.append(frappe.get_all(doctype, filters, ["name", "modified"], order_by="name"))
	frappe.db.rollback()  # holds no metadata lock while the server alters a table (tags add a column)
	return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


# ---- the attackers


def attacker_sessions(user_session) -> dict[str, str]:
	"""API-key headers for each attacker; none of them is System Manager (Frappe makes the first System
	User one on a new site)."""
	frappe.db.rollback()
	if not frappe.db.exists("Role", "Attacker Desk Role"):
		frappe.get_doc({"doctype": "Role", "role_name": "Attacker Desk Role", "desk_access": 1}).insert(
			ignore_permissions=True
		)
		frappe.db.commit()
	headers = {}
	for role, (email, role_name) in ATTACKERS.items():
		session = user_session(email, *([role_name] if role_name else []))
		headers[role] = session.headers["Authorization"]
	frappe.db.rollback()
	powerful = {
		email: sorted(set(frappe.get_roles(email)) & {"System Manager", "Administrator"})
		for email, _role in ATTACKERS.values()
	}
	powerful = {email: roles for email, roles in powerful.items() if roles}
	if powerful:
		pytest.fail(
			f"Frappe made attackers System Managers: {powerful}. Every later check would be meaningless "
			"(the first-user trap of issue 10).",
			pytrace=False,
		)
	return headers


def own_case_for(email: str) -> str:
	"""Caseworker B's own case, so that B has rows to carry an expression."""
	frappe.db.rollback()
	existing = frappe.db.get_value("Case", {"caseworker": email}, "name")
	if existing:
		return existing
	case = frappe.get_doc(
		{
			"doctype": "Case",
			"doctor_name": "Dr Own Case",
			"email": f"own-{uuid.uuid4().hex[:8]}@example.com",
			"what_happened": "The attacker's own case.",
			"wellbeing": "I am safe and do not need urgent support",
			"consent_given": 1,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	allocate_as_coordinator(case.name, email)
	frappe.db.commit()
	return case.name


@dataclass
class Answer:
	status: int
	headers: str  # the headers that carry content (type, disposition, location)
	body: str
	request: str

	@property
	def text(self) -> str:
		return f"{self.headers}\n{self.body}"

	def snippet(self, around: str | None = None) -> str:
		text = self.text
		if around and around in text:
			start = max(0, text.index(around) - SNIPPET // 2)
			return text[start : start + SNIPPET]
		return text[:SNIPPET]


class Attacker:
	"""Sends requests as each role, one keep-alive session per role and thread."""

	def __init__(self, base_url: str, headers: dict[str, str]):
		self.base_url = base_url
		self.headers = headers
		self.local = threading.local()
		self.sent = 0
		self.lock = threading.Lock()

	def session(self, role: str) -> requests.Session:
		sessions = self.local.__dict__.setdefault("sessions", {})
		if role not in sessions:
			session = requests.Session()
			if role != GUEST:
				session.headers["Authorization"] = self.headers[role]
			sessions[role] = session
		return sessions[role]

	def send(self, role: str, http_method: str, path: str, params: dict) -> Answer:
		encoded = {
			key: json.dumps(value) if isinstance(value, list | dict) else value
			for key, value in params.items()
		}
		where = "params" if http_method == "GET" else "data"
		with self.lock:
			self.sent += 1
		try:
			try:
				response = self.session(role).request(
					http_method,
					f"{self.base_url}{path}",
					**{where: encoded},
					timeout=TIMEOUT,
					allow_redirects=False,
				)
			except requests.exceptions.ConnectionError:
				# a kept-alive connection closed before the request went (the shared nginx reloads as other
				# test runs start and stop): sent again once on a new connection
				self.local.sessions.pop(role).close()
				response = self.session(role).request(
					http_method,
					f"{self.base_url}{path}",
					**{where: encoded},
					timeout=TIMEOUT,
					allow_redirects=False,
				)
		except requests.Timeout:
			return Answer(TIMED_OUT, "", f"no answer in {TIMEOUT} seconds", f"{path} {json.dumps(encoded)}")
		headers = " ".join(
			f"{key}: {response.headers[key]}" for key in CONTENT_HEADERS if key in response.headers
		)
		body = response.content.decode("utf-8", errors="replace")
		return Answer(response.status_code, headers, body, f"{path} {json.dumps(encoded)}")


# ---- findings


@dataclass
class Finding:
	kind: str  # leak, distinguishable, server error, changed the victim
	test: str
	route: str
	role: str
	aim: str
	params: str
	status: str
	snippet: str


class Findings:
	def __init__(self):
		self.items: list[Finding] = []
		self.counts: dict[str, Counter] = defaultdict(Counter)
		self.lock = threading.Lock()

	def add(self, finding: Finding) -> None:
		with self.lock:
			self.items.append(finding)

	def of(self, test: str) -> list[Finding]:
		return [finding for finding in self.items if finding.test == test]

	def failures(self, test: str) -> list[Finding]:
		return [finding for finding in self.of(test) if finding.kind != FRAPPE_CRASH]

	def table(self, test: str, rows: int = 60) -> str:
		by_route = Counter((f.kind, f.route) for f in self.of(test))
		roles = defaultdict(set)
		for finding in self.of(test):
			roles[(finding.kind, finding.route)].add(finding.role)
		lines = [f"{'kind':<16} {'count':>5}  route (roles)"]
		for (kind, route), count in by_route.most_common(rows):
			lines.append(f"{kind:<16} {count:>5}  {route} ({', '.join(sorted(roles[(kind, route)]))})")
		if len(by_route) > rows:
			lines.append(f"... and {len(by_route) - rows} more routes")
		return "\n".join(lines)

	def write(self, path: Path) -> None:
		lines = [
			"# Attacker findings",
			"",
			f"Written by tests/test_attacker_routes.py at {time.strftime('%F %T')}.",
			"",
		]
		for test, counts in self.counts.items():
			lines += [f"## {test}", "", ", ".join(f"{key}: {value}" for key, value in counts.items()), ""]
			found = self.of(test)
			lines += [
				"Failures by kind: "
				+ (", ".join(f"{k}: {v}" for k, v in Counter(f.kind for f in found).items()) or "none"),
				"",
				"```",
				self.table(test, rows=400),
				"```",
				"",
			]
			for kind in sorted({f.kind for f in found}):
				lines += [
					f"### {kind}",
					"",
					"| route | role | aim | params | status | answer |",
					"|---|---|---|---|---|---|",
				]
				shown = Counter()
				for finding in found:
					if finding.kind != kind or shown[finding.route] >= 3:
						continue
					shown[finding.route] += 1
					cells = [
						finding.route,
						finding.role,
						finding.aim,
						finding.params,
						finding.status,
						finding.snippet,
					]
					lines.append(
						"| "
						+ " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells)
						+ " |"
					)
				lines.append("")
		path.parent.mkdir(parents=True, exist_ok=True)
		path.write_text("\n".join(lines))


FINDINGS = Findings()
# Frappe's own methods answer some malformed arguments with a server error (a JSONDecodeError, a TypeError).
# Such an answer is listed and counted, but judged like any other only where it can tell something: on
# the app's methods and the methods it overrides, on the REST and print routes, or where the answer carries
# more than the type of the error (tracebacks are off on the test site; their coming back is a finding).
FRAPPE_CRASH = "Frappe's own server error on malformed arguments (listed, not judged)"


# read here, in the test process's main thread, where the site is bound
OVERRIDDEN_METHODS = frozenset(frappe.get_hooks("override_whitelisted_methods") or {})


def judged_for_server_errors(route: str, body: str) -> bool:
	frappes_method = route.startswith(("frappe.", "run_doc_method:")) and route not in OVERRIDDEN_METHODS
	try:
		# report_to_pdf also echoes the file name it was asked for ("report.pdf")
		only_the_error_type = set(json.loads(body)) <= {"exc_type", "_server_messages", "filename"}
	except (ValueError, TypeError):
		only_the_error_type = False
	return not (frappes_method and only_the_error_type)


def report(capsys, test: str, counts: dict) -> None:
	FINDINGS.counts[test] = Counter(counts)
	FINDINGS.write(Path(os.environ.get("LNB_ARTIFACTS", "test-artifacts")) / FINDINGS_FILE)
	found = FINDINGS.of(test)
	with capsys.disabled():
		print(f"\n\n{test}: " + ", ".join(f"{key}: {value}" for key, value in counts.items()))
		print("failures by kind: " + str(dict(Counter(f.kind for f in found))))
		if found:
			print(FINDINGS.table(test))


def short(params: dict) -> str:
	text = json.dumps(params, ensure_ascii=False, default=str)
	return text if len(text) <= 300 else text[:300] + "…"


# ---- fixtures


def remove_case(case: str) -> None:
	"""Takes a case away with everything that names it, so later tests meet the site as it was."""
	for review in frappe.get_all("Review", {"case": case}, pluck="name"):
		for doctype, field in (("Workflow Action", "reference_name"), ("Version", "docname")):
			frappe.db.delete(doctype, {field: review})
		frappe.delete_doc("Review", review, ignore_permissions=True, force=True)
	for doctype, field in (
		("File", "attached_to_name"),
		("Comment", "reference_name"),
		("ToDo", "reference_name"),
		("Tag Link", "document_name"),
		("Version", "docname"),
		("Email Queue", "reference_name"),
		("Equality Monitoring", "case"),
		("Case State Change", "case"),
	):
		frappe.db.delete(doctype, {field: case})
	frappe.delete_doc("Case", case, ignore_permissions=True, force=True)


@pytest.fixture(scope="module")
def world(user_session, base_url):
	headers = attacker_sessions(user_session)
	own_case_for(ATTACKERS["caseworker B"][0])
	victim = make_victim(base_url)
	methods, import_failures, skipped = discover_methods()
	attacker = Attacker(base_url, headers)
	context = {
		"reports": frappe.get_all("Report", {"module": "LNB Casework"}, pluck="name", order_by="name"),
		"victim_caseworker": CASEWORKER_A,
		"user": CASEWORKER_A,
	}
	yield {
		"victim": victim,
		"methods": methods,
		"import_failures": import_failures,
		"skipped": skipped,
		"attacker": attacker,
		"context": context,
		"base_url": base_url,
	}
	frappe.db.rollback()
	for case in frappe.get_all(
		"Case", {"caseworker": ("in", (CASEWORKER_A, ATTACKERS["caseworker B"][0]))}, pluck="name"
	):
		remove_case(case)
	frappe.db.delete("Tag", {"name": ("like", "victimtag%")})
	frappe.db.commit()


# ---- sending and judging


def judge_pair(test: str, role: str, attack: Attack, victim: Victim, attacker: Attacker) -> str:
	"""Sends the attack with the victim's names and, if it names any, with missing ones; records what is
	wrong. Returns "rate limited" when Frappe's rate limit answered instead."""
	path, params = attack.filled(victim.real)
	real = attacker.send(role, attack.http_method, path, params)
	answers_ = [("victim", real, victim.real)]
	if placeholders_in([attack.path, attack.params]):
		path_missing, params_missing = attack.filled(victim.missing)
		answers_.append(
			("missing", attacker.send(role, attack.http_method, path_missing, params_missing), victim.missing)
		)
	if any(answer.status == 429 for _which, answer, _values in answers_):
		return "rate limited"
	base = {"test": test, "route": attack.label, "role": role, "aim": attack.aim, "params": short(params)}
	for which, answer, _values in answers_:
		if answer.status == TIMED_OUT:
			FINDINGS.add(Finding("timed out", status=which, snippet=answer.text, **base))
		elif answer.status >= 500:
			kind = "server error" if judged_for_server_errors(attack.label, answer.body) else FRAPPE_CRASH
			FINDINGS.add(Finding(kind, status=f"{which}: {answer.status}", snippet=answer.snippet(), **base))
		leaked = victim.markers.found_in(answer.text, answer.request)
		if leaked:
			first = next(
				(
					v
					for v in {**victim.markers.secrets, **victim.markers.references}.values()
					if v and v in answer.text
				),
				None,
			)
			FINDINGS.add(
				Finding(
					"leak",
					status=f"{which}: {answer.status}",
					snippet=f"[{', '.join(leaked)}] {answer.snippet(first)}",
					**{**base, "aim": f"{attack.aim}"},
				)
			)
	if len(answers_) == 2:
		(_w, real, real_values), (_m, missing, missing_values) = answers_
		seen_real = comparable(real.text, real_values)
		seen_missing = comparable(missing.text, missing_values)
		if real.status != missing.status or seen_real != seen_missing:
			FINDINGS.add(
				Finding(
					"distinguishable",
					status=f"victim {real.status} / missing {missing.status}",
					snippet=difference(seen_real, seen_missing),
					**base,
				)
			)
	return "sent"


def difference(one: str, other: str) -> str:
	"""Where two answers part, with a little of each."""
	start = next(
		(i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b), min(len(one), len(other))
	)
	start = max(0, start - 40)
	return f"victim: {one[start : start + SNIPPET // 2]!r} / missing: {other[start : start + SNIPPET // 2]!r}"


def run_batch(test: str, jobs: list[tuple[str, Attack]], world) -> Counter:
	"""Sends a batch of (role, attack) in parallel; then checks that the victim is unchanged."""
	victim, attacker = world["victim"], world["attacker"]
	frappe.cache.delete_keys("rl:")
	before = victim_state(victim)
	with ThreadPoolExecutor(WORKERS) as pool:
		outcomes = Counter(pool.map(lambda job: judge_pair(test, job[0], job[1], victim, attacker), jobs))
	if os.environ.get("LNB_ATTACKER_PROGRESS"):
		with open(os.environ["LNB_ATTACKER_PROGRESS"], "a") as progress:
			print(
				f"{time.strftime('%T')} {len(jobs)} {sorted({a.label for _r, a in jobs})[:3]}", file=progress
			)
	if victim_state(victim) != before:
		routes = sorted({attack.label for _role, attack in jobs})
		FINDINGS.add(
			Finding(
				"changed the victim",
				test=test,
				route=", ".join(routes),
				role=", ".join(sorted({role for role, _attack in jobs})),
				aim="any",
				params="",
				status="",
				snippet="the victim's case, review or their records changed during these calls",
			)
		)
		if not victim_intact(victim):  # the later calls need a whole victim
			world["victim"] = make_victim(world["base_url"])
	return outcomes


# ---- the tests


def leaks_seen_by_administrator(world, method: str, params: dict) -> list[str]:
	"""The markers an answer to Administrator (who may read everything, and whom the guard trusts) shows:
	the positive control that proves a payload reaches the data and the detector sees it."""
	victim = world["victim"]
	path, filled = Attack(method, "POST", f"/api/method/{method}", params, "control").filled(victim.real)
	with requests.Session() as session:
		session.post(
			f"{world['base_url']}/api/method/login",
			data={"usr": "Administrator", "pwd": os.environ["LNB_ADMIN_PASSWORD"]},
			timeout=TIMEOUT,
		)
		encoded = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in filled.items()}
		response = session.post(f"{world['base_url']}{path}", data=encoded, timeout=TIMEOUT)
	return victim.markers.found_in(response.text, json.dumps(encoded))


def test_every_method_and_route_as_every_role_against_a_case_not_theirs(world, capsys):
	test = "every method and route, as every role"
	control = leaks_seen_by_administrator(
		world, "frappe.client.get", {"doctype": "Case", "name": token("CASE")}
	)
	assert {"narrative", "GMC number", "email"} <= set(control), f"the detector misses the victim: {control}"
	victim, attacker, context = world["victim"], world["attacker"], world["context"]
	all_targets = [t for t in targets(victim.child_rows) if victim.real.get(t.name.strip("⟦⟧"), True)]
	started, sent_before = time.monotonic(), attacker.sent
	tried = Counter()
	outcomes = Counter()
	aimed_methods = set()
	for method in world["methods"]:
		jobs = []
		for role in ROLES:
			aimed = (
				attacks_on(method, targets_for(REACH[role], method, all_targets), context)
				if method.kinds()
				else []
			)
			if role == GUEST and not method.guest:
				# refused before the method runs, whatever its arguments: one pair shows it
				aimed = aimed[:1]
			jobs += [(role, attack) for attack in aimed or attacks_without_aim(method, context)]
			if aimed:
				aimed_methods.add(method.label)
				tried[(method.label, role)] = len(named_parameters(method))
		outcomes += run_batch(test, jobs, world)
	jobs = [
		(role, attack)
		for role in ROLES
		for attack in route_attacks(targets_for(REACH[role], None, all_targets))
	]
	outcomes += run_batch(test, jobs, world)
	counts = {
		"whitelisted methods found": len(world["methods"]) + len(world["skipped"]),
		"methods tried": len(world["methods"]),
		"methods with a parameter that names a doctype, document, field, filter or tag": len(aimed_methods),
		"methods × parameters × roles tried": sum(tried.values()),
		"called by Frappe's path, answered by an override": ", ".join(
			f"{m.path} ({m.overridden_by})" for m in world["methods"] if m.overridden_by
		),
		"other routes": len({attack.label for _role, attack in jobs}),
		"calls (victim, missing pairs and single calls)": outcomes["sent"] + outcomes["rate limited"],
		"rate limited (not judged)": outcomes["rate limited"],
		"requests sent": attacker.sent - sent_before,
		"seconds": round(time.monotonic() - started),
		"skipped": "; ".join(f"{path} ({why})" for path, why in world["skipped"].items()),
		"modules that could not be imported": len(world["import_failures"]),
	}
	report(capsys, test, counts)
	assert not FINDINGS.failures(test), f"{len(FINDINGS.failures(test))} failures:\n{FINDINGS.table(test)}"


def test_every_name_in_other_spellings_as_every_role(world, capsys):
	"""Every attack of the first test that names one of the victim's records, by a parameter or in its path,
	sent again with the names spelt as MariaDB takes them to be the same (lower case, mixed case, spaces
	around, full-width look-alikes), each against the missing names spelt alike. The spellings take turns
	over each method's attacks and the roles, so every name parameter meets every spelling."""
	test = "every name in other spellings, as every role"
	victim, attacker, context = world["victim"], world["attacker"], world["context"]
	all_targets = [t for t in targets(victim.child_rows) if victim.real.get(t.name.strip("⟦⟧"), True)]
	started, sent_before = time.monotonic(), attacker.sent
	by_spelling, parameters, outcomes = Counter(), set(), Counter()

	def spelt(attacks: list[Attack], turn: int) -> list[Attack]:
		chosen = []
		for index, attack in enumerate(attacks):
			how = SPELLINGS_OF_NAMES[(index + turn) % len(SPELLINGS_OF_NAMES)]
			if other := respelt(attack, how):
				chosen.append(other)
				by_spelling[how] += 1
				names = [key for key, value in other.params.items() if value != attack.params.get(key)]
				parameters.update((attack.label, name) for name in names or ["<path>"])
		return chosen

	for method in world["methods"]:
		jobs = []
		for turn, role in enumerate(ROLES):
			aimed = (
				attacks_on(method, targets_for(REACH[role], method, all_targets), context)
				if method.kinds()
				else []
			)
			if role == GUEST and not method.guest:
				aimed = aimed[:1]
			jobs += [(role, attack) for attack in spelt(aimed, turn)]
		if jobs:
			outcomes += run_batch(test, jobs, world)
	jobs = [
		(role, attack)
		for turn, role in enumerate(ROLES)
		for attack in spelt(route_attacks(targets_for(REACH[role], None, all_targets)), turn)
	]
	outcomes += run_batch(test, jobs, world)
	counts = {
		**{f"probes with names spelt {how}": by_spelling[how] for how in SPELLINGS_OF_NAMES},
		"methods and routes × name parameters tried": len(parameters),
		"calls (victim, missing pairs)": outcomes["sent"] + outcomes["rate limited"],
		"rate limited (not judged)": outcomes["rate limited"],
		"requests sent": attacker.sent - sent_before,
		"seconds": round(time.monotonic() - started),
	}
	report(capsys, test, counts)
	artifacts = Path(os.environ.get("LNB_ARTIFACTS", "test-artifacts"))
	artifacts.mkdir(parents=True, exist_ok=True)
	(artifacts / NAME_COUNTS_FILE).write_text("".join(f"{key}: {value}\n" for key, value in counts.items()))
	assert all(by_spelling[how] for how in SPELLINGS_OF_NAMES), by_spelling
	assert not FINDINGS.failures(test), f"{len(FINDINGS.failures(test))} failures:\n{FINDINGS.table(test)}"


def named_parameters(method: Method) -> set[str]:
	from attack_surface import KIND_OF_PARAMETER

	return {p.name for p in method.parameters if p.kind} | {
		key for key in method.request_keys if key in KIND_OF_PARAMETER
	}


def carrier_doctypes(world) -> dict[str, str]:
	"""For each role, a doctype whose rows it may list (so an expression in its fields has rows to ride)."""
	attacker = world["attacker"]
	chosen = {}
	for role in ROLES:
		for doctype in CARRIER_DOCTYPES:
			answer = attacker.send(
				role,
				"POST",
				"/api/method/frappe.client.get_list",
				{"doctype": doctype, "limit_page_length": 1},
			)
			if answer.status == 200 and json.loads(answer.body).get("message"):
				chosen[role] = doctype
				break
		else:
			chosen[role] = "Case"
	return chosen


def test_sql_expression_battery_through_every_field_filter_order_and_group_parameter(world, capsys):
	test = "SQL expression battery"
	for method, params, expected in (
		(
			"frappe.client.get_list",
			{"doctype": "Case", "fields": ["name", f"max({SECRET_READS[0]}) as x"], "limit_page_length": 1},
			"narrative",
		),
		(
			"frappe.desk.doctype.number_card.number_card.get_result",
			{
				"doc": {
					"function": "Maximum",
					"aggregate_function_based_on": SECRET_READS[1],
					"document_type": "Case",
					"filters_json": "[]",
				},
				"filters": [],
			},
			"GMC number",
		),
	):
		control = leaks_seen_by_administrator(world, method, params)
		assert expected in control, (
			f"{method}: the payload does not reach the data as Administrator: {control}"
		)
	context, attacker = world["context"], world["attacker"]
	started, sent_before = time.monotonic(), attacker.sent
	carriers = carrier_doctypes(world)
	attackable = (
		FIELD_LIST_PARAMETERS | FIELD_PARAMETERS | ORDER_PARAMETERS | FILTER_PARAMETERS | SEARCH_PARAMETERS
	)
	parameters_attacked, distinct = set(), set()
	payloads_sent = 0
	outcomes = Counter()
	for method in world["methods"]:
		if method.doc_method:
			continue
		names = [p.name for p in method.parameters if p.name in attackable] or [
			key for key in method.request_keys if key in attackable
		]
		roles = [role for role in ROLES if role != GUEST or method.guest]
		jobs = []
		for name in names:
			parameters_attacked.add((method.label, name))
			# a sample of the parameter's payloads, shared out among the roles, each on a doctype it may list
			picks = sample(
				range(len(payloads_for(name, "Case"))), PAYLOADS_PER_PARAMETER, method.label + name
			)
			for turn, pick in enumerate(picks):
				role = roles[turn % len(roles)]
				doctype = carriers[role]
				payload = payloads_for(name, doctype)[pick]
				params = {**carrier_arguments(method, doctype, context), name: payload.value}
				aim = f"{payload.family} in {name} on {doctype}"
				jobs.append(
					(
						role,
						Attack(method.label, method.http_method, f"/api/method/{method.path}", params, aim),
					)
				)
				distinct.add(json.dumps(payload.value, default=str))
		if jobs:
			payloads_sent += len(jobs)
			outcomes += run_batch(test, jobs, world)
	jobs = []
	others = [role for role in ATTACKERS if role != "caseworker B"]
	for turn, (path, params, aim) in enumerate(aggregate_attacks(carriers["caseworker B"])):
		for role in ("caseworker B", others[turn % len(others)]):
			params = {**params}
			if "doc" in params:
				params["doc"] = {**params["doc"], "document_type": carriers[role]}
			elif "chart" in params:
				params["chart"] = {**params["chart"], "document_type": carriers[role]}
			jobs.append((role, Attack(path, "POST", f"/api/method/{path}", params, aim)))
			distinct.add(json.dumps(params, default=str))
	payloads_sent += len(jobs)
	outcomes += run_batch(test, jobs, world)
	counts = {
		"methods × parameters attacked": len(parameters_attacked),
		"payloads sent": payloads_sent,
		"distinct payloads": len(distinct),
		"rate limited (not judged)": outcomes["rate limited"],
		"requests sent": attacker.sent - sent_before,
		"carrier doctypes": ", ".join(f"{role}: {doctype}" for role, doctype in carriers.items()),
		"seconds": round(time.monotonic() - started),
	}
	report(capsys, test, counts)
	assert not FINDINGS.failures(test), f"{len(FINDINGS.failures(test))} failures:\n{FINDINGS.table(test)}"
