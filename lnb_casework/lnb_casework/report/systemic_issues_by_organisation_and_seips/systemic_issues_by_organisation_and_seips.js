// The states, severities and SEIPS components are those of the Systemic Issue doctype and its workflow, sent
// by the server (lnb_casework/boot.py).
frappe.query_reports["Systemic Issues by Organisation and SEIPS"] = {
	filters: [
		{
			fieldname: "state",
			label: __("State"),
			fieldtype: "Select",
			options: [
				{ value: frappe.boot.lnb.issue_filter.open, label: __("Open (not resolved or closed)") },
				{ value: frappe.boot.lnb.issue_filter.all, label: __("All") },
				...frappe.boot.lnb.issue_states,
			],
			default: frappe.boot.lnb.issue_filter.open,
		},
		{
			fieldname: "severity",
			label: __("Severity"),
			fieldtype: "Select",
			options: ["", ...frappe.boot.lnb.options.severity],
		},
		{
			fieldname: "organisation",
			label: __("Organisation"),
			fieldtype: "Link",
			options: "Healthcare Organisation",
		},
		{
			fieldname: "seips_component",
			label: __("SEIPS component"),
			fieldtype: "Select",
			options: ["", ...frappe.boot.lnb.options.seips_component],
		},
	],
};
