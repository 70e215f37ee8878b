frappe.ui.form.on("Review", {
	refresh(frm) {
		if (frm.is_new() || !(frm.doc.systemic_factors || []).length) return;
		frm.add_custom_button(__("Promote a systemic factor"), () => promote_factor(frm));
	},
});

function promote_factor(frm) {
	const factors = frm.doc.systemic_factors.filter((row) => !row.systemic_issue);
	if (!factors.length) {
		frappe.msgprint(__("Every systemic factor of this review is already linked to a systemic issue."));
		return;
	}
	const dialog = new frappe.ui.Dialog({
		title: __("Promote a systemic factor"),
		fields: [
			{
				fieldname: "factor",
				fieldtype: "Select",
				label: __("Systemic factor"),
				reqd: 1,
				options: factors.map((row) => ({
					value: row.name,
					label: [__(row.seips_component), row.organisation].filter(Boolean).join(", "),
				})),
			},
			{
				fieldname: "issue",
				fieldtype: "Select",
				label: __("Add the case to an existing issue, or leave empty to start a new one"),
			},
		],
		primary_action_label: __("Promote"),
		primary_action(values) {
			frappe
				.call({
					method: "lnb_casework.api.learning.promote",
					args: { review: frm.doc.name, factor: values.factor, issue: values.issue || null },
					freeze: true,
				})
				.then((r) => {
					dialog.hide();
					frappe.show_alert({ message: __("Linked to {0}", [r.message.systemic_issue]), indicator: "green" });
					frm.reload_doc();
				});
		},
	});
	dialog.fields_dict.factor.$input.on("change", () => offer_matching_issues(frm, dialog));
	dialog.show();
	offer_matching_issues(frm, dialog);
}

function offer_matching_issues(frm, dialog) {
	const factor = dialog.get_value("factor");
	if (!factor) return;
	frappe
		.call({ method: "lnb_casework.api.learning.issues_matching", args: { review: frm.doc.name, factor } })
		.then((r) => {
			const options = [{ value: "", label: __("A new systemic issue") }].concat(
				(r.message || []).map((issue) => ({
					value: issue.name,
					label: __("{0} ({1} cases)", [issue.title, issue.case_count]),
				}))
			);
			dialog.set_df_property("issue", "options", options);
		});
}
