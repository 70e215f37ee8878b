// The states and action types are those of the Advocacy Action doctype and its workflow.
frappe.query_reports["Advocacy Pipeline"] = {
	filters: [
		{
			fieldname: "state",
			label: __("State"),
			fieldtype: "Select",
			options: ["", "Planned", "In Progress", "Completed", "Abandoned"],
		},
		{
			fieldname: "action_type",
			label: __("Action type"),
			fieldtype: "Select",
			options: [
				"",
				"Letter to an organisation",
				"Meeting",
				"Regulator engagement",
				"Policy consultation response",
				"Parliamentary work",
				"Media",
				"Publication",
				"Other",
			],
		},
		{ fieldname: "responsible", label: __("Responsible"), fieldtype: "Link", options: "User" },
		{ fieldname: "overdue_only", label: __("Overdue only"), fieldtype: "Check", default: 0 },
	],
};
