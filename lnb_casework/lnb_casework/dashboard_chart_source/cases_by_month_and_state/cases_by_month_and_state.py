"""Cases opened in each of the last 12 months, by the state each is in now.

Read through frappe.get_list, so the Case row rule applies: a caseworker's chart shows their own cases.
"""

import datetime
from collections import Counter

import frappe
from frappe import _
from frappe.utils import add_months, get_first_day, getdate, today

from lnb_casework.casework.rules import ENDED_STATES, OPEN_STATES

MONTHS = 12
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@frappe.whitelist()
def get(
	chart_name=None,
	chart=None,
	no_cache=None,
	filters=None,
	from_date=None,
	to_date=None,
	timespan=None,
	time_interval=None,
	heatmap_year=None,
) -> dict:
	return cases_by_month_and_state()


def cases_by_month_and_state(on: datetime.date | None = None) -> dict:
	first = get_first_day(add_months(getdate(on or today()), -(MONTHS - 1)))
	months = [getdate(add_months(first, number)) for number in range(MONTHS)]
	cases = frappe.get_list(
		"Case",
		filters=[["creation", ">=", first]],
		fields=["creation", "workflow_state"],
		order_by=None,
		limit_page_length=0,
	)
	counts = Counter((month_of(case.creation), case.workflow_state) for case in cases)
	states = [state for state in (*OPEN_STATES, *ENDED_STATES) if any(s == state for _m, s in counts)]
	return {
		"labels": [f"{_(MONTH_NAMES[month.month - 1])} {month.year}" for month in months],
		"datasets": [
			{"name": _(state), "values": [counts[(month, state)] for month in months]} for state in states
		],
	}


def month_of(moment) -> datetime.date:
	return getdate(moment).replace(day=1)
