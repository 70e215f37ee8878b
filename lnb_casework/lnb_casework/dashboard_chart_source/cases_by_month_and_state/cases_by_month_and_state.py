"""Cases opened in each of the last 12 months, by the state each is in now: new and in triage together as
awaiting triage (as on the number card), closed, withdrawn and referred on together as ended.

Counted by the database (GROUP BY month and state) through frappe.get_list, so the Case row rule applies: a
caseworker's chart shows their own cases.
Every case it counts is one its reader may list, so it is not disclosure-controlled
(docs/disclosure-control.md, "Where each control applies").

The chart (its custom_options) labels the y axis with plain numbers, not Frappe's shortened ones, which
print 200 as "200.00", and lets the axis reach at least 11: frappe-charts divides an axis whose top is
1, 2 or 10 into quarters (0.25, 0.5 or 2.5 apart), and from 11 up every step is a whole number.
"""

import datetime
from collections import Counter

import frappe
from frappe import _
from frappe.utils import add_months, get_first_day, getdate, today

from lnb_casework.casework.rules import ENDED_STATES, NEW, OPEN_STATES, TRIAGE

MONTHS = 12
AWAITING_TRIAGE, ENDED = "Awaiting triage", "Ended"
GROUPS = (AWAITING_TRIAGE, *(state for state in OPEN_STATES if state not in (NEW, TRIAGE)), ENDED)
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@frappe.whitelist()
def get(**chart_settings) -> dict:
	"""The desk sends the chart's own settings (name, filters, time span); this chart has none to apply."""
	return cases_by_month_and_state()


def cases_by_month_and_state(on: datetime.date | None = None) -> dict:
	"""{"labels": the 12 months, "datasets": one per group of states}: always the same datasets in the same
	order, so that each keeps its colour (custom_options in the chart)."""
	first = get_first_day(add_months(getdate(on or today()), -(MONTHS - 1)))
	months = [getdate(add_months(first, number)) for number in range(MONTHS)]
	rows = frappe.get_list(
		"Case",
		filters=[["creation", ">=", first]],
		fields=[
			"year(creation) as opened_year",
			"month(creation) as opened_month",
			"workflow_state",
			"count(*) as cases",
		],
		group_by="opened_year, opened_month, workflow_state",
		order_by=None,
		limit_page_length=0,
	)
	counts = Counter()
	for row in rows:
		counts[(datetime.date(row.opened_year, row.opened_month, 1), group_of(row.workflow_state))] += (
			row.cases
		)
	return {
		"labels": [f"{_(MONTH_NAMES[month.month - 1])} {month.year}" for month in months],
		"datasets": [
			{"name": _(group), "values": [counts[(month, group)] for month in months]} for group in GROUPS
		],
	}


def group_of(state: str) -> str:
	if state in (NEW, TRIAGE):
		return AWAITING_TRIAGE
	return ENDED if state in ENDED_STATES else state
