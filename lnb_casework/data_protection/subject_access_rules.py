"""The pure rules of a subject access request (docs/subject-access.md): when the answer is due, where each
file goes in the archive, and what a queued email says. No database, no Frappe."""

import calendar
import email
import email.policy
import re
from datetime import date, timedelta
from email.message import EmailMessage

SATURDAY = 5
# what may stay in a file's name inside the archive; anything else becomes "_"
UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
MAX_FILE_NAME = 120


def subject_access_due_by(received_on: date) -> date:
	"""The last day to answer a request received on `received_on`: the same day of the next month, or that
	month's last day when it is shorter; a date on a weekend moves to the Monday after. Bank holidays are
	not known here, so the date is never later than the law allows."""
	year, month = (
		(received_on.year + 1, 1) if received_on.month == 12 else (received_on.year, received_on.month + 1)
	)
	day = min(received_on.day, calendar.monthrange(year, month)[1])
	due = date(year, month, day)
	if due.weekday() >= SATURDAY:
		due += timedelta(days=7 - due.weekday())
	return due


def archive_file_path(folder: str, file_name: str, taken: set[str]) -> str:
	"""A path under files/<folder>/ for a file, safe in any zip reader (no folders, no "..", no control
	characters) and not yet `taken`; the path is added to `taken`."""
	stem, dot, extension = (safe_name(file_name) or "file").rpartition(".")
	if not dot or not stem:
		stem, extension = stem + dot + extension, ""
	suffix = f".{extension}" if extension else ""
	folder = safe_name(folder) or "_"
	path = f"files/{folder}/{stem}{suffix}"
	copy = 1
	while path in taken:
		copy += 1
		path = f"files/{folder}/{stem} ({copy}){suffix}"
	taken.add(path)
	return path


def safe_name(name: str) -> str:
	name = UNSAFE_IN_FILE_NAME.sub("_", name or "").strip(" .")
	return name[:MAX_FILE_NAME]


def readable_email(raw_message: str) -> dict[str, str]:
	"""The subject, sender, recipients, date and plain text of a queued email (its MIME source)."""
	message: EmailMessage = email.message_from_string(raw_message or "", policy=email.policy.default)
	body = message.get_body(preferencelist=("plain", "html"))
	text = body.get_content() if body is not None else ""
	return {
		"subject": str(message.get("Subject") or ""),
		"from": str(message.get("From") or ""),
		"to": str(message.get("To") or ""),
		"date": str(message.get("Date") or ""),
		"text": text,
		"is_html": bool(body is not None and body.get_content_type() == "text/html"),
	}
