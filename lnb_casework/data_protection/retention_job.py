"""The daily retention job (hooks.py, before the morning alerts): anonymises each closed case whose retention
period has ended, lists each in the LNB Alert Log for the coordinators, and warns them, once per case, of
the cases to be anonymised within the set days (docs/erasure-and-retention.md, "Retention")."""

import datetime
from urllib.parse import quote

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import format_date, get_url, getdate

from lnb_casework.alerts.due import alert_key
from lnb_casework.alerts.sending import coordinators, keys_already_sent, send_alert
from lnb_casework.data_protection.erasure import RETENTION, anonymise_cases
from lnb_casework.data_protection.retention import (
	CLOSED_STATES,
	ClosedCase,
	anonymise_on,
	due_today,
	latest_closing_to_look_at,
)
from lnb_casework.deadlines.arithmetic import ONE_DAY
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import get_lnb_settings

RETENTION_WARNING = "Retention warning"
ANONYMISED_AFTER_RETENTION = "Anonymised after retention"
ANONYMISE_SAVEPOINT = "retention_anonymise"
# Lets the daily query read only the moves into an ended state up to a date (ensure_retention_index).
CLOSING_INDEX = ("to_state", "changed_on")


def anonymise_cases_past_retention(today: datetime.date | None = None) -> list[str]:
	"""The daily job: the cases it anonymised. Each is committed as it is done (its files leave the disk
	then), so a case that fails is logged in the Error Log and the others are still done."""
	today = getdate(today)
	settings = get_lnb_settings()
	months, warning_days = settings.retention_months, settings.retention_warning_days
	kept = closed_cases_not_anonymised(latest_closing_to_look_at(today, months, warning_days))
	due = due_today(kept, today, months, warning_days)
	anonymised = [case.name for case in due.anonymise if anonymise_after_retention(case, months)]
	warn_coordinators(due.warn, months)
	return anonymised


def closed_cases_not_anonymised(closed_by: datetime.date) -> list[ClosedCase]:
	"""Each ended case (Closed, Withdrawn, Referred On), not anonymised, whose last move into that state
	was on or before `closed_by`: one query, read from the state changes into those states up to that date
	(an index), each case by its name, with no later state change of the same case."""
	change, case = DocType("Case State Change"), DocType("Case")
	later = DocType("Case State Change").as_("later")
	rows = (
		frappe.qb.from_(change)
		.join(case)
		.on(case.name == change.case)
		.left_join(later)
		.on((later.case == change.case) & (later.changed_on > change.changed_on))
		.select(case.name, change.changed_on)
		.where(change.to_state.isin(CLOSED_STATES))
		.where(change.changed_on < closed_by + ONE_DAY)
		.where(case.workflow_state == change.to_state)
		.where(case.anonymised_on.isnull())
		.where(later.name.isnull())
		.orderby(change.changed_on)
		.run(as_dict=True)
	)
	return [ClosedCase(row.name, getdate(row.changed_on)) for row in rows]


def anonymise_after_retention(case: ClosedCase, months: int) -> bool:
	"""Anonymises the case and lists it in the LNB Alert Log; True when done."""
	frappe.db.savepoint(ANONYMISE_SAVEPOINT)
	try:
		anonymise_cases([case.name], RETENTION)
		frappe.get_doc(
			{
				"doctype": "LNB Alert Log",
				"alert": ANONYMISED_AFTER_RETENTION,
				"key": alert_key(ANONYMISED_AFTER_RETENTION, case.name, case.closed_on),
				"reference_doctype": "Case",
				"reference_name": case.name,
				"detail": _("Closed on {0}, kept {1} months").format(case.closed_on.isoformat(), months),
			}
		).insert(ignore_permissions=True)
	except Exception:
		# one case that cannot be anonymised must not keep the others past their time
		frappe.db.rollback(save_point=ANONYMISE_SAVEPOINT)
		frappe.log_error(
			title=_("Could not anonymise case {0} at the end of its retention period").format(case.name),
			reference_doctype="Case",
			reference_name=case.name,
		)
		return False
	frappe.db.commit()
	return True


def warn_coordinators(cases: list[ClosedCase], months: int) -> list[str]:
	"""One email to the coordinators listing the references of the cases not warned about before (since
	they last closed) and the day each will be anonymised; nothing about the doctor. The cases it listed."""
	keys = {case.name: alert_key(RETENTION_WARNING, case.name, case.closed_on) for case in cases}
	already_warned = keys_already_sent(keys.values())
	to_warn = [case for case in cases if keys[case.name] not in already_warned]
	if not to_warn:
		return []
	queued = send_alert(
		coordinators(),
		_("{0} closed cases will be anonymised soon").format(len(to_warn))
		if len(to_warn) > 1
		else _("A closed case will be anonymised soon"),
		{
			"message": _(
				"The retention period of these closed cases ends soon. On the day shown each is anonymised: "
				"the doctor's identity and the free text are erased, and the reports still count it. To keep "
				"a case longer, reopen it with the reason."
			),
			"facts": [
				(case.name, format_date(anonymise_on(case.closed_on, months)))
				for case in sorted(to_warn, key=lambda case: (case.closed_on, case.name))
			],
			"link": get_url("/app/lnb-alert-log?alert=" + quote(RETENTION_WARNING)),
			"link_label": _("See the cases in the LNB Alert Log"),
		},
		"LNB Settings",
		"LNB Settings",
	)
	if not queued:
		return []  # not remembered as warned, so tried again tomorrow; "Mail not sent" tells why
	for case in to_warn:
		frappe.get_doc(
			{
				"doctype": "LNB Alert Log",
				"alert": RETENTION_WARNING,
				"key": keys[case.name],
				"reference_doctype": "Case",
				"reference_name": case.name,
				"detail": _("To be anonymised on {0}").format(
					anonymise_on(case.closed_on, months).isoformat()
				),
				"email_queue": queued,
			}
		).insert(ignore_permissions=True)
	return [case.name for case in to_warn]


def ensure_retention_index() -> None:
	"""Run after install and migrate: an index on Case State Change's target state and date, for the
	daily query (Frappe's doctype JSON declares only single-column indexes)."""
	frappe.db.add_index("Case State Change", list(CLOSING_INDEX))
