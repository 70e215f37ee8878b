"""Keeps a case's computed deadlines (source "Computed") in step with the dates recorded on it."""

import frappe
from frappe.model.document import Document
from frappe.utils import getdate

from lnb_casework.deadlines.computed import CaseDates, ComputedDeadline, computed_deadlines, date_problems
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import get_lnb_settings

COMPUTED = "Computed"
DATE_FIELDS = tuple(CaseDates.__dataclass_fields__)


def case_dates(case: Document) -> CaseDates:
	return CaseDates(
		**{field: getdate(case.get(field)) if case.get(field) else None for field in DATE_FIELDS}
	)


def check_deadline_dates(case: Document) -> None:
	problems = date_problems(case_dates(case))
	if problems:
		frappe.throw("<br>".join(problems), title=frappe._("Please check the dates"))


def refresh_computed_deadlines(case: Document) -> None:
	"""Updates computed rows in place (so each keeps its name), adds new ones and drops those whose
	dates were cleared; rows a caseworker or the doctor added are left alone."""
	settings = get_lnb_settings()
	wanted = {
		item.rule: item
		for item in computed_deadlines(
			case_dates(case),
			getdate(),
			settings.tribunal_limit_months or 3,
			settings.exclusion_review_weeks or 4,
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
