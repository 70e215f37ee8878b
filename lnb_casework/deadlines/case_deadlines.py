"""Keeps a case's computed deadlines (source "Computed") in step with the dates recorded on it, and with the
passing days (docs/deadlines.md)."""

import datetime

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.query_builder import DocType
from frappe.utils import getdate

from lnb_casework.alerts.due import caught_up_since
from lnb_casework.casework.rules import OPEN_STATES
from lnb_casework.deadlines.computed import (
	EXCLUSION_REVIEW,
	CaseDates,
	ComputedDeadline,
	computed_deadlines,
	date_problems,
)
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import get_lnb_settings

COMPUTED = "Computed"
DATE_FIELDS = tuple(CaseDates.__dataclass_fields__)
ROLL_SAVEPOINT = "roll_exclusion_review"


def case_dates(case: Document) -> CaseDates:
	return CaseDates(
		**{field: getdate(case.get(field)) if case.get(field) else None for field in DATE_FIELDS}
	)


def check_deadline_dates(case: Document) -> None:
	problems = date_problems(case_dates(case))
	if problems:
		frappe.throw("<br>".join(problems), title=_("Please check the dates"))


def refresh_computed_deadlines(case: Document) -> None:
	"""Updates computed rows in place (so each keeps its name), adds new ones and drops those whose
	dates were cleared; rows a caseworker or the doctor added are left alone."""
	settings = get_lnb_settings()
	wanted = {
		item.rule: item
		for item in computed_deadlines(
			case_dates(case),
			getdate(),
			settings.tribunal_limit_months,
			settings.exclusion_review_weeks,
		)
	}
	for row in list(case.deadlines):
		if row.source != COMPUTED:
			continue
		item = wanted.pop(row.rule, None)
		if item:
			row.update(deadline_row(item))
		else:
			case.remove(row)
	for item in wanted.values():
		case.append("deadlines", deadline_row(item))
	for index, row in enumerate(case.deadlines, start=1):
		row.idx = index


def deadline_row(item: ComputedDeadline) -> dict:
	return {
		"source": COMPUTED,
		"rule": item.rule,
		"description": item.description,
		"due_date": item.deadline.due,
		"how": item.deadline.how,
		"check_date": int(item.deadline.check),
	}


def roll_passed_exclusion_reviews() -> list[str]:
	"""The daily job (hooks.py, before the reminders): each open case whose exclusion review has passed is
	saved, so the Case controller counts the next review as it does on any save, and the change shows in
	the case's versions like any other. The save is not activity on the case (it does not stop a stalled case
	from being reported). A case that cannot be saved is logged and the others still roll."""
	rolled = []
	for name in cases_with_a_passed_exclusion_review(getdate()):
		case = frappe.get_doc("Case", name)
		case.flags.upkeep = True  # not activity on the case, nor a user's change (Case.validate)
		frappe.db.savepoint(ROLL_SAVEPOINT)
		try:
			case.save(ignore_permissions=True)
		except (frappe.ValidationError, frappe.PermissionError):
			frappe.db.rollback(save_point=ROLL_SAVEPOINT)
			frappe.log_error(
				title=_("Could not roll the exclusion review of case {0}").format(name),
				reference_doctype="Case",
				reference_name=name,
			)
			continue
		rolled.append(name)
	return rolled


def cases_with_a_passed_exclusion_review(today: datetime.date) -> list[str]:
	"""Open cases whose exclusion review passed within the catch-up days, by the index on the deadlines'
	dates: one that passed before was rolled on an earlier morning (or has been logged each morning since
	as one that cannot be saved)."""
	deadline, case = DocType("Case Deadline"), DocType("Case")
	return (
		frappe.qb.from_(deadline)
		.join(case)
		.on(deadline.parent == case.name)
		.select(case.name)
		.distinct()
		.where(deadline.parenttype == "Case")
		.where(deadline.source == COMPUTED)
		.where(deadline.rule == EXCLUSION_REVIEW)
		.where(deadline.due_date >= caught_up_since(today))
		.where(deadline.due_date < today)
		.where(case.workflow_state.isin(OPEN_STATES))
		.run(pluck=True)
	)
