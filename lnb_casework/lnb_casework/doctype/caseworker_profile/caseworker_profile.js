// Frappe's own "Create a new" in a Table MultiSelect box makes the organisation but does not add it to the
// box, so the box offers only known organisations and this button makes a new one and adds it.
frappe.ui.form.on("Caseworker Profile", {
	refresh(frm) {
		frm.toggle_display("add_organisation", frappe.model.can_create("Healthcare Organisation"));
	},
	add_organisation(frm) {
		frappe.ui.form.make_quick_entry("Healthcare Organisation", (organisation) => {
			const known = (frm.doc.organisations || []).map((row) => row.organisation);
			if (!known.includes(organisation.name)) {
				frm.add_child("organisations", { organisation: organisation.name });
				frm.refresh_field("organisations");
				frm.dirty();
			}
		});
	},
});
