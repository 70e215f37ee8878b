"""The columns that name a case in the oversight reports: its reference, state and caseworker."""

from frappe import _


def case_columns() -> list[dict]:
	return [
		{"fieldname": "case", "label": _("Case"), "fieldtype": "Link", "options": "Case", "width": 150},
		{"fieldname": "workflow_state", "label": _("State"), "fieldtype": "Data", "width": 120},
		{
			"fieldname": "caseworker",
			"label": _("Caseworker"),
			"fieldtype": "Link",
			"options": "User",
			"width": 200,
		},
	]
