// A second coordinator confirms an erasure request (the server refuses the one who asked).
frappe.ui.form.on("Erasure Request", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.status !== "Awaiting confirmation" || frm.doc.confirmed_by) {
			return;
		}
		if (frm.doc.requested_by !== frappe.session.user) {
			frm
				.add_custom_button(__("Confirm and erase"), () => {
					frappe.confirm(
						__("Erase the doctor's identity and free text from {0}? This cannot be undone.", [
							frm.doc.cases.split("\n").join(", "),
						]),
						() => frm.call("confirm").then(() => frm.reload_doc())
					);
				})
				.addClass("btn-danger");
		}
		frm.add_custom_button(__("Withdraw"), () => frm.call("withdraw").then(() => frm.reload_doc()));
	},
});
