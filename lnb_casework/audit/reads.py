"""Which cases and reviews a request's answer showed a person, and how (docs/view-audit.md).

As each answer goes out (an after_request hook, after Frappe has committed the request's own work), a
successful answer to a person that showed cases or reviews leaves one View Log per document, saying how it
was read. The desk's form is left to Frappe, whose own View Log (add_viewed, for doctypes with track_views)
says "Desk" (views.note_how_the_desk_viewed). An answer whose views cannot be recorded is not given.
"""

import json
from collections.abc import Iterable

import frappe
from frappe import _
from werkzeug.wrappers import Request, Response

from lnb_casework.audit.views import (
	AUDITED_DOCTYPES,
	DESK,
	PDF,
	PRINT,
	REPORT_EXPORT,
	REST,
	record_view,
)
from lnb_casework.query_arguments import decoded
from lnb_casework.request_guard import RESOURCE_PATHS, requested_method

View = tuple[str, str, str]

PRINT_PAGE = "/printview"
# the methods that show documents named by two of their parameters: (doctype parameter, name parameter)
PRINT_METHODS = {
	"frappe.www.printview.get_html_and_style": ("doc", "name"),
	"frappe.www.printview.get_rendered_raw_commands": ("doc", "name"),
}
PDF_METHODS = {
	"frappe.utils.print_format.download_pdf": ("doctype", "name"),
	"frappe.utils.print_format.download_multi_pdf": ("doctype", "name"),
	"frappe.utils.weasyprint.download_pdf": ("doctype", "name"),
}
# answers with the document itself, whether it was asked for by name or by filters
REST_METHODS = ("frappe.client.get",)
# the app's own methods that show a case named by one parameter: (that parameter, how); the review's form
# shows its case's story
CASE_METHODS = {"lnb_casework.review.story.case_story": ("case", DESK)}
LIST_EXPORT_METHOD = "frappe.desk.reportview.export_query"
REPORT_EXPORT_METHOD = "frappe.desk.query_report.export_query"


def record_views_of_the_answer(response: Response, request: Request) -> None:
	"""after_request hook."""
	if response.status_code != 200 or frappe.session.user == "Guest":
		return
	views = views_in_answer(request, response)
	if not views:
		return
	try:
		for doctype, name, how in views:
			record_view(doctype, name, how)
		frappe.db.commit()
	except Exception:
		frappe.db.rollback()
		frappe.log_error(title=_("A view of a case could not be recorded"))
		frappe.db.commit()
		message = json.dumps({"message": _("This could not be shown: its view could not be recorded.")})
		response.status_code = 500
		response.set_data(
			json.dumps({"exc_type": "ViewNotRecorded", "_server_messages": json.dumps([message])})
		)
		response.mimetype = "application/json"
		response.headers.remove("Content-Disposition")


def views_in_answer(request: Request, response: Response) -> list[View]:
	"""The (doctype, name, how) of each case or review the answer showed, each once."""
	method = requested_method()
	if method in PDF_METHODS:
		views = ((doctype, name, PDF) for doctype, name in named_by(*PDF_METHODS[method]))
	elif method in PRINT_METHODS:
		views = ((doctype, name, PRINT) for doctype, name in named_by(*PRINT_METHODS[method]))
	elif request.path == PRINT_PAGE and not method:
		views = ((doctype, name, PRINT) for doctype, name in named_by("doctype", "name"))
	elif method in REST_METHODS or (
		request.method == "GET" and not method and request.path.startswith(RESOURCE_PATHS)
	):
		views = ((doctype, name, REST) for doctype, name in answered_document(response))
	elif method in CASE_METHODS:
		parameter, how = CASE_METHODS[method]
		views = (
			(doctype, name, how) for doctype, name in audited([("Case", frappe.form_dict.get(parameter))])
		)
	elif method == LIST_EXPORT_METHOD:
		views = ((doctype, name, REPORT_EXPORT) for doctype, name in exported_list())
	elif method == REPORT_EXPORT_METHOD:
		views = ((doctype, name, REPORT_EXPORT) for doctype, name in exported_report_rows())
	else:
		return []
	return list(dict.fromkeys(views))


def audited(records: Iterable[tuple[object, object]]) -> list[tuple[str, str]]:
	return [
		(doctype, name)
		for doctype, name in records
		if doctype in AUDITED_DOCTYPES and isinstance(name, str) and name
	]


def named_by(doctype_parameter: str, name_parameter: str) -> list[tuple[str, str]]:
	"""The documents named by a doctype and a name (or a list of names), or by {doctype: [names]}."""
	doctypes = decoded(frappe.form_dict.get(doctype_parameter))
	if isinstance(doctypes, dict):
		names_by_doctype = doctypes
	else:
		names_by_doctype = {doctypes: decoded(frappe.form_dict.get(name_parameter))}
	return audited(
		(doctype, name)
		for doctype, names in names_by_doctype.items()
		if isinstance(doctype, str)
		for name in (names if isinstance(names, list) else [names])
	)


def answered_document(response: Response) -> list[tuple[str, str]]:
	"""The document a REST answer holds (Frappe's v1 and v2 answers: "data" or "message")."""
	if response.mimetype != "application/json":
		return []
	try:
		answer = json.loads(response.get_data())
	except ValueError:
		return []
	document = next((answer[key] for key in ("data", "message") if isinstance(answer.get(key), dict)), {})
	return audited([(document.get("doctype"), document.get("name"))])


def exported_list() -> list[tuple[str, str]]:
	"""The records of a list or Report Builder export, found as Frappe's export finds them: by its filters
	(or the rows picked), with the user's permissions."""
	doctype = frappe.form_dict.get("doctype")
	if doctype not in AUDITED_DOCTYPES:
		return []
	filters = decoded(frappe.form_dict.get("filters"))
	if selection := decoded(frappe.form_dict.get("selected_items")):
		filters = {"name": ("in", selection)}
	names = frappe.get_list(
		doctype,
		filters=filters,
		or_filters=decoded(frappe.form_dict.get("or_filters")),
		pluck="name",
		limit_page_length=0,
	)
	return [(doctype, name) for name in names]


def exported_report_rows() -> list[tuple[str, str]]:
	"""The cases and reviews that a report export's rows link to, in the rows exported."""
	from frappe.desk.query_report import run

	form = frappe.form_dict
	report = run(
		form.get("report_name"),
		decoded(form.get("filters")),
		custom_columns=decoded(form.get("custom_columns")) or [],
		are_default_filters=False,
	)
	rows = report.get("result") or []
	visible = set(decoded(form.get("visible_idx")) or [])
	if visible and len(visible) != len(rows):
		rows = [row for index, row in enumerate(rows) if index in visible]
	linked = [
		(index, column)
		for index, column in enumerate(report.get("columns") or [])
		if column.get("fieldtype") == "Link" and column.get("options") in AUDITED_DOCTYPES
	]
	return audited(
		(column["options"], row.get(column.get("fieldname")) if isinstance(row, dict) else row[index])
		for row in rows
		if isinstance(row, dict | list | tuple)
		for index, column in linked
		if isinstance(row, dict) or index < len(row)
	)
