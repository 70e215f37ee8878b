"""Case View Audit: who read which case or review, when and how (docs/view-audit.md), for one case (its
reviews with it) or one person, over a period.

Only those who see every case run it (its roles); it reads the View Logs past their permissions, which
give no casework role any access to them.
"""

import datetime

import frappe
from frappe import _
from frappe.query_builder import Order

from lnb_casework.audit.views import AUDITED_DOCTYPES, HOW_FIELD, WAYS_OF_VIEWING
from lnb_casework.oversight.report_filters import choice, date_of, name_of, refuse, report_filters
from lnb_casework.permissions import sees_every_case


def execute(filters: dict | None = None):
	if not sees_every_case():
		raise frappe.PermissionError(_("Only coordinators see who viewed cases."))
	filters = report_filters(filters)
	case = name_of(filters, "case", "Case")
	viewed_by = name_of(filters, "viewed_by", "Viewed by")
	how = choice(filters, "how", "How", WAYS_OF_VIEWING)
	from_date, to_date = date_of(filters, "from_date", "From date"), date_of(filters, "to_date", "To date")
	if from_date and to_date and from_date > to_date:
		refuse(_("From date must not be after To date."))

	view_log, review = frappe.qb.DocType("View Log"), frappe.qb.DocType("Review")
	query = (
		frappe.qb.from_(view_log)
		.select(
			view_log.creation.as_("viewed_on"),
			view_log.viewed_by,
			view_log[HOW_FIELD].as_("how"),
			view_log.reference_doctype,
			view_log.reference_name,
		)
		.where(view_log.reference_doctype.isin(AUDITED_DOCTYPES))
		.orderby(view_log.creation, order=Order.desc)
		.orderby(view_log.name, order=Order.desc)
	)
	if case:
		reviews = frappe.qb.from_(review).select(review.name).where(review.case == case)
		query = query.where(
			((view_log.reference_doctype == "Case") & (view_log.reference_name == case))
			| ((view_log.reference_doctype == "Review") & view_log.reference_name.isin(reviews))
		)
	if viewed_by:
		query = query.where(view_log.viewed_by == viewed_by)
	if how:
		query = query.where(view_log[HOW_FIELD] == how)
	if from_date:
		query = query.where(view_log.creation >= from_date)
	if to_date:
		query = query.where(view_log.creation < to_date + datetime.timedelta(days=1))
	rows = query.run(as_dict=True)
	for row in rows:
		row.how = _(row.how) if row.how else _("Not recorded")
	return columns(), rows


def columns() -> list[dict]:
	return [
		{"fieldname": "viewed_on", "label": _("When"), "fieldtype": "Datetime", "width": 170},
		{"fieldname": "viewed_by", "label": _("Who"), "fieldtype": "Link", "options": "User", "width": 220},
		{"fieldname": "how", "label": _("How"), "fieldtype": "Data", "width": 130},
		# not a Link to DocType: Frappe would check that the user may read DocTypes
		{"fieldname": "reference_doctype", "label": _("Document type"), "fieldtype": "Data", "width": 120},
		{
			"fieldname": "reference_name",
			"label": _("Document"),
			"fieldtype": "Dynamic Link",
			"options": "reference_doctype",
			"width": 170,
		},
	]
