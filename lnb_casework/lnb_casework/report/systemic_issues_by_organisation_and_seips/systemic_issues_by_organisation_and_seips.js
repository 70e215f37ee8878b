// The states, severities and SEIPS components are those of the Systemic Issue doctype and its workflow.
frappe.query_reports["Systemic Issues by Organisation and SEIPS"] = {
	filters: [
		{
			fieldname: "state",
			label: __("State"),
			fieldtype: "Select",
			options: [
				{ value: "Open", label: __("Open (not resolved or closed)") },
				{ value: "All", label: __("All") },
				"Identified",
				"Under Analysis",
				"Escalated",
				"Being Addressed",
				"Resolved",
				"Closed",
			],
			default: "Open",
		},
		{
			fieldname: "severity",
			label: __("Severity"),
			fieldtype: "Select",
			options: ["", "Low", "Medium", "High", "Critical"],
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
			options: [
				"",
				"Person(s)",
				"Tasks",
				"Tools and technology",
				"Organisation",
				"Internal environment",
				"External environment",
			],
		},
	],
};
