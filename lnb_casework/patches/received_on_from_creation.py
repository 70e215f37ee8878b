"""Cases made before "Received on" existed were received the day they were created."""

import frappe
from frappe.query_builder.functions import Date


def execute() -> None:
	case = frappe.qb.DocType("Case")
	frappe.qb.update(case).set(case.received_on, Date(case.creation)).where(case.received_on.isnull()).run()
