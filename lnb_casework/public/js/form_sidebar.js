// Loaded with the forms of the app's doctypes (hooks.py, doctype_js): a form's sidebar offers only what the
// server would do for this user.
frappe.provide("lnb_casework.form_sidebar");

// Cases are assigned only by allocating them, and a review follows its case: the server refuses any other
// assignment of either.
lnb_casework.form_sidebar.ASSIGNED_BY_ALLOCATION = ["Case", "Review"];

lnb_casework.form_sidebar.offer_only_what_is_allowed = function (frm) {
	if (!frm.sidebar || !frm.sidebar.sidebar) return;
	const sidebar = frm.sidebar.sidebar;
	sidebar.find(".form-shared").toggleClass("hidden", !frappe.model.can_share(frm.doctype, frm));
	sidebar
		.find(".add-assignment-btn")
		.toggleClass("hidden", lnb_casework.form_sidebar.ASSIGNED_BY_ALLOCATION.includes(frm.doctype));
};

// Frappe evaluates this file with each of those forms' scripts; the listener is added once, and acts on
// every form refreshed after it, so the doctypes are listed only in hooks.py.
if (!lnb_casework.form_sidebar.listening) {
	lnb_casework.form_sidebar.listening = true;
	$(document).on("form-refresh", (_event, frm) =>
		lnb_casework.form_sidebar.offer_only_what_is_allowed(frm)
	);
}
