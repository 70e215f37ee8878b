// Who the doctors are, and the kinds of discrimination they report: two views, never mixed.
// (Wrapped in a function: Frappe evaluates report scripts in the page's global scope.)
(() => {
	// The views, and the calendar years that have ended (the server refuses any other period, so that a
	// published year never changes: see docs/disclosure-control.md), as the server names them.
	const { views, ended_years: ENDED_YEARS } = frappe.boot.lnb.equality_report;
	const [WHO, KINDS] = views;
	const MODULE =
		"lnb_casework.lnb_casework.report.discrimination_and_disproportionality.discrimination_and_disproportionality";

	frappe.query_reports["Discrimination and Disproportionality"] = {
		filters: [
			{
				fieldname: "period",
				label: __("Year (ended)"),
				fieldtype: "Select",
				options: ENDED_YEARS,
				default: ENDED_YEARS[0],
				reqd: 1,
			},
			{
				fieldname: "view",
				label: __("View"),
				fieldtype: "Select",
				options: [
					{ value: WHO, label: __(WHO) },
					{ value: KINDS, label: __(KINDS) },
				],
				default: WHO,
				reqd: 1,
			},
			{
				fieldname: "question",
				label: __("Question in the chart"),
				fieldtype: "Select",
				options: [""],
				depends_on: `eval:doc.view == "${WHO}"`,
			},
		],

		onload(report) {
			// the questions are named in one place, on the server
			frappe.xcall(`${MODULE}.question_labels`).then((questions) => {
				const filter = report.get_filter("question");
				filter.df.options = [{ value: "", label: "" }, ...questions];
				// only the options: a refresh could run the report again while it is being drawn
				filter.set_options();
			});
		},

		formatter(value, row, column, data, default_formatter) {
			value = default_formatter(value, row, column, data);
			return data && data.bold ? `<b>${value}</b>` : value;
		},
	};
})();
