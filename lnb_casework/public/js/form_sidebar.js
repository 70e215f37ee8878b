// Loaded with the form of each of the app's doctypes (hooks.py, doctype_js): the form's sidebar offers only
// what the server would do for this user.
frappe.provide("lnb_casework.form_sidebar");

// Cases are assigned only by allocating them, and a review follows its case: the server refuses any other
// assignment of either.
lnb_casework.form_sidebar.ASSIGNED_BY_ALLOCATION = ["Case", "Review"];
lnb_casework.form_sidebar.DOCTYPES = [
	"Case",
	"Review",
	"Systemic Issue",
	"Advocacy Action",
	"Healthcare Organisation",
];

lnb_casework.form_sidebar.offer_only_what_is_allowed = function (frm) {
	if (!frm.sidebar || !frm.sidebar.sidebar) return;
	const sidebar = frm.sidebar.sidebar;
	sidebar.find(".form-shared").toggleClass("hidden", !frappe.model.can_share(frm.doctype, frm));
	sidebar
		.find(".add-assignment-btn")
		.toggleClass("hidden", lnb_casework.form_sidebar.ASSIGNED_BY_ALLOCATION.includes(frm.doctype));
};

// Frappe evaluates this file with each of these forms' scripts; the handlers are registered once.
if (!lnb_casework.form_sidebar.registered) {
	lnb_casework.form_sidebar.registered = true;
	for (const doctype of lnb_casework.form_sidebar.DOCTYPES) {
		frappe.ui.form.on(doctype, { refresh: lnb_casework.form_sidebar.offer_only_what_is_allowed });
	}
}
