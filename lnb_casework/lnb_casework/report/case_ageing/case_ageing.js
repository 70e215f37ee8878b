frappe.query_reports["Case Ageing"] = {
	filters: [
		{ fieldname: "caseworker", label: __("Caseworker"), fieldtype: "Link", options: "User" },
		{ fieldname: "state", label: __("State"), fieldtype: "Link", options: "Workflow State" },
		{ fieldname: "stalled_only", label: __("Stalled cases only"), fieldtype: "Check", default: 0 },
		{
			fieldname: "include_ended",
			label: __("Include ended cases"),
			fieldtype: "Check",
			default: 0,
		},
	],
};
