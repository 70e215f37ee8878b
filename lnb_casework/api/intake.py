"""The public intake: a doctor submits their case through the web form /submit-a-case.

The form's script sends the answers to this module's own guest endpoint, `submit`; Frappe's web form
endpoint (`web_form.accept`) is left as Frappe ships it, and the Case controller refuses a case it would
create for anyone who may not create cases. Here a submission is rate-limited (the app's allowance by the
client address the site trusts, then Frappe's rate limit by the address Frappe sees), its payload shape
is checked (a malformed one is a 4xx, not a server error), its files are attached privately to the new
case in the same transaction, field problems come back per field, and the guest gets back only the
reference and what to do next, never the document.
"""

import json
import math
from typing import Any

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import cint, escape_html

from lnb_casework.intake.alerts import coordinator_being_alerted
from lnb_casework.intake.client_address import client_address, rate_limit_key
from lnb_casework.intake.rules import (
	INTAKE_TABLES,
	TEXT_LIMITS,
	intake_problems,
	is_text,
	is_urgent,
	payload_shape_problem,
)
from lnb_casework.intake.uploads import UploadRefused, attach_to_case, decode_uploads, upload_problems
from lnb_casework.lnb_casework.doctype.case.case import IntakeInvalid
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import get_lnb_settings

INTAKE_WEB_FORM = "submit-a-case"
ATTACHMENTS_KEY = "lnb_attachments"
ATTACHMENT_TEXT = ("file_name", "content")
CONSENT_VERSION_KEY = "lnb_consent_version"
LAYOUT_FIELDTYPES = ("Section Break", "Column Break", "Page Break", "HTML")
# the answers checked one at a time as the doctor leaves each (answer_problem)
ANSWERS_CHECKED_ALONE = (*TEXT_LIMITS, "wellbeing")
RATE_LIMIT_SECONDS = 60 * 60
# Frappe's rate limit on `submit` takes this many times the app's allowance (see take_submission)
FLOOD_LIMIT_FACTOR = 3
TRUSTED_PROXY_COUNT_KEY = "lnb_trusted_proxy_count"


# the answers (1), a table's rows (2), a row's values (3), with room to spare
MAX_PAYLOAD_NESTING = 6


class MalformedSubmission(frappe.ValidationError):
	http_status_code = 400


@frappe.whitelist(allow_guest=True, methods=["POST"])
def submit(data: str) -> dict:
	"""The intake form's submission: creates the case from the doctor's answers (a JSON object).

	Two counts guard it, in this order. First the app's allowance per hour (LNB Settings), by the client
	address the site trusts (intake/client_address.py), so a new X-Forwarded-For each time gains nothing;
	then Frappe's rate limit (`take_submission`).
	"""
	if not count_submission():
		frappe.throw(
			_(
				"We have received several submissions from your connection in the last hour, so we cannot "
				"take another just now. Please try again in an hour, or email Learn Not Blame."
			),
			frappe.RateLimitExceededError,
			title=_("Please try again later"),
		)
	return take_submission(data)


def flood_limit() -> int:
	"""How many submissions Frappe's rate limit takes an hour from one address as Frappe sees it."""
	return FLOOD_LIMIT_FACTOR * get_lnb_settings().intake_rate_limit


@rate_limit(limit=flood_limit, seconds=RATE_LIMIT_SECONDS)
def take_submission(data: str) -> dict:
	"""Frappe's rate limit on `submit`, counted by the address Frappe takes for the client (its
	`request_ip`: the first X-Forwarded-For entry when there is one, which the client writes). It stops
	many submissions that claim one address while coming from many, and counts only those the app's
	allowance has let through, so a forged header can spend another address's count only with what its
	sender's own allowance allows; at a few times the allowance, an honest client meets the allowance,
	and its clear message, first."""
	return submit_case(parse_payload(data))


def count_submission() -> bool:
	"""Counts this submission against its client's hourly allowance; False when that is used up.

	The client is who connected (see intake/client_address.py), never what the request says of itself.
	"""
	address = client_address(
		frappe.request.remote_addr,
		frappe.request.headers.getlist("X-Forwarded-For"),
		cint(frappe.conf.get(TRUSTED_PROXY_COUNT_KEY)),
	)
	key = frappe.cache.make_key(f"rl:lnb-intake:{rate_limit_key(address)}")
	frappe.cache.set(key, 0, ex=RATE_LIMIT_SECONDS, nx=True)
	return frappe.cache.incrby(key, 1) <= get_lnb_settings().intake_rate_limit


def parse_payload(data: str) -> dict:
	try:
		payload = read_json(data) if isinstance(data, str) else data
	except (ValueError, RecursionError):
		frappe.throw(_("The form data could not be read."), MalformedSubmission, title=_("Not sent"))
	web_form = frappe.get_cached_doc("Web Form", INTAKE_WEB_FORM)
	fields = [field for field in web_form.web_form_fields if field.fieldtype not in LAYOUT_FIELDTYPES]
	problem = payload_shape_problem(
		payload,
		text_fields=[
			CONSENT_VERSION_KEY,
			*(field.fieldname for field in fields if field.fieldtype != "Check"),
		],
		check_fields=[field.fieldname for field in fields if field.fieldtype == "Check"],
		tables={**INTAKE_TABLES, ATTACHMENTS_KEY: ATTACHMENT_TEXT},
	)
	if problem:
		frappe.throw(problem, MalformedSubmission, title=_("Not sent"))
	if payload.get("name"):
		frappe.throw(_("A submitted case cannot be changed through this form."), frappe.PermissionError)
	return payload


def read_json(data: str) -> Any:
	"""Strict JSON: NaN, Infinity and numbers too large for a float are refused (ValueError), as is
	nesting too deep to read (RecursionError)."""

	def finite(number: str) -> float:
		value = float(number)
		if not math.isfinite(value):
			raise ValueError(f"{number} is not a finite number")
		return value

	def refuse(constant: str) -> None:
		raise ValueError(f"{constant} is not JSON")

	payload = json.loads(data, parse_float=finite, parse_constant=refuse)
	if nesting_depth(payload) > MAX_PAYLOAD_NESTING:
		raise ValueError("nested deeper than a form's answers are")
	return payload


def nesting_depth(value: Any) -> int:
	"""How deep lists and objects nest in a JSON value, counted without recursion."""
	deepest, pending = 0, [(value, 0)]
	while pending:
		item, depth = pending.pop()
		deepest = max(deepest, depth)
		if isinstance(item, dict):
			pending.extend((inner, depth + 1) for inner in item.values())
		elif isinstance(item, list):
			pending.extend((inner, depth + 1) for inner in item)
	return deepest


def submit_case(payload: dict) -> dict:
	"""Creates the case and its files together, or nothing at all."""
	web_form = frappe.get_cached_doc("Web Form", INTAKE_WEB_FORM)
	if not web_form.published:
		frappe.throw(_("The intake form is closed just now."), frappe.PermissionError)

	settings = get_lnb_settings()
	problems = {}
	if payload.get(CONSENT_VERSION_KEY) != settings.consent_version:
		problems["consent_given"] = _(
			"The consent wording has changed since you opened this page. Please read it again, tick the "
			"box and send the form again."
		)
	uploads = []
	try:
		uploads = decode_uploads(payload.get(ATTACHMENTS_KEY) or [])
	except UploadRefused as refused:
		problems[ATTACHMENTS_KEY] = str(refused)
	else:
		refused = upload_problems(
			uploads, settings.max_attachments, settings.max_attachment_size_mb * 1024 * 1024
		)
		if refused:
			problems[ATTACHMENTS_KEY] = " ".join(refused)

	case = frappe.new_doc("Case")
	for field in web_form.web_form_fields:
		if field.fieldtype not in LAYOUT_FIELDTYPES and field.fieldname in payload:
			case.set(field.fieldname, payload[field.fieldname])
	# the form's own blocks of rows (a process, a date, a kind of discrimination); a row holds the doctor's
	# answers only: its name, parent or docstatus are the server's
	for table, columns in INTAKE_TABLES.items():
		if table in payload:
			rows = payload[table] or []
			case.set(table, [{column: row[column] for column in columns if column in row} for row in rows])
	case.flags.from_intake_form = True

	try:
		if problems:
			# the answers are checked too, so the doctor sees every problem at once
			case.run_method("validate")
			raise IntakeInvalid({})
		case.insert(ignore_permissions=True)
	except IntakeInvalid as invalid:
		show_field_problems({**invalid.field_problems, **problems}, web_form)

	attach_to_case(case.name, uploads)
	urgent = is_urgent(case.wellbeing)
	return {
		"name": case.name,
		"urgent": urgent,
		# what the confirmation may tell the doctor: only an alert really on its way
		"coordinator_being_alerted": coordinator_being_alerted(case),
		"signposting": settings.urgent_signposting if urgent else "",
	}


@frappe.whitelist(allow_guest=True, methods=["POST"])
def answer_problem(fieldname: str | None = None, value: str | None = None) -> str:
	"""What is wrong with one answer, by the rules the whole submission is checked by; empty when nothing is.

	The form asks as the doctor leaves a question, and again as they correct one shown wrong.
	"""
	if fieldname not in ANSWERS_CHECKED_ALONE or not is_text(value):
		frappe.throw(_("Only the form's own answers can be checked here."), MalformedSubmission)
	return intake_problems({fieldname: value}, {}, consent_needed=False).get(fieldname, "")


def show_field_problems(problems: dict[str, str], web_form) -> None:
	"""Refuses the submission with every problem keyed by its field, for the form to show beside each,
	and one message naming each question as the form asked it."""
	labels = {field.fieldname: field.label for field in web_form.web_form_fields}
	labels.update(row_block_labels())
	labels[ATTACHMENTS_KEY] = _("Documents")
	lines = "".join(
		f"<li><strong>{escape_html(_(labels.get(field, field)))}</strong>: {escape_html(message)}</li>"
		for field, message in problems.items()
	)
	frappe.clear_messages()
	frappe.response["field_problems"] = problems
	frappe.msgprint(f"<ul>{lines}</ul>", title=_("Please check your answers"), indicator="red")
	raise IntakeInvalid(problems)


def row_block_labels() -> dict[str, str]:
	"""The questions the form asks with a block of rows, as it asks them."""
	return {
		"processes": _("Which processes are you facing?"),
		"key_dates": _("Key dates and deadlines you know of"),
		"discrimination_kinds": _("Which kinds of discrimination?"),
	}
