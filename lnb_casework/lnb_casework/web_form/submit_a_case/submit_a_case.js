// The intake form's own behaviour: consent wording, documents, problems shown beside each answer,
// and a confirmation page with the case reference. Rendered through Jinja (see submit_a_case.py).
const lnb_intake = {{ lnb_intake | tojson }};

frappe.ready(() => {
	const web_form = frappe.web_form;
	const files = { chosen: [], reading: null };

	show_consent_wording();
	make_document_picker();

	web_form.validate = () => {
		clear_problems();
		if (files.reading) {
			show_problems({
				lnb_attachments: __("Your documents are still loading. Please wait a moment and send again."),
			});
			return false;
		}
		web_form.doc.lnb_attachments = files.chosen;
		web_form.doc.lnb_consent_version = lnb_intake.consent_version;
		return true;
	};

	web_form.handle_success = (data) => show_confirmation(data);

	// the website's frappe.call posts to "/" and names the method in a header
	$(document).ajaxComplete((event, xhr, settings) => {
		const method = (settings.headers && settings.headers["X-Frappe-CMD"]) || "";
		const answer = xhr.responseJSON;
		if (method.endsWith("web_form.accept") && answer && answer.field_problems) {
			show_problems(answer.field_problems);
		}
	});

	function show_consent_wording() {
		$(".lnb-consent-wording").text(lnb_intake.consent_wording);
	}

	function make_document_picker() {
		const $area = $(".lnb-attachments");
		const hint = __(
			"You may attach up to {0} files of up to {1} MB each ({2} MB in all): letters, emails, reports or notes. PDF, Word, OpenDocument, RTF, text, JPEG or PNG.",
			[lnb_intake.max_attachments, lnb_intake.max_attachment_size_mb, lnb_intake.most_mb_in_all]
		);
		$area.html(`
			<label class="control-label" for="lnb-files">${__("Attach documents (optional)")}</label>
			<p class="help-box small text-muted">${frappe.utils.escape_html(hint)}</p>
			<input id="lnb-files" name="lnb-files" type="file" multiple
				accept="${lnb_intake.accepted_extensions.join(",")}">
			<ul class="lnb-chosen-files small"></ul>
		`);
		$area.find("input[type=file]").on("change", (event) => {
			clear_problems("lnb_attachments");
			files.reading = read_files(Array.from(event.target.files || []));
		});
	}

	async function read_files(chosen) {
		const $list = $(".lnb-chosen-files").empty();
		files.chosen = await Promise.all(chosen.map(read_file));
		files.chosen.forEach((file) => $("<li>").text(file.file_name).appendTo($list));
		files.reading = null;
	}

	function read_file(file) {
		return new Promise((resolve, reject) => {
			const reader = new FileReader();
			reader.onload = () => resolve({ file_name: file.name, content: reader.result });
			reader.onerror = () => reject(reader.error);
			reader.readAsDataURL(file);
		});
	}

	function field_wrapper(fieldname) {
		const wrappers = {
			lnb_attachments: "attachments_html",
			lnb_consent_version: "consent_given",
		};
		const field = web_form.fields_dict[wrappers[fieldname] || fieldname];
		return field && field.$wrapper;
	}

	function show_problems(problems) {
		let first = null;
		Object.entries(problems).forEach(([fieldname, message]) => {
			const $wrapper = field_wrapper(fieldname);
			if (!$wrapper) return;
			$wrapper.find(".lnb-field-problem").remove();
			$wrapper.addClass("has-error");
			$("<div class='lnb-field-problem' role='alert'>")
				.attr("data-fieldname", fieldname)
				.text(message)
				.appendTo($wrapper);
			first = first || $wrapper;
		});
		if (first) {
			first[0].scrollIntoView({ behavior: "smooth", block: "center" });
		}
	}

	function clear_problems(fieldname) {
		const $scope = fieldname ? field_wrapper(fieldname) : $(".web-form-wrapper");
		if (!$scope) return;
		$scope.find(".lnb-field-problem").remove();
		$scope.find(".has-error").addBack(".has-error").removeClass("has-error");
	}

	function show_confirmation(data) {
		$(".web-form-container").hide();
		const $page = $(".success-page").removeClass("hide");
		$page.find(".success-title").text(__("Thank you: we have your case"));
		const $message = $page.find(".success-message").empty();
		$("<p>").text(__("Your case reference is")).appendTo($message);
		$("<p class='lnb-reference'>").text(data.name).appendTo($message);
		if (data.urgent && data.signposting) {
			$("<div class='lnb-signposting' role='alert'>")
				.append($("<strong>").text(__("You told us you need urgent support.")))
				.append($("<p>").text(__("A coordinator has been told now. If you need help straight away:")))
				.append($("<p>").text(data.signposting))
				.appendTo($message);
		}
		const $next = $("<div class='lnb-next-steps'>").appendTo($message);
		$("<h3>").text(__("What happens next")).appendTo($next);
		const $steps = $("<ol>").appendTo($next);
		[
			__("We have emailed you this reference. Please quote it whenever you contact us."),
			__("A coordinator reads every new case, usually within five working days."),
			__("A volunteer doctor will then contact you in the way you asked, to talk it through and agree how we can help."),
		].forEach((step) => $("<li>").text(step).appendTo($steps));
		window.scrollTo(0, 0);
	}
});
