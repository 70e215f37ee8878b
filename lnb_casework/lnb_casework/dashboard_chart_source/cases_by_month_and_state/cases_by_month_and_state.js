frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Cases by Month and State"] = {
	method: "lnb_casework.lnb_casework.dashboard_chart_source.cases_by_month_and_state.cases_by_month_and_state.get",
	filters: [],
};
