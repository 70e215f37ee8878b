frappe.query_reports["Deadlines Due"] = {
	filters: [
		{
			fieldname: "days",
			label: __("Within days"),
			fieldtype: "Int",
			default: frappe.boot.lnb.deadlines_due_days,
		},
	],
};
