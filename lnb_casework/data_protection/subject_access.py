"""Subject access: everything held about one doctor, gathered into one archive a person can read
(docs/subject-access.md).

A Subject Access Request queues `build_subject_access_archive`, which runs as the coordinator who asked.
It finds the doctor's cases (held_records.cases_held_about) and gathers, for each, the case with its
tables, the consent record, the equality record (opened from its seal), the reviews with theirs, the
state changes, and Frappe's records about the case and its reviews: comments, emails, queued mail, files,
versions and view logs. Another doctor's case appears only as the reference a related-case row names: it
is never read. The archive is a zip of summary.html (and summary.pdf when the site makes PDFs), data.json
and files/, attached privately to the request; each case and review exported leaves a View Log.
"""

import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

import frappe
from frappe import _
from frappe.model import default_fields, no_value_fields, table_fields
from frappe.model.document import Document
from frappe.utils import format_date, format_datetime, now_datetime, strip_html_tags

from lnb_casework.audit.views import SUBJECT_ACCESS, record_view
from lnb_casework.data_protection.held_records import cases_held_about
from lnb_casework.data_protection.subject_access_rules import archive_file_path, readable_email

REQUEST = "Subject Access Request"
QUEUED, READY, FAILED = "Queued", "Ready", "Failed"
CONSENT_FIELDS = (
	"consent_given",
	"consent_source",
	"consent_recorded_on",
	"consent_version",
	"consent_wording",
)
ABOUT = ("Case", "Review")
SUMMARY_TEMPLATE = "lnb_casework/templates/subject_access/summary.html"
# the who and when of every record, shown beside its own fields
RECORD_FIELDS = ("name", "owner", "creation", "modified", "modified_by")
# Frappe's records about a document, gathered beside its own fields
ACTIVITY = ("comments", "queued_emails", "versions", "view_logs")


def build_subject_access_archive(request: str) -> None:
	"""Background job: builds the request's archive, attaches it and tells the coordinator who asked.
	A request already answered (the job queued twice) is left as it is."""
	if frappe.db.get_value(REQUEST, request, "status", for_update=True) != QUEUED:
		return
	doc = frappe.get_doc(REQUEST, request)
	try:
		cases = cases_held_about(doc.email, doc.gmc_number)
		held = gather(cases, progress=lambda done: report_progress(doc, done, len(cases)))
		archive = attach_archive(doc, make_archive(doc, held))
		record_views(cases, [review["name"] for case in held for review in case["reviews"]])
		doc.db_set(
			{
				"status": READY,
				"cases_found": "\n".join(cases),
				"archive": archive.file_url,
				"completed_on": now_datetime(),
				"failure": None,
			},
			notify=True,
		)
	except Exception:
		frappe.db.rollback()
		frappe.log_error(title=_("Subject access archive not made for {0}").format(request))
		doc = frappe.get_doc(REQUEST, request)
		doc.db_set(
			{"status": FAILED, "failure": _("The archive could not be made; see the Error Log.")}, notify=True
		)
	frappe.db.commit()
	notify_requester(doc)
	frappe.publish_progress(100, title=_("Subject access"), doctype=REQUEST, docname=request)


def report_progress(doc: Document, done: int, total: int) -> None:
	frappe.publish_progress(
		done * 90 / max(total, 1),
		title=_("Subject access"),
		description=_("Gathered {0} of {1} cases").format(done, total),
		doctype=REQUEST,
		docname=doc.name,
	)


def notify_requester(doc: Document) -> None:
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

	subject = (
		_("The subject access archive {0} is ready.").format(doc.name)
		if doc.status == READY
		else _("The subject access archive {0} could not be made.").format(doc.name)
	)
	make_notification_logs(
		frappe._dict(
			type="Alert", document_type=REQUEST, document_name=doc.name, subject=subject, from_user=None
		),
		[doc.requested_by],
	)
	frappe.db.commit()


def record_views(cases: list[str], reviews: list[str]) -> None:
	"""One View Log, by the coordinator, for each case and review exported."""
	for case in cases:
		record_view("Case", case, SUBJECT_ACCESS)
	for review in reviews:
		record_view("Review", review, SUBJECT_ACCESS)


# ---- gathering


def gather(cases: list[str], progress=lambda done: None) -> list[dict]:
	held = []
	for done, case in enumerate(cases, start=1):
		held.append(gather_case(case))
		progress(done)
	return held


def gather_case(case_name: str) -> dict:
	case = frappe.get_doc("Case", case_name)
	reviews = [frappe.get_doc("Review", name) for name in records_of("Review", {"case": case_name})]
	about = [("Case", case_name)] + [("Review", review.name) for review in reviews]
	emails = communications_about(about)
	return {
		"reference": case_name,
		"case": fields_of(case, leave_out=CONSENT_FIELDS),
		"consent": {field: case.get(field) for field in CONSENT_FIELDS},
		"equality_monitoring": equality_record_of(case_name),
		"state_changes": rows_of("Case State Change", {"case": case_name}),
		"reviews": [fields_of(review) | records_about([("Review", review.name)]) for review in reviews],
		**records_about([("Case", case_name)]),
		"emails": emails,
		"files": files_about(about + [("Communication", email["name"]) for email in emails]),
	}


def records_about(documents: list[tuple[str, str]]) -> dict[str, list[dict]]:
	"""Comments, queued mail, versions and view logs of each document."""
	return {
		"comments": about_documents("Comment", "reference_doctype", "reference_name", documents),
		"queued_emails": queued_emails_about(documents),
		"versions": [
			version | {"data": json.loads(version["data"] or "{}")}
			for version in about_documents("Version", "ref_doctype", "docname", documents)
		],
		"view_logs": about_documents("View Log", "reference_doctype", "reference_name", documents),
	}


def fields_of(doc: Document, leave_out: Iterable[str] = ()) -> dict[str, Any]:
	"""A document's stored values and its child tables' rows, with who made and changed it and when."""
	values = {field: doc.get(field) for field in RECORD_FIELDS}
	for df in doc.meta.fields:
		if df.fieldname in leave_out or df.is_virtual:
			continue
		if df.fieldtype in table_fields:
			values[df.fieldname] = [row_values(row) for row in doc.get(df.fieldname)]
		elif df.fieldtype not in no_value_fields:
			values[df.fieldname] = doc.get(df.fieldname)
	return values


def row_values(row: Document) -> dict[str, Any]:
	return {
		df.fieldname: row.get(df.fieldname)
		for df in row.meta.fields
		if not df.is_virtual and df.fieldtype not in no_value_fields
	}


def records_of(doctype: str, filters: dict) -> list[str]:
	return frappe.get_all(doctype, filters=filters, pluck="name", order_by="creation")


def rows_of(doctype: str, filters: dict) -> list[dict]:
	meta = frappe.get_meta(doctype)
	stored = (df.fieldname for df in meta.fields if df.fieldtype not in no_value_fields and not df.is_virtual)
	fields = [*RECORD_FIELDS, *stored]
	return frappe.get_all(doctype, filters=filters, fields=list(dict.fromkeys(fields)), order_by="creation")


def about_documents(doctype: str, doctype_field: str, name_field: str, documents) -> list[dict]:
	rows = []
	for about_doctype, name in documents:
		rows += rows_of(doctype, {doctype_field: about_doctype, name_field: name})
	return rows


def equality_record_of(case: str) -> dict | None:
	"""The case's equality monitoring answers, opened from their seal, by the questions' labels."""
	from lnb_casework.intake.equality import EQUALITY_QUESTIONS, open_equality_answers

	record = frappe.db.get_value(
		"Equality Monitoring", {"case": case}, ["name", "creation", "sealed_answers"], as_dict=True
	)
	if not record:
		return None
	answers = open_equality_answers(case, record.sealed_answers)
	return {
		"name": record.name,
		"creation": record.creation,
		"answers": {question: answers[question] for question in EQUALITY_QUESTIONS},
	}


def communications_about(documents: list[tuple[str, str]]) -> list[dict]:
	"""Emails about the case or its reviews: by their reference or by a timeline link."""
	names = []
	for doctype, name in documents:
		names += records_of("Communication", {"reference_doctype": doctype, "reference_name": name})
		names += frappe.get_all(
			"Communication Link", filters={"link_doctype": doctype, "link_name": name}, pluck="parent"
		)
	names = list(dict.fromkeys(names))
	return rows_of("Communication", {"name": ("in", names)}) if names else []


def queued_emails_about(documents: list[tuple[str, str]]) -> list[dict]:
	queued = []
	for doctype, name in documents:
		for row in frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": doctype, "reference_name": name},
			fields=["name", "creation", "status", "sender", "reference_doctype", "reference_name", "message"],
			order_by="creation",
		):
			message = readable_email(row.pop("message"))
			recipients = frappe.get_all(
				"Email Queue Recipient", filters={"parent": row.name}, pluck="recipient"
			)
			queued.append({**row, "recipients": recipients, **message})
	return queued


def files_about(documents: list[tuple[str, str]]) -> list[dict]:
	return about_documents("File", "attached_to_doctype", "attached_to_name", documents)


# ---- the archive


def make_archive(request: Document, held: list[dict]) -> bytes:
	"""The zip: summary.html (and summary.pdf when the site makes PDFs), data.json and files/."""
	buffer = io.BytesIO()
	taken: set[str] = set()
	with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
		for case in held:
			for file in case["files"]:
				file["path_in_archive"] = archive_file_path(
					case["reference"], file["file_name"] or file["name"], taken
				)
				archive.writestr(file["path_in_archive"], file_content(file["name"]))
		data = {"request": request_summary(request), "cases": held}
		archive.writestr("data.json", json.dumps(data, indent=1, default=str, ensure_ascii=False))
		html = render_summary(request, held)
		archive.writestr("summary.html", html)
		if pdf := summary_pdf(html):
			archive.writestr("summary.pdf", pdf)
	return buffer.getvalue()


def file_content(file_name: str) -> bytes:
	content = frappe.get_doc("File", file_name).get_content()
	return content.encode() if isinstance(content, str) else content


def summary_pdf(html: str) -> bytes | None:
	"""The summary as PDF, or None when the site cannot make PDFs (no wkhtmltopdf)."""
	from frappe.utils.pdf import get_pdf

	try:
		return get_pdf(html)
	except OSError:
		return None


def attach_archive(request: Document, content: bytes) -> Document:
	return frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"subject-access-{request.name}.zip",
			"attached_to_doctype": REQUEST,
			"attached_to_name": request.name,
			"attached_to_field": "archive",
			"is_private": 1,
			"content": content,
		}
	).insert(ignore_permissions=True)


def request_summary(request: Document) -> dict:
	return {
		field: request.get(field)
		for field in ("name", "email", "gmc_number", "received_on", "due_by", "requested_by")
	} | {"made_on": now_datetime()}


# ---- the summary a person reads


def render_summary(request: Document, held: list[dict]) -> str:
	return frappe.render_template(
		SUMMARY_TEMPLATE,
		{
			"request": {
				field: readable_value(value, request.meta.get_field(field))
				for field, value in request_summary(request).items()
			},
			"cases": [readable_case(case) for case in held],
		},
	)


def readable_case(case: dict) -> dict:
	"""A case as headed sections of labelled values, in the order a person reads them."""
	reference = case["reference"]
	sections = [
		section(_("What the case records"), [record("Case", case["case"])]),
		section(_("Consent"), [record("Case", case["consent"])]),
		section(
			_("Equality monitoring answers"),
			[equality_item(case["equality_monitoring"])] if case["equality_monitoring"] else [],
			empty=_("No equality monitoring answers were given."),
		),
		section(_("Changes of state"), [record("Case State Change", row) for row in case["state_changes"]]),
	]
	for review in case["reviews"]:
		fields = {field: value for field, value in review.items() if field not in ACTIVITY}
		sections.append(section(_("Review {0}").format(review["name"]), [record("Review", fields)]))
		sections += activity_sections(review, _("of review {0}").format(review["name"]))
	sections += activity_sections(case, _("of the case"))
	sections.append(section(_("Emails"), [email_item(email) for email in case["emails"]]))
	sections.append(
		section(
			_("Files"),
			[
				record(
					"File", file, ("file_name", "attached_to_doctype", "attached_to_name", "path_in_archive")
				)
				for file in case["files"]
			],
		)
	)
	return {"reference": reference, "sections": sections}


def activity_sections(held: dict, whose: str) -> list[dict]:
	return [
		section(
			_("Comments {0}").format(whose),
			[
				record("Comment", row, ("comment_type", "comment_email", "content"))
				for row in held["comments"]
			],
		),
		section(
			_("Emails queued {0}").format(whose), [queued_email_item(row) for row in held["queued_emails"]]
		),
		section(
			_("Changes {0} (who changed what)").format(whose),
			[
				record("Version", row | {"data": json.dumps(row["data"], default=str)}, ("data",))
				for row in held["versions"]
			],
		),
		section(
			_("Views {0} (who viewed it)").format(whose),
			[record("View Log", row, ("viewed_by", "lnb_viewed_through")) for row in held["view_logs"]],
		),
	]


def section(title: str, items: list[dict], empty: str | None = None) -> dict:
	return {"title": title, "items": items, "empty": empty or _("None.")}


def record(doctype: str, values: dict, only: Iterable[str] | None = None) -> dict:
	"""One record as a heading and (label, value) rows; child tables as tables."""
	meta = frappe.get_meta(doctype)
	fields = list(only) if only is not None else [field for field in values if field not in default_fields]
	rows, tables = [], []
	for field in fields:
		value = values.get(field)
		if isinstance(value, list):
			tables.append(child_table(meta, field, value))
		else:
			rows.append((label_of(meta, field), readable_value(value, meta.get_field(field))))
	when = readable_value(values.get("creation"))
	heading = " · ".join(str(part) for part in (values.get("name"), when, values.get("owner")) if part)
	return {"heading": heading, "rows": rows, "tables": tables}


def child_table(meta, field: str, rows: list[dict]) -> dict:
	child = frappe.get_meta(meta.get_field(field).options)
	columns = [column for column in (rows[0] if rows else {}) if column not in default_fields]
	return {
		"title": label_of(meta, field),
		"columns": [label_of(child, column) for column in columns],
		"rows": [
			[readable_value(row.get(column), child.get_field(column)) for column in columns] for row in rows
		],
	}


def equality_item(equality: dict) -> dict:
	from lnb_casework.intake.equality import QUESTION_LABELS

	return {
		"heading": readable_value(equality["creation"]),
		"rows": [
			(_(QUESTION_LABELS[question]), answer or _("Not answered"))
			for question, answer in equality["answers"].items()
		],
		"tables": [],
	}


def email_item(email: dict) -> dict:
	item = record(
		"Communication",
		email,
		("communication_date", "sent_or_received", "sender", "recipients", "cc", "subject"),
	)
	item["rows"].append((_("Message"), strip_html_tags(email.get("content") or "")))
	return item


def queued_email_item(queued: dict) -> dict:
	text = strip_html_tags(queued["text"]) if queued["is_html"] else queued["text"]
	return {
		"heading": readable_value(queued["creation"]),
		"rows": [
			(_("Status"), queued["status"]),
			(_("From"), queued["from"] or queued["sender"]),
			(_("To"), ", ".join(queued["recipients"])),
			(_("Subject"), queued["subject"]),
			(_("Message"), text),
		],
		"tables": [],
	}


def label_of(meta, field: str) -> str:
	if field == "path_in_archive":
		return _("In this archive at")
	df = meta.get_field(field)
	return _(df.label) if df and df.label else _(meta.get_label(field))


def readable_value(value: Any, df=None) -> str:
	from datetime import date, datetime

	if df is not None and df.fieldtype == "Check":
		return _("Yes") if value else _("No")
	if value is None or value == "":
		return ""
	if df is not None and df.fieldtype == "Date":
		return format_date(value)
	if df is not None and df.fieldtype == "Datetime":
		return format_datetime(value)
	if isinstance(value, datetime):
		return format_datetime(value)
	if isinstance(value, date):
		return format_date(value)
	return str(value)
