frappe.ui.form.on("Systemic Issue", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("Download learning summary"), () => {
			window.open(
				`/api/method/lnb_casework.learning.summary.download_learning_summary?issue=${encodeURIComponent(frm.doc.name)}`
			);
		});
	},
});
