frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Systemic Issues by SEIPS Component"] = {
	method: "lnb_casework.lnb_casework.dashboard_chart_source.systemic_issues_by_seips_component.systemic_issues_by_seips_component.get",
	filters: [],
};
