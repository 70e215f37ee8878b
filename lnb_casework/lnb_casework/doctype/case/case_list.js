// The state is the row's indicator (the workflow's); an urgent case is marked red in its Priority column,
// a high one orange (the colours by priority come from lnb_casework/boot.py).
frappe.listview_settings["Case"] = {
	add_fields: ["priority", "workflow_state"],
	formatters: {
		priority(value) {
			if (!value) return "";
			const colour = frappe.boot.lnb.priority_colours[value] || "gray";
			return `<span class="indicator-pill ${colour} ellipsis">${frappe.utils.escape_html(
				__(value)
			)}</span>`;
		},
	},
};
