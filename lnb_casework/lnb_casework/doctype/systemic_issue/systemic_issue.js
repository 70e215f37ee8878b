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
	},
});

function open_download(method, args) {
	window.open(`/api/method/${method}?${new URLSearchParams(args)}`);
}
