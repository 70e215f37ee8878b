// The intake form's own behaviour: consent wording, documents, a simple block of rows for each list of
// answers (processes, dates, kinds of discrimination) in place of Frappe's grid, which does not fit a phone,
// problems shown beside each answer once the doctor has left it or sent the form, and a confirmation page
// with the case reference. Rendered through Jinja (see submit_a_case.py). The server checks every answer:
// this script only asks it, and shows what it says.
const lnb_intake = {{ lnb_intake | tojson }};

frappe.ready(() => {
	const web_form = frappe.web_form;
	const files = { chosen: [], reading: null };
	const rows = {};
	const CHECK_DELAY_MS = 300;

	show_consent_wording();
	make_document_picker();
	Object.keys(lnb_intake.row_blocks).forEach(make_row_block);
	ask_kinds_of_discrimination_only_when_it_may_have_played_a_part();
	check_answers_as_they_are_left();

	send_through_the_intakes_own_endpoint();

	// The form is sent to the intake's own endpoint (lnb_casework.api.intake.submit), which checks every
	// answer; Frappe's web form endpoint is not used. A tap on "Send my case" is taken before it becomes the
	// form's submit event, so the web form's own save never runs.
	function send_through_the_intakes_own_endpoint() {
		let sending = false;
		const $send = $(".web-form-footer .submit-btn");
		$send.on("click", (event) => {
			event.preventDefault();
			if (sending) return;
			const answers = ready_answers();
			if (!answers) return;
			sending = true;
			frappe.call({
				method: "lnb_casework.api.intake.submit",
				type: "POST",
				args: { data: answers },
				btn: $send,
				freeze: true,
				callback: (answer) => show_confirmation(answer.message),
				always: (answer) => {
					sending = false;
					if (answer && answer.field_problems) show_problems(answer.field_problems);
				},
			});
		});
	}

	// What is sent: the form's answers, its blocks of rows, the documents and the consent wording's
	// version; null (with each problem shown) when an answer is missing or documents are still loading.
	function ready_answers() {
		clear_problems();
		const blank = blank_answers();
		if (files.reading) {
			blank.lnb_attachments = __(
				"Your documents are still loading. Please wait a moment and send again."
			);
		}
		if (Object.keys(blank).length) {
			show_problems(blank);
			frappe.msgprint({
				title: __("Please check your answers"),
				message: __("Some answers are still needed. Each says what it needs, beside it."),
				indicator: "red",
			});
			return null;
		}
		const answers = web_form.get_values();
		if (!answers) return null;
		Object.keys(rows).forEach((table) => {
			answers[table] = block_is_shown(table) ? answered_rows(table) : [];
		});
		answers.lnb_attachments = files.chosen;
		answers.lnb_consent_version = lnb_intake.consent_version;
		return answers;
	}

	function show_consent_wording() {
		const $wording = $(".lnb-consent-wording").text(lnb_intake.consent_wording);
		const address = lnb_intake.contact_address;
		$("<p class='lnb-contact'>")
			.append(
				document.createTextNode(
					__("To ask us anything, or to withdraw your consent at any time, email") + " "
				)
			)
			.append($("<a>").attr("href", `mailto:${address}`).text(address))
			.append(".")
			.insertAfter($wording);
	}

	// ---- answers checked by the server as the doctor leaves them, and again as they correct one

	function check_answers_as_they_are_left() {
		const waiting = {};
		lnb_intake.checked_alone.forEach((fieldname) => {
			const field = web_form.fields_dict[fieldname];
			if (!field) return;
			field.$wrapper.on("focusout", "input, textarea, select", () => check_answer(fieldname));
			field.$wrapper.on("input change", "input, textarea, select", () => {
				if (!shows_problem(fieldname)) return;
				clearTimeout(waiting[fieldname]);
				waiting[fieldname] = setTimeout(() => check_answer(fieldname), CHECK_DELAY_MS);
			});
		});
		web_form.fields_dict.consent_given.$wrapper.on("change", "input", (event) => {
			if (event.target.checked) clear_problems("consent_given");
		});
	}

	function check_answer(fieldname) {
		const value = answer_of(fieldname);
		frappe
			.call({
				method: "lnb_casework.api.intake.answer_problem",
				type: "POST",
				args: { fieldname, value },
			})
			.then((answer) => {
				if (answer_of(fieldname) !== value) return; // the doctor has typed on; a later check follows
				if (answer.message) {
					show_problems({ [fieldname]: answer.message }, { scroll: false });
				} else {
					clear_problems(fieldname);
				}
			});
	}

	function answer_of(fieldname) {
		const value = web_form.fields_dict[fieldname].get_value();
		return value === null || value === undefined ? "" : String(value);
	}

	function blank_answers() {
		const blank = {};
		Object.entries(lnb_intake.problems_when_blank).forEach(([fieldname, message]) => {
			const field = web_form.fields_dict[fieldname];
			const value = field && field.get_value();
			if (field && (!value || !String(value).trim())) blank[fieldname] = message;
		});
		return blank;
	}

	// ---- blocks of rows: one simple block per process, date or kind of discrimination

	function make_row_block(table) {
		const block = lnb_intake.row_blocks[table];
		const $area = $(`.lnb-rows[data-table="${table}"]`);
		rows[table] = [];
		$area.empty().attr({ role: "group", "aria-labelledby": `lnb-${table}-label` });
		$("<div class='control-label lnb-rows-label'>")
			.attr("id", `lnb-${table}-label`)
			.text(block.label)
			.appendTo($area);
		$("<p class='help-box small text-muted'>").text(block.description).appendTo($area);
		$("<div class='lnb-row-list'>").appendTo($area);
		$("<button type='button' class='btn btn-default btn-sm lnb-add-row'>")
			.text(`+ ${block.add}`)
			.on("click", () => add_row(table))
			.appendTo($area);
		render_rows(table);
	}

	function add_row(table) {
		rows[table].push({});
		clear_problems(table);
		render_rows(table);
		const $new_row = block_area(table).find(".lnb-row").last();
		$new_row.find("select, input").first().trigger("focus");
	}

	function remove_row(table, index) {
		rows[table].splice(index, 1);
		clear_problems(table);
		render_rows(table);
		block_area(table).find(".lnb-add-row").trigger("focus");
	}

	function render_rows(table) {
		const block = lnb_intake.row_blocks[table];
		const $area = block_area(table);
		const $list = $area.find(".lnb-row-list").empty();
		if (!rows[table].length) {
			$("<p class='lnb-no-rows small text-muted'>").text(block.empty).appendTo($list);
		}
		rows[table].forEach((row, index) => {
			const title = __(block.row, [index + 1]);
			const $row = $("<fieldset class='lnb-row'>")
				.attr({ "data-table": table, "data-row": index + 1 })
				.appendTo($list);
			$("<legend class='lnb-row-title'>").text(title).appendTo($row);
			block.columns.forEach((column) => {
				const id = `lnb-${table}-${index + 1}-${column.fieldname}`;
				const $group = $("<div class='form-group'>").appendTo($row);
				$("<label class='control-label'>")
					.attr("for", id)
					.toggleClass("reqd", Boolean(column.reqd))
					.text(column.label)
					.appendTo($group);
				make_input(column, id, row[column.fieldname])
					.attr("data-column", column.fieldname)
					.on("input change", (event) => {
						row[column.fieldname] = event.target.value;
						if (shows_problem(table)) clear_problems(table);
					})
					.appendTo($group);
			});
			$("<button type='button' class='btn btn-link btn-sm lnb-remove-row'>")
				.text(block.remove)
				.attr("aria-label", `${block.remove}: ${title}`)
				.on("click", () => remove_row(table, index))
				.appendTo($row);
		});
		$area.find(".lnb-add-row").prop("disabled", rows[table].length >= block.most);
	}

	function make_input(column, id, value) {
		let $input;
		if (column.fieldtype === "Select") {
			$input = $("<select class='form-control'>");
			column.options.forEach((option) =>
				$("<option>").attr("value", option.value).text(option.label).appendTo($input)
			);
		} else {
			$input = $("<input class='form-control'>").attr(
				"type",
				column.fieldtype === "Date" ? "date" : "text"
			);
		}
		return $input.attr({ id, name: id }).val(value || "");
	}

	function answered_rows(table) {
		const columns = lnb_intake.row_blocks[table].columns.map((column) => column.fieldname);
		return rows[table].map((row) =>
			Object.fromEntries(columns.map((column) => [column, (row[column] || "").trim()]))
		);
	}

	function block_area(table) {
		return $(`.lnb-rows[data-table="${table}"]`);
	}

	function block_is_shown(table) {
		return block_area(table).is(":visible");
	}

	// Frappe's depends_on would rebuild the block from its HTML when it shows it, losing its rows
	function ask_kinds_of_discrimination_only_when_it_may_have_played_a_part() {
		const $kinds = block_area("discrimination_kinds").closest(".frappe-control");
		const toggle = (value) => $kinds.toggle(lnb_intake.discrimination_kinds_asked.includes(value));
		toggle(web_form.get_value("discrimination"));
		web_form.on("discrimination", (field, value) => toggle(value));
	}

	// ---- documents

	function make_document_picker() {
		const $area = $(".lnb-attachments");
		const hint = lnb_intake.documents_hint;
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

	// ---- problems beside each answer

	function field_wrapper(fieldname) {
		const wrappers = {
			lnb_attachments: "attachments_html",
			lnb_consent_version: "consent_given",
		};
		if (rows[fieldname]) return block_area(fieldname).closest(".frappe-control");
		const field = web_form.fields_dict[wrappers[fieldname] || fieldname];
		return field && field.$wrapper;
	}

	function shows_problem(fieldname) {
		const $wrapper = field_wrapper(fieldname);
		return Boolean($wrapper && $wrapper.hasClass("lnb-has-problem"));
	}

	function show_problems(problems, { scroll = true } = {}) {
		let first = null;
		Object.entries(problems).forEach(([fieldname, message]) => {
			const $wrapper = field_wrapper(fieldname);
			if (!$wrapper || !$wrapper.length) return;
			$wrapper.find(".lnb-field-problem").remove();
			$wrapper.addClass("lnb-has-problem");
			$wrapper.find("input, select, textarea").first().attr("aria-invalid", "true");
			$("<div class='lnb-field-problem' role='alert'>")
				.attr("data-fieldname", fieldname)
				.text(message)
				.appendTo($wrapper);
			first = first || $wrapper;
		});
		if (first && scroll) {
			first[0].scrollIntoView({ behavior: "smooth", block: "center" });
		}
	}

	function clear_problems(fieldname) {
		const $scope = fieldname ? field_wrapper(fieldname) : $(".web-form-wrapper");
		if (!$scope) return;
		$scope.find(".lnb-field-problem").remove();
		$scope.find("[aria-invalid]").removeAttr("aria-invalid");
		$scope.find(".lnb-has-problem").addBack(".lnb-has-problem").removeClass("lnb-has-problem");
	}

	// ---- the confirmation: only what really happened

	function show_confirmation(data) {
		$(".web-form-container").hide();
		const $page = $(".success-page").removeClass("hide");
		$page.find(".success-title").text(__("Thank you: we have your case"));
		const $message = $page.find(".success-message").empty();
		$("<p>").text(__("Your case reference is")).appendTo($message);
		$("<p class='lnb-reference'>").text(data.name).appendTo($message);
		if (data.urgent) {
			const $urgent = $("<div class='lnb-signposting' role='alert'>")
				.append($("<strong>").text(__("You told us you need urgent support.")))
				.append(
					$("<p>").text(
						data.coordinator_alerted
							? __("A coordinator has been told now. If you need help straight away:")
							: __(
									"We will read your case as soon as we can. If you need help straight away:"
							  )
					)
				)
				.appendTo($message);
			if (data.signposting) $("<p>").text(data.signposting).appendTo($urgent);
		}
		const $next = $("<div class='lnb-next-steps'>").appendTo($message);
		$("<h3>").text(__("What happens next")).appendTo($next);
		const $steps = $("<ol>").appendTo($next);
		[
			__("We have emailed you this reference. Please quote it whenever you contact us."),
			__("A coordinator reads every new case, usually within five working days."),
			__(
				"A volunteer doctor will then contact you in the way you asked, to talk it through and agree how we can help."
			),
		].forEach((step) => $("<li>").text(step).appendTo($steps));
		const address = lnb_intake.contact_address;
		$("<p class='lnb-contact'>")
			.append(document.createTextNode(__("To reach us in the meantime, email") + " "))
			.append($("<a>").attr("href", `mailto:${address}`).text(address))
			.append(".")
			.appendTo($next);
		$page.find(".success-footer .new-btn").text(__("Tell us about another case"));
		window.scrollTo(0, 0);
	}
});
