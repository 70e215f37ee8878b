"""Erasing a doctor's identity and free text from their cases while keeping what the reports count
(docs/erasure-and-retention.md). `anonymise_cases` is the one way a case is anonymised: on the doctor's
request once a second coordinator confirms, on a Personal Data Deletion Request, or at the end of the
retention period.

A case's reference may be given again after a case is deleted (Frappe's naming series goes back), so rows
are matched to a case by its reference and by being made no earlier than the case itself, and rows found by
their words are matched by the doctor's own identifiers, never by a reference alone.
"""

import os

import frappe
from frappe import _
from frappe.utils import now_datetime

from lnb_casework.data_protection.anonymisation import (
	CASE_TABLES,
	REPLACED,
	REVIEW_TABLES,
	doctor_identifiers,
	holds_identifier,
	replaced_values,
	search_patterns,
)

ERASURE_ON_REQUEST = "Doctor's request"
RETENTION = "Retention period ended"
GROUNDS = (ERASURE_ON_REQUEST, RETENTION)

IDENTITY_FIELDS = ("doctor_name", "email", "phone", "gmc_number")

# Records that may hold the doctor's identifiers in their words, and the columns searched: a row that holds one
# is deleted whole (with its child rows).
SEARCHED_RECORDS = {
	"Deleted Document": ("deleted_name", "data"),
	"Version": ("data",),
	"Comment": ("subject", "content", "comment_email", "comment_by"),
	"Communication": (
		"subject",
		"sender",
		"recipients",
		"cc",
		"bcc",
		"phone_no",
		"content",
		"sender_full_name",
	),
	"Email Queue": ("sender", "show_as_cc", "message"),
	"Access Log": ("page", "filters", "columns"),
	"Error Log": ("method", "error"),
	"LNB Alert Log": ("detail", "key"),
	"Activity Log": ("subject", "content", "full_name"),
	"Notification Log": ("subject", "email_content"),
	"ToDo": ("description",),
	"Contact": ("first_name", "last_name", "full_name", "email_id", "phone", "mobile_no"),
}
# Requests about the doctor keep who asked and when; only their identifiers are blanked.
REQUESTS_ABOUT_THE_DOCTOR = {
	"Erasure Request": ("email", "gmc_number"),
	"Subject Access Request": ("email", "gmc_number", "archive"),
}


def anonymise_cases(cases: list[str], grounds: str, erasure_request: str | None = None) -> None:
	"""Anonymise each case not yet anonymised, with its reviews and every record that holds the doctor's
	identity, in one transaction: if any step fails, nothing is changed."""
	if grounds not in GROUNDS:
		frappe.throw(_("Unknown grounds for anonymising: {0}").format(grounds))
	pending = frappe.get_all(
		"Case",
		filters={"name": ("in", list(cases) or [""]), "anonymised_on": ("is", "not set")},
		fields=["name", "creation", *IDENTITY_FIELDS],
		order_by="creation",
	)
	frappe.db.savepoint("anonymise_cases")
	try:
		files_to_remove: dict[str, str] = {}
		for number, case in enumerate(pending, start=1):
			files_to_remove |= anonymise_case(case, grounds, erasure_request)
			frappe.publish_progress(
				number * 100 / len(pending),
				title=_("Anonymising cases"),
				doctype="Erasure Request" if erasure_request else None,
				docname=erasure_request,
				description=_("{0} of {1} cases anonymised").format(number, len(pending)),
			)
	except Exception:
		frappe.db.rollback(save_point="anonymise_cases")
		raise
	frappe.db.after_commit.add(lambda: remove_unused_files(files_to_remove))


def anonymise_case(case: frappe._dict, grounds: str, erasure_request: str | None) -> dict[str, str]:
	"""Anonymises one case; returns the files on disk ({path: file_url}) to remove once the work is
	committed."""
	identifiers = doctor_identifiers(*(case[field] for field in IDENTITY_FIELDS))
	since = case.creation
	reviews = frappe.get_all("Review", filters={"case": case.name, "creation": (">=", since)}, pluck="name")
	documents = [("Case", case.name)] + [("Review", review) for review in reviews]

	replace_text("Case", {"name": case.name})
	for table in CASE_TABLES:
		replace_text(table, {"parenttype": "Case", "parent": case.name})
	replace_text("Case State Change", {"case": case.name, "creation": (">=", since)})
	for review in reviews:
		replace_text("Review", {"name": review})
		for table in REVIEW_TABLES:
			replace_text(table, {"parenttype": "Review", "parent": review})
	frappe.db.set_value(
		"Case", case.name, {"anonymised_on": now_datetime(), "_comments": None}, update_modified=False
	)
	for review in reviews:
		frappe.db.set_value("Review", review, "_comments", None, update_modified=False)

	communications = records_about(documents, since)
	files = frappe.get_all(
		"File",
		filters=[
			["attached_to_doctype", "in", ["Case", "Review", "Communication"]],
			["creation", ">=", since],
		],
		fields=["name", "attached_to_doctype", "attached_to_name", "file_url", "is_private", "file_name"],
	)
	attached_to = set(documents) | {("Communication", name) for name in communications}
	files = [file for file in files if (file.attached_to_doctype, file.attached_to_name) in attached_to]
	file_paths = {frappe.get_doc("File", file.name).get_full_path(): file.file_url for file in files}
	delete_records("File", [file.name for file in files])

	for doctype, reference_field, name_field in (
		("Version", "ref_doctype", "docname"),
		("Comment", "reference_doctype", "reference_name"),
		("Email Queue", "reference_doctype", "reference_name"),
	):
		delete_records(doctype, referring_to(doctype, reference_field, name_field, documents, since))
	delete_records(
		"Email Queue",
		frappe.get_all("Email Queue", {"communication": ("in", communications or [""])}, pluck="name"),
	)
	delete_records("Communication", communications)
	if case.email:
		queued_to_the_doctor = frappe.get_all(
			"Email Queue Recipient", filters={"recipient": case.email}, pluck="parent", distinct=True
		)
		delete_records("Email Queue", queued_to_the_doctor)
	frappe.db.delete("Equality Monitoring", {"case": case.name, "creation": (">=", since)})
	for doctype, name in documents:
		frappe.db.delete("__global_search", {"doctype": doctype, "name": name})

	for doctype, columns in SEARCHED_RECORDS.items():
		delete_records(doctype, rows_holding(doctype, columns, identifiers))
	frappe.db.delete("__global_search", {"name": ("in", global_search_rows_holding(identifiers) or [""])})
	file_paths |= remove_subject_access_archives(identifiers)
	blank_requests_about(identifiers)

	frappe.get_doc(
		{
			"doctype": "Comment",
			"comment_type": "Info",
			"reference_doctype": "Case",
			"reference_name": case.name,
			"content": _("The doctor's identity and free text were erased ({0}).").format(_(grounds))
			+ (" " + _("Erasure Request {0}.").format(erasure_request) if erasure_request else ""),
		}
	).insert(ignore_permissions=True)
	return file_paths


def replace_text(doctype: str, filters: dict) -> None:
	"""Writes the anonymised values straight to the rows, so no Version keeps the old ones."""
	for name in frappe.get_all(doctype, filters=filters, pluck="name"):
		values = frappe.db.get_value(doctype, name, list(REPLACED[doctype]), as_dict=True)
		changes = replaced_values(doctype, values)
		if changes:
			frappe.db.set_value(doctype, name, changes, update_modified=False)


def records_about(documents: list[tuple[str, str]], since) -> list[str]:
	"""Communications about the case or its reviews: by their reference or a timeline link."""
	found = set(referring_to("Communication", "reference_doctype", "reference_name", documents, since))
	link = frappe.qb.DocType("Communication Link")
	communication = frappe.qb.DocType("Communication")
	for doctype, name in documents:
		found |= set(
			frappe.qb.from_(link)
			.join(communication)
			.on(communication.name == link.parent)
			.select(link.parent)
			.where(
				(link.link_doctype == doctype) & (link.link_name == name) & (communication.creation >= since)
			)
			.run(pluck=True)
		)
	return sorted(found)


def referring_to(doctype: str, reference_field: str, name_field: str, documents, since) -> list[str]:
	found = []
	for reference_doctype, name in documents:
		found += frappe.get_all(
			doctype,
			filters={reference_field: reference_doctype, name_field: name, "creation": (">=", since)},
			pluck="name",
		)
	return found


def rows_holding(doctype: str, columns: tuple[str, ...], identifiers: tuple[str, ...]) -> list[str]:
	"""Rows of the doctype whose columns hold one of the identifiers."""
	if not identifiers or not frappe.db.table_exists(doctype):
		return []
	columns = tuple(column for column in columns if frappe.db.has_column(doctype, column))
	if not columns:
		return []
	table = frappe.qb.DocType(doctype)
	condition = None
	for column in columns:
		for pattern in search_patterns(identifiers):
			match = table[column].like(pattern)
			condition = match if condition is None else condition | match
	rows = (
		frappe.qb.from_(table)
		.select(table.name, *(table[column] for column in columns))
		.where(condition)
		.run()
	)
	return [row[0] for row in rows if any(holds_identifier(value, identifiers) for value in row[1:])]


def global_search_rows_holding(identifiers: tuple[str, ...]) -> list[str]:
	if not identifiers:
		return []
	conditions = " or ".join(["content like %s or title like %s"] * len(identifiers))
	patterns = [pattern for pattern in search_patterns(identifiers) for _twice in (1, 2)]
	return frappe.db.sql_list(f"select name from __global_search where {conditions}", patterns)


def delete_records(doctype: str, names: list[str]) -> None:
	"""Deletes the rows and their child rows without archiving them in Deleted Document."""
	names = sorted(set(names))
	if not names:
		return
	for table in frappe.get_meta(doctype).get_table_fields():
		frappe.db.delete(table.options, {"parenttype": doctype, "parent": ("in", names)})
	frappe.db.delete(doctype, {"name": ("in", names)})


def blank_requests_about(identifiers: tuple[str, ...]) -> None:
	"""Requests about the doctor keep their case references, reason, who and when; not who the doctor is."""
	for doctype, fields in REQUESTS_ABOUT_THE_DOCTOR.items():
		for name in rows_holding(doctype, fields, identifiers):
			present = [field for field in fields if frappe.db.has_column(doctype, field)]
			frappe.db.set_value(doctype, name, dict.fromkeys(present), update_modified=False)


def remove_subject_access_archives(identifiers: tuple[str, ...]) -> dict[str, str]:
	"""Deletes the archives of earlier subject access requests about the doctor (their identifiers are
	blanked by blank_requests_about, so they are found first)."""
	if not frappe.db.table_exists("Subject Access Request"):
		return {}
	requests = rows_holding(
		"Subject Access Request", REQUESTS_ABOUT_THE_DOCTOR["Subject Access Request"], identifiers
	)
	if not requests:
		return {}
	files = frappe.get_all(
		"File",
		filters={"attached_to_doctype": "Subject Access Request", "attached_to_name": ("in", requests)},
		fields=["name", "file_url"],
	)
	paths = {frappe.get_doc("File", file.name).get_full_path(): file.file_url for file in files}
	delete_records("File", [file.name for file in files])
	return paths


def remove_unused_files(files: dict[str, str]) -> None:
	"""Removes the files from disk once no File row points at them (an identical upload shares its file)."""
	for path, file_url in files.items():
		if frappe.db.exists("File", {"file_url": file_url}):
			continue
		if os.path.exists(path):
			os.remove(path)
