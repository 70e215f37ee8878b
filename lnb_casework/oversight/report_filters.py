"""What the app's reports accept as filters: each filter is checked before anything is read, and a bad value
is refused with a message naming the filter (HTTP 417, as every frappe.throw), never a server error.

Filters a report does not know are ignored: no report reads them. A filter left empty takes its default.
"""

import datetime
import re
from collections.abc import Collection, Mapping

import frappe
from frappe import _

LONGEST_NAME = 140  # Frappe's longest document name
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")


def report_filters(filters: object) -> frappe._dict:
	"""The filters as Frappe hands them to a report, which must be names and values."""
	if filters is None:
		return frappe._dict()
	if not isinstance(filters, Mapping):
		refuse(_("Report filters must be given as names and values."))
	return frappe._dict(filters)


def refuse(message: str) -> None:
	frappe.throw(message, title=_("Report filters"))


def is_empty(value: object) -> bool:
	return value is None or value == ""


def choice(filters: Mapping, name: str, label: str, options: Collection[str], default: str | None = None):
	"""One of the options, or the default when empty."""
	value = filters.get(name)
	if is_empty(value):
		return default
	if not isinstance(value, str) or value not in options:
		refuse(_("{0} must be one of: {1}.").format(_(label), ", ".join(_(option) for option in options)))
	return value


def name_of(filters: Mapping, name: str, label: str, doctype: str | None = None) -> str | None:
	"""The name of a record (a user, an organisation), or None when empty. With a doctype, the record must
	exist; without, only its form is checked (whether a user exists is not for every role to learn)."""
	value = filters.get(name)
	if is_empty(value):
		return None
	if (
		not isinstance(value, str)
		or len(value) > LONGEST_NAME
		or value != value.strip()
		or any(character < " " for character in value)
	):
		refuse(_("{0} must be the name of one record.").format(_(label)))
	if doctype and not frappe.db.exists(doctype, value):
		refuse(_("{0} must name a {1} that exists.").format(_(label), _(doctype)))
	return value


def whole_number(filters: Mapping, name: str, label: str, lowest: int, highest: int, default: int) -> int:
	"""A whole number from lowest to highest, given as a number or as digits; the default when empty."""
	value = filters.get(name)
	if is_empty(value):
		return default
	if isinstance(value, str) and WHOLE_NUMBER.fullmatch(value):
		value = int(value)
	if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
		refuse(_("{0} must be a whole number from {1} to {2}.").format(_(label), lowest, highest))
	return value


def check(filters: Mapping, name: str, label: str) -> bool:
	"""A tick box: 0 or 1 (or false or true)."""
	value = filters.get(name)
	if is_empty(value):
		return False
	if value in (0, 1, "0", "1") or isinstance(value, bool):
		return bool(int(value))
	refuse(_("{0} must be ticked or not (1 or 0).").format(_(label)))


def date_of(filters: Mapping, name: str, label: str) -> datetime.date | None:
	"""A date (YYYY-MM-DD, as the desk sends it), or None when empty."""
	value = filters.get(name)
	if is_empty(value):
		return None
	if isinstance(value, str):
		try:
			return datetime.date.fromisoformat(value)
		except ValueError:
			pass
	refuse(_("{0} must be a date.").format(_(label)))
