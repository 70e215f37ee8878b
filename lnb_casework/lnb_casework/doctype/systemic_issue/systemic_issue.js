const LEARNING_SUMMARY_FORMAT = "Anonymised Learning Summary";

frappe.ui.form.on("Systemic Issue", {
	refresh(frm) {
		if (frm.is_new()) return;
		const group = __("Learning summary");
		frm.add_custom_button(
			__("Spreadsheet (CSV)"),
			() => open_download("lnb_casework.learning.summary.download_learning_summary", { issue: frm.doc.name }),
			group
		);
		if (frappe.model.can_print(frm.doctype, frm)) {
			frm.add_custom_button(
				__("PDF"),
				() =>
					open_download("frappe.utils.print_format.download_pdf", {
						doctype: frm.doctype,
						name: frm.doc.name,
						format: LEARNING_SUMMARY_FORMAT,
						no_letterhead: 1,
					}),
				group
			);
		}
		if (frappe.model.can_create("Advocacy Action")) {
			frm.add_custom_button(__("Advocacy action"), () => new_advocacy_action(frm.doc), __("Create"));
		}
	},
});

function new_advocacy_action(issue) {
	frappe.model.with_doctype("Advocacy Action", () => {
		const action = frappe.model.get_new_doc("Advocacy Action");
		frappe.model.add_child(action, "systemic_issues").systemic_issue = issue.name;
		// the issue shows by its pattern, as everywhere else
		frappe.utils.add_link_title("Systemic Issue", issue.name, issue.title);
		frappe.set_route("Form", "Advocacy Action", action.name);
	});
}

function open_download(method, args) {
	window.open(`/api/method/${method}?${new URLSearchParams(args)}`);
}
