"""One alert email, sent once: the Email Queue row and the LNB Alert Log row that stops a second one.

Alerts to volunteers carry the reference, the state, a link and dates or counts, never personal data.
"""

from collections.abc import Collection, Iterable, Sequence

import frappe
from frappe.query_builder import DocType

from lnb_casework.alerts.recipients import Coordinator, alert_recipients
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import get_lnb_settings
from lnb_casework.mail import queue_email

COORDINATOR_ROLE = "LNB Coordinator"
KEYS_PER_QUERY = 1000


def coordinators() -> list[str]:
	"""Where a coordinator alert goes: the settings' recipients, or with none set every enabled
	coordinator."""
	return alert_recipients(get_lnb_settings().coordinator_emails(), coordinator_users())


def coordinator_users() -> list[Coordinator]:
	"""Every user with the LNB Coordinator role, enabled or not."""
	user, has_role = DocType("User"), DocType("Has Role")
	rows = (
		frappe.qb.from_(user)
		.join(has_role)
		.on((has_role.parent == user.name) & (has_role.parenttype == "User"))
		.select(user.email, user.enabled)
		.where(has_role.role == COORDINATOR_ROLE)
		.orderby(user.name)
		.run(as_dict=True)
	)
	return [Coordinator(row.email or "", bool(row.enabled)) for row in rows]


def send_alert(
	recipients: Sequence[str],
	subject: str,
	args: dict,
	reference_doctype: str,
	reference_name: str,
) -> str | None:
	"""Queues the alert to everyone in `recipients` (blanks and repeats dropped); its Email Queue name."""
	addresses = list(dict.fromkeys(address for address in recipients if address))
	if not addresses:
		return None
	return queue_email(addresses, subject, "lnb_alert", args, reference_doctype, reference_name)


def keys_already_sent(keys: Iterable[str]) -> set[str]:
	"""The keys among these that the LNB Alert Log holds (alerts sent before): one query by its unique index
	for each thousand keys, so a morning job asks once for all its alerts rather than once for each."""
	keys = list(dict.fromkeys(keys))
	sent = set()
	for start in range(0, len(keys), KEYS_PER_QUERY):
		sent.update(
			frappe.get_all(
				"LNB Alert Log",
				filters={"key": ["in", keys[start : start + KEYS_PER_QUERY]]},
				pluck="key",
				order_by=None,
			)
		)
	return sent


def send_once(
	alert: str,
	key: str,
	recipients: Sequence[str],
	subject: str,
	args: dict,
	reference_doctype: str,
	reference_name: str,
	detail: str = "",
	sent_before: Collection[str] | None = None,
) -> bool:
	"""Sends the alert unless one with this key was sent before; True when it was sent now. A job sending
	many alerts passes `sent_before` (keys_already_sent of all their keys) so that none asks on its own."""
	if sent_before is None:
		sent_before = keys_already_sent([key])
	if key in sent_before:
		return False
	queued = send_alert(recipients, subject, args, reference_doctype, reference_name)
	if not queued:
		return False
	frappe.get_doc(
		{
			"doctype": "LNB Alert Log",
			"alert": alert,
			"key": key,
			"reference_doctype": reference_doctype,
			"reference_name": reference_name,
			"detail": detail,
			"email_queue": queued,
		}
	).insert(ignore_permissions=True)
	return True
