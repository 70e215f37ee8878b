frappe.query_reports["Caseload"] = {
	filters: [
		{ fieldname: "caseworker", label: __("Caseworker"), fieldtype: "Link", options: "User" },
		{ fieldname: "state", label: __("State"), fieldtype: "Link", options: "Workflow State" },
	],
};
