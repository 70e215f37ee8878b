// Every public page: what Frappe's own templates leave unsaid to a screen reader or out of reach of a
// keyboard (docs/accessibility.md).
frappe.ready(() => {
	// the sign-in page's logo stands beside its heading, which names Learn Not Blame already
	document
		.querySelectorAll("img.app-logo:not([alt])")
		.forEach((logo) => logo.setAttribute("alt", ""));
	make_show_password_a_button();
	announce_sign_in_status();
});

// Frappe's "Show" beside the password is a span that only a pointer can press.
function make_show_password_a_button() {
	document.querySelectorAll(".toggle-password").forEach((toggle) => {
		toggle.setAttribute("role", "button");
		toggle.setAttribute("tabindex", "0");
		toggle.setAttribute("aria-controls", (toggle.getAttribute("toggle") || "").replace("#", ""));
		toggle.addEventListener("keydown", (event) => {
			if (event.key !== "Enter" && event.key !== " ") return;
			event.preventDefault();
			toggle.click();
		});
	});
}

// Frappe tells how signing in went ("Invalid Login. Try again.") only by rewriting the button's words in
// red; a status region says the same to a screen reader.
function announce_sign_in_status() {
	document.querySelectorAll(".login-content .btn-login.btn-primary").forEach((button) => {
		const status = document.createElement("p");
		status.className = "sr-only lnb-sign-in-status";
		status.setAttribute("role", "status");
		button.insertAdjacentElement("afterend", status);
		const first_words = button.textContent.trim();
		new MutationObserver(() => {
			const words = button.textContent.trim();
			status.textContent = words === first_words ? "" : words;
		}).observe(button, { childList: true, characterData: true, subtree: true });
	});
}
