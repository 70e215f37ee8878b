frappe.ui.form.on("Review", {
	refresh(frm) {
		show_case_story(frm);
		if (frm.is_new() || !(frm.doc.systemic_factors || []).length) return;
		frm.add_custom_button(__("Promote a systemic factor"), () => promote_factor(frm));
	},
	case(frm) {
		show_case_story(frm);
	},
});

// What the doctor told us, read-only beside the review; the server sends it only to someone who may read the case.
function show_case_story(frm) {
	const field = frm.get_field("case_story");
	if (!frm.doc.case) {
		field.$wrapper.html(
			`<p class="text-muted">${__("Choose the case to see what the doctor told us.")}</p>`
		);
		return;
	}
	frappe
		.call({ method: "lnb_casework.review.story.case_story", args: { case: frm.doc.case } })
		.then((r) => field.$wrapper.html(story_html(r.message)));
}

function story_html(story) {
	const e = (text) => frappe.utils.escape_html(text || "");
	const list = (items) =>
		items.length
			? `<ul class="mb-3">${items.map((item) => `<li>${item}</li>`).join("")}</ul>`
			: "";
	const about = [story.grade, story.specialty].filter(Boolean).map(e).join(", ");
	const where = [...new Set([story.employer_name, story.organisation].filter(Boolean))].map(e);
	const processes = story.processes.map(
		(p) => e(__(p.process)) + (p.details ? `: ${e(p.details)}` : "")
	);
	const dates = story.key_dates.map(
		(d) => `${e(d.date ? frappe.datetime.str_to_user(d.date) : "")} ${e(d.what)}`
	);
	const discrimination = [__(story.discrimination || "Not answered")]
		.concat(story.discrimination_kinds.map((kind) => __(kind)))
		.map(e)
		.join(", ");
	return `<div class="lnb-case-story border rounded p-3">
		<h5 class="mb-1">${__("What the doctor told us")}</h5>
		<p class="text-muted small mb-3">${__("Case {0}, received {1}, now {2}", [
			frappe.utils.get_form_link("Case", story.name, true, e(story.name)),
			e(frappe.datetime.str_to_user(story.received_on)),
			e(__(story.workflow_state)),
		])}</p>
		${about ? `<p class="mb-1"><strong>${__("The doctor")}:</strong> ${about}</p>` : ""}
		${where.length ? `<p class="mb-3"><strong>${__("Where")}:</strong> ${where.join(", ")}</p>` : ""}
		<h6>${__("What happened")}</h6>
		<p class="mb-3" style="white-space: pre-wrap">${e(story.what_happened)}</p>
		${processes.length ? `<h6>${__("Processes they face")}</h6>${list(processes)}` : ""}
		${dates.length ? `<h6>${__("Key dates")}</h6>${list(dates)}` : ""}
		<p class="mb-1"><strong>${__("Discrimination")}:</strong> ${discrimination}</p>
		${
			story.wellbeing
				? `<p class="mb-0"><strong>${__("Wellbeing")}:</strong> ${e(__(story.wellbeing))}</p>`
				: ""
		}
	</div>`;
}

function promote_factor(frm) {
	const factors = frm.doc.systemic_factors.filter((row) => !row.systemic_issue);
	if (!factors.length) {
		frappe.msgprint(
			__("Every systemic factor of this review is already linked to a systemic issue.")
		);
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
				default: factors.length === 1 ? factors[0].name : undefined,
				options: factors.map((row) => ({
					value: row.name,
					label: [__(row.seips_component), row.organisation, row.description]
						.filter(Boolean)
						.join(", "),
				})),
			},
			{
				fieldname: "issue",
				fieldtype: "Select",
				label: __("Add the case to an existing issue, or start a new one"),
				options: [{ value: "", label: __("A new systemic issue") }],
			},
			{
				fieldname: "title",
				fieldtype: "Data",
				label: __("Title of the new issue"),
				depends_on: "eval:!doc.issue",
				mandatory_depends_on: "eval:!doc.issue",
			},
			{
				fieldname: "description",
				fieldtype: "Small Text",
				label: __("Description of the new issue"),
				description: __(
					"Policy leads read the title and description. Leave out anything that could identify the doctor or the case."
				),
				depends_on: "eval:!doc.issue",
				mandatory_depends_on: "eval:!doc.issue",
			},
		],
		primary_action_label: __("Promote"),
		primary_action(values) {
			frappe
				.call({
					method: "lnb_casework.api.learning.promote",
					args: {
						review: frm.doc.name,
						factor: values.factor,
						issue: values.issue || null,
						title: values.issue ? null : values.title,
						description: values.issue ? null : values.description,
					},
					freeze: true,
				})
				.then((r) => {
					dialog.hide();
					const issue = r.message;
					const link = frappe.utils.get_form_link(
						"Systemic Issue",
						issue.systemic_issue,
						true,
						frappe.utils.escape_html(issue.title)
					);
					frappe.show_alert(
						{
							message: __("Linked to the systemic issue {0}", [link]),
							indicator: "green",
						},
						15
					);
					frm.reload_doc();
				});
		},
	});
	const on_factor_chosen = () => {
		propose_issue_text(frm, dialog);
		offer_matching_issues(frm, dialog);
	};
	dialog.fields_dict.factor.$input.on("change", on_factor_chosen);
	dialog.show();
	on_factor_chosen();
}

function propose_issue_text(frm, dialog) {
	const factor = dialog.get_value("factor");
	if (!factor) return;
	frappe
		.call({
			method: "lnb_casework.api.learning.proposed_issue",
			args: { review: frm.doc.name, factor },
		})
		.then((r) => dialog.set_values(r.message));
}

function offer_matching_issues(frm, dialog) {
	const factor = dialog.get_value("factor");
	if (!factor) return;
	frappe
		.call({
			method: "lnb_casework.api.learning.issues_matching",
			args: { review: frm.doc.name, factor },
		})
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
