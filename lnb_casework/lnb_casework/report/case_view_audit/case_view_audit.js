frappe.query_reports["Case View Audit"] = {
	filters: [
		{ fieldname: "case", label: __("Case"), fieldtype: "Link", options: "Case" },
		{ fieldname: "viewed_by", label: __("Viewed by"), fieldtype: "Link", options: "User" },
		{ fieldname: "from_date", label: __("From date"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To date"), fieldtype: "Date" },
		{
			fieldname: "how",
			label: __("How"),
			fieldtype: "Select",
			options: ["", ...frappe.boot.lnb.options.viewed_through],
		},
	],
};
