// The intake form's own behaviour: consent wording, documents, a simple block of rows for each list of
// answers (processes, dates, kinds of discrimination) in place of Frappe's grid, which does not fit a phone,
// problems shown beside each answer once the doctor has left it or sent the form, and a confirmation page
// with the case reference. Rendered through Jinja (see submit_a_case.py). The server checks every answer:
// this script only asks it, and shows what it says. Every answer is named by its visible question and
// described by its hint and problem; problems found on sending are listed in a summary at the top that links
// to each answer (docs/accessibility.md).
const lnb_intake = {{ lnb_intake | tojson }};

frappe.ready(() => {
	const web_form = frappe.web_form;
	const files = { chosen: [], reading: null };
	const rows = {};
	const CHECK_DELAY_MS = 300;
	const page_title = document.title;
	const $summary = make_error_summary();

	show_consent_wording();
	name_each_answer_by_its_question();
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
				// The website's frappe.call shows the server's messages in a dialog unless given a place for
				// them; they are shown in the summary instead (always, below).
				error_msg: $("<div>"),
				callback: (answer) => show_confirmation(answer.message),
				always: (answer) => {
					sending = false;
					if (answer && answer.field_problems) {
						show_problems(answer.field_problems, { summary: true });
					} else if (!answer || !answer.message) {
						show_sending_problem(answer);
					}
				},
			});
		});
	}

	// What is sent: the form's answers, its blocks of rows, the documents and the consent wording's
	// version; null (with each problem shown) when an answer is missing or documents are still loading.
	function ready_answers() {
		clear_problems();
		close_summary();
		const blank = blank_answers();
		if (files.reading) {
			blank.lnb_attachments = __(
				"Your documents are still loading. Please wait a moment and send again."
			);
		}
		if (Object.keys(blank).length) {
			show_problems(blank, { summary: true });
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

	// ---- each answer named by its question, and described by its hint (and later its problem)

	function name_each_answer_by_its_question() {
		Object.values(web_form.fields_dict).forEach((field) => {
			if (!field.$input || !field.$input.length) return;
			const id = answer_id(field.df.fieldname);
			field.$input.attr("id", id);
			if (field.df.fieldtype !== "Check") {
				field.$wrapper.find("label.control-label").first().attr("for", id);
			}
			if (field.df.reqd) field.$input.attr("aria-required", "true");
			const $hint = field.$wrapper.find(".help-box").first();
			if ($hint.text().trim()) {
				$hint.attr("id", `${id}-hint`);
				describe(field.$input, `${id}-hint`);
			}
		});
		// a section's title is a heading, so that a screen reader can move from section to section
		$(".web-form .section-head").attr({ role: "heading", "aria-level": 2 });
	}

	function answer_id(fieldname) {
		return `lnb-answer-${fieldname}`;
	}

	function describe($control, id, described = true) {
		const ids = ($control.attr("aria-describedby") || "").split(" ").filter(Boolean);
		const kept = ids.filter((other) => other !== id);
		if (described) kept.push(id);
		if (kept.length) {
			$control.attr("aria-describedby", kept.join(" "));
		} else {
			$control.removeAttr("aria-describedby");
		}
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
					show_problems({ [fieldname]: answer.message });
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
		$("<p class='help-box small text-muted'>")
			.attr("id", `lnb-${table}-hint`)
			.text(block.description)
			.appendTo($area);
		describe($area, `lnb-${table}-hint`);
		$("<div class='lnb-row-list'>").appendTo($area);
		$("<button type='button' class='btn btn-default btn-sm lnb-add-row'>")
			.attr("id", `lnb-${table}-add`)
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
			<p class="help-box small text-muted" id="lnb-files-hint">${frappe.utils.escape_html(hint)}</p>
			<input id="lnb-files" name="lnb-files" type="file" multiple aria-describedby="lnb-files-hint"
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

	// ---- problems beside each answer, and listed at the top once the doctor has sent the form

	function field_wrapper(fieldname) {
		const wrappers = {
			lnb_attachments: "attachments_html",
			lnb_consent_version: "consent_given",
		};
		if (rows[fieldname]) return block_area(fieldname).closest(".frappe-control");
		const field = web_form.fields_dict[wrappers[fieldname] || fieldname];
		return field && field.$wrapper;
	}

	// the control a link in the summary leads to: for a block of rows its first answer, or its add button
	function answer_control(fieldname) {
		if (rows[fieldname]) {
			const $area = block_area(fieldname);
			const $first = $area.find(".lnb-row select, .lnb-row input").first();
			return $first.length ? $first : $area.find(".lnb-add-row");
		}
		if (fieldname === "lnb_attachments") return $("#lnb-files");
		const $wrapper = field_wrapper(fieldname);
		return $wrapper ? $wrapper.find("input, select, textarea").first() : $();
	}

	// what a problem describes: the answer, or a block of rows and each answer in it
	function described_controls(fieldname) {
		if (!rows[fieldname]) return answer_control(fieldname);
		const $area = block_area(fieldname);
		return $area.add($area.find(".lnb-row select, .lnb-row input"));
	}

	function question_of(fieldname) {
		if (rows[fieldname]) return lnb_intake.row_blocks[fieldname].label;
		if (fieldname === "lnb_attachments") return __("Documents");
		const field =
			web_form.fields_dict[fieldname === "lnb_consent_version" ? "consent_given" : fieldname];
		return field ? __(field.df.label) : "";
	}

	function problem_id(fieldname) {
		return `lnb-problem-${fieldname}`;
	}

	function shows_problem(fieldname) {
		const $wrapper = field_wrapper(fieldname);
		return Boolean($wrapper && $wrapper.hasClass("lnb-has-problem"));
	}

	// Problems found on sending are listed in the summary, which takes the focus; one found as the doctor
	// leaves an answer is announced beside it, while they carry on.
	function show_problems(problems, { summary = false } = {}) {
		Object.entries(problems).forEach(([fieldname, message]) => {
			const $wrapper = field_wrapper(fieldname);
			if (!$wrapper || !$wrapper.length) return;
			const id = problem_id(fieldname);
			$wrapper.find(".lnb-field-problem").remove();
			$wrapper.addClass("lnb-has-problem");
			const $problem = $("<p class='lnb-field-problem'>")
				.attr({ id, "data-fieldname": fieldname })
				.append($("<span class='sr-only'>").text(__("Error:") + " "))
				.append($("<span class='lnb-problem-text'>").text(message))
				.appendTo($wrapper);
			if (!summary) $problem.attr("role", "alert");
			const $controls = described_controls(fieldname);
			$controls.each((_, control) => describe($(control), id));
			$controls.filter("input, select, textarea").attr("aria-invalid", "true");
		});
		if (summary) list_problems_in_summary();
	}

	// a refusal that is about no one answer (too many cases sent from one place, the form closed), or no
	// answer at all from the server
	function show_sending_problem(answer) {
		const $list = $summary.find(".lnb-error-summary-list").empty();
		const messages = server_messages(answer);
		if (!messages.length) {
			messages.push(
				__("Your case could not be sent. Please check your connection and send it again.")
			);
		}
		messages.forEach((message) => $("<li>").text(message).appendTo($list));
		open_summary();
	}

	// the words of the server's messages, without markup
	function server_messages(answer) {
		let messages = [];
		try {
			messages = JSON.parse((answer && answer._server_messages) || "[]");
		} catch (error) {
			return [];
		}
		return messages
			.map((message) => {
				try {
					message = JSON.parse(message).message || message;
				} catch (error) {
					// a message sent as plain words
				}
				return new DOMParser().parseFromString(String(message), "text/html").body.textContent;
			})
			.filter((message) => message.trim());
	}

	function clear_problems(fieldname) {
		const $scope = fieldname ? field_wrapper(fieldname) : $(".web-form-wrapper");
		if (!$scope) return;
		$scope.find(".lnb-field-problem").each((_, problem) => {
			const shown_for = problem.dataset.fieldname;
			described_controls(shown_for).each((_, control) => describe($(control), problem.id, false));
			drop_from_summary(shown_for);
		});
		$scope.find(".lnb-field-problem").remove();
		$scope.find("[aria-invalid]").removeAttr("aria-invalid");
		$scope.find(".lnb-has-problem").addBack(".lnb-has-problem").removeClass("lnb-has-problem");
	}

	function make_error_summary() {
		const $box = $("<div class='lnb-error-summary hide' tabindex='-1'>").insertBefore(
			".web-form-header"
		);
		const $alert = $("<div role='alert'>").appendTo($box);
		$("<h2 class='lnb-error-summary-title'>").text(__("There is a problem")).appendTo($alert);
		$("<p>").text(__("Please check these answers before you send the form:")).appendTo($alert);
		$("<ul class='lnb-error-summary-list'>").appendTo($alert);
		$box.on("click", "a", (event) => {
			event.preventDefault();
			go_to_answer(event.currentTarget.dataset.fieldname);
		});
		return $box;
	}

	// The summary lists the problems of the last sending, in the order of the form; each leaves it as it is
	// corrected.
	function list_problems_in_summary() {
		const $list = $summary.find(".lnb-error-summary-list").empty();
		$(".web-form-wrapper .lnb-field-problem").each((_, problem) => {
			const fieldname = problem.dataset.fieldname;
			const message = $(problem).find(".lnb-problem-text").text();
			const question = question_of(fieldname);
			const joiner = /[?:]$/.test(question) ? " " : ": ";
			$("<li>")
				.attr("data-fieldname", fieldname)
				.append(
					$("<a>")
						.attr({ href: `#${answer_control(fieldname).attr("id")}` })
						.attr("data-fieldname", fieldname)
						.text(question + joiner + message)
				)
				.appendTo($list);
		});
		open_summary();
	}

	function open_summary() {
		$summary.removeClass("hide");
		document.title = __("Error: {0}", [page_title]);
		$summary[0].scrollIntoView({ block: "start" });
		$summary.trigger("focus");
	}

	function close_summary() {
		$summary.find(".lnb-error-summary-list").empty();
		$summary.addClass("hide");
		document.title = page_title;
	}

	function drop_from_summary(fieldname) {
		$summary.find(`li[data-fieldname="${fieldname}"]`).remove();
		if (!$summary.find("li").length) close_summary();
	}

	function go_to_answer(fieldname) {
		const $control = answer_control(fieldname);
		field_wrapper(fieldname)[0].scrollIntoView({ block: "start" });
		$control.trigger("focus");
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
						data.coordinator_being_alerted
							? __("We are alerting a coordinator now. If you need help straight away:")
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
			__("We are emailing you this reference. Please quote it whenever you contact us."),
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
		document.title = `${__("Thank you: we have your case")} | ${page_title}`;
		window.scrollTo(0, 0);
		// a screen reader reads on from the news that the case was sent
		$page.find(".success-title").attr("tabindex", "-1").trigger("focus");
	}
});
