// While the archive is made, the form shows the job's progress (realtime) and looks again every few
// seconds, since realtime may not reach the browser; once it is ready, it links to the archive.
const LOOK_AGAIN_MS = 3000;

frappe.ui.form.on("Subject Access Request", {
	refresh(frm) {
		frm.dashboard.clear_headline();
		if (frm.is_new()) return;
		if (frm.doc.status === "Queued") {
			show_progress(frm, 0, __("Gathering everything held about the doctor…"));
			look_again_later(frm);
		} else if (frm.doc.status === "Ready" && frm.doc.archive) {
			frm.dashboard.set_headline_alert(
				`<a class="subject-access-archive" href="${encodeURI(frm.doc.archive)}" download>${__(
					"Download the archive"
				)}</a>`,
				"green"
			);
		} else if (frm.doc.status === "Failed") {
			frm.dashboard.set_headline_alert(frappe.utils.escape_html(frm.doc.failure || ""), "red");
		}
	},
	onload(frm) {
		frappe.realtime.on("progress", (data) => {
			if (frm.doc.status !== "Queued" || !data || data.percent == null) return;
			show_progress(frm, data.percent, data.description || "");
		});
	},
});

function show_progress(frm, percent, description) {
	frm.dashboard.show_progress(__("Subject access archive"), percent, description);
}

function look_again_later(frm) {
	const name = frm.doc.name;
	clearTimeout(frm.subject_access_look_again);
	frm.subject_access_look_again = setTimeout(() => {
		if (cur_frm !== frm || frm.doc.name !== name || frm.doc.status !== "Queued") return;
		frappe.db.get_value("Subject Access Request", { name }, "status").then((r) => {
			const status = r.message && r.message.status;
			if (status && status !== "Queued") frm.reload_doc();
			else look_again_later(frm);
		});
	}, LOOK_AGAIN_MS);
}
