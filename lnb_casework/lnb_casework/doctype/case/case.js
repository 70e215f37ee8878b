frappe.ui.form.on("Case", {
	refresh(frm) {
		const can_allocate =
			!frm.is_new() &&
			(frappe.user.has_role("LNB Coordinator") || frappe.user.has_role("System Manager")) &&
			["Triage", "Allocated", "Under Review", "Active Support", "Advocacy"].includes(frm.doc.workflow_state);
		if (can_allocate) {
			const label = frm.doc.caseworker ? __("Reallocate") : __("Allocate");
			frm.add_custom_button(label, () => allocate(frm));
		}
	},
});

function allocate(frm) {
	frappe.call({ method: "lnb_casework.api.casework.caseworkers_for", args: { case: frm.doc.name } }).then((r) => {
		const caseworkers = r.message || [];
		const describe = (c) =>
			c.has_profile
				? __("{0}: {1} of {2} open cases{3}", [
						c.name,
						c.open_cases,
						c.capacity,
						c.conflict ? __(", conflict of interest") : "",
				  ])
				: __("{0}: no caseworker profile", [c.name]);
		const dialog = new frappe.ui.Dialog({
			title: __("Allocate {0}", [frm.doc.name]),
			fields: [
				{
					fieldname: "caseworker",
					fieldtype: "Select",
					label: __("Caseworker"),
					reqd: 1,
					options: caseworkers.map((c) => ({ value: c.user, label: describe(c) })),
				},
				{
					fieldname: "override_reason",
					fieldtype: "Small Text",
					label: __("Reason, if allocating despite a conflict of interest or a full caseload"),
				},
			],
			primary_action_label: __("Allocate"),
			primary_action(values) {
				frappe
					.call({
						method: "lnb_casework.api.casework.allocate",
						args: { case: frm.doc.name, ...values },
						freeze: true,
					})
					.then(() => {
						dialog.hide();
						frm.reload_doc();
					});
			},
		});
		dialog.show();
	});
}
