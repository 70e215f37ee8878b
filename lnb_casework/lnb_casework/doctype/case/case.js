frappe.ui.form.on("Case", {
	refresh(frm) {
		lock_what_the_user_may_not_change(frm);
		show_urgency(frm);
		// who may allocate, and in which states, come from the server (lnb_casework/boot.py)
		const can_allocate =
			!frm.is_new() &&
			frappe.boot.lnb.may_allocate &&
			frappe.boot.lnb.allocatable_states.includes(frm.doc.workflow_state);
		if (can_allocate) {
			const label = frm.doc.caseworker ? __("Reallocate") : __("Allocate");
			frm.add_custom_button(label, () => allocate(frm));
		}
		if (!frm.is_new() && frappe.model.can_create("Subject Access Request")) {
			frm.add_custom_button(__("Subject access export"), () => request_subject_access(frm));
		}
		if (!frm.is_new() && !frm.doc.anonymised_on && frappe.model.can_create("Erasure Request")) {
			frm.add_custom_button(__("Erase the doctor's data"), () => request_erasure(frm));
		}
	},
});

function request_erasure(frm) {
	// a second coordinator confirms it on the Erasure Request (docs/erasure-and-retention.md)
	const dialog = new frappe.ui.Dialog({
		title: __("Erase the doctor's data"),
		fields: [
			{
				fieldtype: "HTML",
				options: `<p>${__(
					"Every case with this email address or GMC number will lose the doctor's identity and free text once a second coordinator confirms. The cases stay, so the reports still count them."
				)}</p>`,
			},
			{
				fieldname: "reason",
				fieldtype: "Small Text",
				label: __("Reason"),
				reqd: 1,
			},
		],
		primary_action_label: __("Ask for erasure"),
		primary_action(values) {
			frappe.db
				.insert({
					doctype: "Erasure Request",
					email: frm.doc.email,
					gmc_number: frm.doc.gmc_number,
					reason: values.reason,
				})
				.then((request) => {
					dialog.hide();
					frappe.set_route("Form", "Erasure Request", request.name);
				});
		},
	});
	dialog.show();
}

function request_subject_access(frm) {
	// everything held about the doctor: every case with this email or GMC number (docs/subject-access.md)
	const dialog = new frappe.ui.Dialog({
		title: __("Subject access export"),
		fields: [
			{
				fieldname: "email",
				fieldtype: "Data",
				options: "Email",
				label: __("Email"),
				default: frm.doc.email,
			},
			{
				fieldname: "gmc_number",
				fieldtype: "Data",
				label: __("GMC number"),
				default: frm.doc.gmc_number,
			},
			{
				fieldname: "received_on",
				fieldtype: "Date",
				label: __("Request received on"),
				reqd: 1,
				default: frappe.datetime.get_today(),
			},
		],
		primary_action_label: __("Make the archive"),
		primary_action(values) {
			frappe.db.insert({ doctype: "Subject Access Request", ...values }).then((request) => {
				dialog.hide();
				frappe.set_route("Form", "Subject Access Request", request.name);
			});
		},
	});
	dialog.show();
}

function lock_what_the_user_may_not_change(frm) {
	// the server says which: what the doctor told us and the coordinator's fields, for a caseworker
	for (const fieldname of (frm.doc.__onload || {}).read_only_fields || []) {
		frm.set_df_property(fieldname, "read_only", 1);
	}
}

function show_urgency(frm) {
	frm.dashboard.clear_headline();
	if (frm.is_new() || frm.doc.priority !== frappe.boot.lnb.urgent_priority) return;
	const message =
		frm.doc.wellbeing === frappe.boot.lnb.urgent_support
			? __("Urgent: the doctor said they need urgent support. Contact them today.")
			: __("Urgent case.");
	frm.dashboard.set_headline_alert(`<strong>${message}</strong>`, "red");
}

function allocate(frm, chosen = {}) {
	let caseworkers = [];
	const dialog = new frappe.ui.Dialog({
		title: __("Allocate {0}", [frm.doc.name]),
		fields: [
			{
				fieldname: "organisation",
				fieldtype: "Link",
				options: "Healthcare Organisation",
				label: __("Healthcare organisation the case concerns"),
				description: __("A caseworker who works for it has a conflict of interest."),
				reqd: 1,
				default: chosen.organisation || frm.doc.organisation,
				onchange: () => load_caseworkers(),
			},
			{
				fieldname: "caseworker",
				fieldtype: "Select",
				label: __("Caseworker"),
				reqd: 1,
				options: [],
				onchange: () => show_profile(),
			},
			{ fieldname: "profile", fieldtype: "HTML" },
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

	const selected = () => caseworkers.find((c) => c.user === dialog.get_value("caseworker"));

	function describe(c) {
		if (!c.has_profile) return __("{0}: no caseworker profile yet", [c.name]);
		return __("{0}: {1} of {2} open cases{3}", [
			c.name,
			c.open_cases,
			c.capacity,
			c.conflict ? __(", conflict of interest") : "",
		]);
	}

	function load_caseworkers() {
		return frappe
			.call({
				method: "lnb_casework.api.casework.caseworkers_for",
				args: { case: frm.doc.name, organisation: dialog.get_value("organisation") || "" },
			})
			.then((r) => {
				const before = dialog.get_value("caseworker") || chosen.caseworker || frm.doc.caseworker;
				caseworkers = r.message || [];
				const field = dialog.get_field("caseworker");
				field.df.options = [
					{ value: "", label: "" },
					...caseworkers.map((c) => ({ value: c.user, label: describe(c) })),
				];
				field.refresh();
				return dialog.set_value(
					"caseworker",
					caseworkers.some((c) => c.user === before) ? before : ""
				);
			})
			.then(() => show_profile());
	}

	function show_profile() {
		const caseworker = selected();
		const wrapper = dialog.get_field("profile").$wrapper.empty();
		dialog.get_primary_btn().prop("disabled", Boolean(caseworker && !caseworker.has_profile));
		if (!caseworker || caseworker.has_profile) return;
		$(`<div class="alert alert-warning">
				<p>${__(
					"{0} has no caseworker profile yet. It records the organisations they work for, so that a conflict of interest shows, and how many cases they can carry.",
					[frappe.utils.escape_html(caseworker.name)]
				)}</p>
				<button class="btn btn-sm btn-primary create-profile">${__(
					"Create their caseworker profile"
				)}</button>
			</div>`)
			.appendTo(wrapper)
			.find(".create-profile")
			.on("click", () => create_profile(frm, dialog, caseworker.user));
	}

	dialog.show();
	load_caseworkers();
}

function create_profile(frm, dialog, user) {
	// after the profile is saved, back to this case with the allocation dialog open where it was left
	const case_name = frm.doc.name;
	const organisation = dialog.get_value("organisation");
	dialog.hide();
	const resume = (loaded) => {
		if (loaded.doctype === "Caseworker Profile") {
			// the saved profile refreshes itself first
			frappe.route_hooks.after_load = resume;
		} else if (loaded.doctype === "Case" && loaded.doc.name === case_name) {
			allocate(loaded, { caseworker: user, organisation });
		}
	};
	frappe.route_hooks.after_save = (profile) => {
		if (profile.doctype !== "Caseworker Profile") return;
		frappe.route_hooks.after_load = resume;
		frappe.set_route("Form", "Case", case_name);
	};
	frappe.new_doc("Caseworker Profile", { user });
}
