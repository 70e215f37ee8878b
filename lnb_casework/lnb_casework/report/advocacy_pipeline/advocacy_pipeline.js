// The states and action types are those of the Advocacy Action doctype and its workflow, sent by the server
// (lnb_casework/boot.py).
frappe.query_reports["Advocacy Pipeline"] = {
	filters: [
		{
			fieldname: "state",
			label: __("State"),
			fieldtype: "Select",
			options: ["", ...frappe.boot.lnb.action_states],
		},
		{
			fieldname: "action_type",
			label: __("Action type"),
			fieldtype: "Select",
			options: ["", ...frappe.boot.lnb.options.action_type],
		},
		{ fieldname: "responsible", label: __("Responsible"), fieldtype: "Link", options: "User" },
		{ fieldname: "overdue_only", label: __("Overdue only"), fieldtype: "Check", default: 0 },
	],
};
