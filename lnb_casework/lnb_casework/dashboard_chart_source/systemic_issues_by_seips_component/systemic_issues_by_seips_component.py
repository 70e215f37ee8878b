"""Systemic issues by the SEIPS work-system component they name, open and ended (an issue naming
several components counts under each).

Read through frappe.get_list, so the Systemic Issue permissions apply.

The chart (its custom_options) labels the y axis with plain numbers, not Frappe's shortened ones, which
print 200 as "200.00", and lets the axis reach at least 11: frappe-charts divides an axis whose top is
1, 2 or 10 into quarters (0.25, 0.5 or 2.5 apart), and from 11 up every step is a whole number.
"""

import frappe
from frappe import _

from lnb_casework.learning.workflows import ENDED_ISSUE_STATES
from lnb_casework.lnb_casework.doctype.seips_component.seips_component import seips_components

COMPONENTS = "Systemic Issue SEIPS Component"


@frappe.whitelist()
def get(**chart_settings) -> dict:
	"""The desk sends the chart's own settings (name, filters, time span); this chart has none to apply."""
	return systemic_issues_by_seips_component()


def systemic_issues_by_seips_component() -> dict:
	components = seips_components()
	rows = frappe.get_list(
		"Systemic Issue",
		fields=["name", "workflow_state", f"`tab{COMPONENTS}`.`seips_component` as component"],
		order_by=None,
		limit_page_length=0,
	)
	open_issues = {component: set() for component in components}
	ended_issues = {component: set() for component in components}
	for row in rows:
		if row.component in open_issues:
			(ended_issues if row.workflow_state in ENDED_ISSUE_STATES else open_issues)[row.component].add(
				row.name
			)
	return {
		"labels": [_(component) for component in components],
		"datasets": [
			{"name": _("Open"), "values": [len(open_issues[c]) for c in components]},
			{"name": _("Resolved or closed"), "values": [len(ended_issues[c]) for c in components]},
		],
	}
