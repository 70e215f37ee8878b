frappe.query_reports["Deadlines Due"] = {
	filters: [{ fieldname: "days", label: __("Within days"), fieldtype: "Int", default: 30 }],
};
