"""What the journey tests share: a person who signs in with a password, a browser page that records every
problem a user would notice, and a screenshot at each step.

A journey fails on a script error, a console error, a server error or refused API call, a "Not found" or
"Not permitted" page, or an error dialog, whichever step it happens in. Expected refusals are named by the
test (`journey.expect_refusal`), never ignored wholesale.
"""

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from browser import artifact
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect
from playwright.sync_api import Error as PlaywrightError
from sign_in import sign_in_in_browser

PASSWORD = "Journey-browser-7w!Kp2"
WAIT_MS = 30_000
PHONE = {
	"viewport": {"width": 390, "height": 844},
	"device_scale_factor": 2,
	"is_mobile": True,
	"has_touch": True,
	"locale": "en-GB",
}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "en-GB"}
ERROR_DIALOG = ".modal.show .modal-title"
ERROR_TITLES = re.compile(r"^(Error|Not Permitted|Message|Server Error|Missing Fields|Not Found)$", re.I)
# Chromium's own noise on a closed network, and the realtime socket the test server (bench serve) does not
# run; never the app's.
HARMLESS_CONSOLE = (
	"favicon.ico",
	"socket.io",
	"net::ERR_INTERNET_DISCONNECTED",
	"Failed to load resource: net::ERR_NAME_NOT_RESOLVED",
)


def make_person(email: str, *roles: str, full_name: str | None = None) -> str:
	"""A desk user with exactly these roles, who signs in with PASSWORD (runs in the test process)."""
	import frappe
	from frappe.utils.password import update_password

	frappe.db.rollback()
	if not frappe.db.exists("User", email):
		first, _, last = (full_name or email.split("@")[0]).partition(" ")
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first,
				"last_name": last,
				"send_welcome_email": 0,
			}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.remove_roles(*[row.role for row in user.roles if row.role not in roles])
	user.add_roles(*roles)
	update_password(email, PASSWORD)
	frappe.db.commit()
	return email


@dataclass
class Journey:
	"""One person's visit: the page, the problems seen so far and the steps screenshotted."""

	page: Page
	name: str
	problems: list[str] = field(default_factory=list)
	expected_refusals: list[re.Pattern] = field(default_factory=list)
	steps: int = 0

	def expect_refusal(self, url_pattern: str) -> None:
		"""A refused API call the journey itself provokes on purpose (a user's mistake it then corrects)."""
		self.expected_refusals.append(re.compile(url_pattern))

	def step(self, label: str, *, full_page: bool = False) -> None:
		"""Fails on any problem seen so far or an error dialog on screen, then saves
		`<journey>-<nn>-<label>.png`."""
		self.page.wait_for_load_state("networkidle")
		self.steps += 1
		path = artifact(f"{self.name}-{self.steps:02d}-{label}.png")
		with contextlib.suppress(PlaywrightError):
			self.page.screenshot(path=str(path), full_page=full_page)
		self.check(label)

	def check(self, label: str = "") -> None:
		problems = list(self.problems)
		problems.extend(self.error_dialogs())
		problems.extend(self.not_found())
		assert not problems, f"{self.name}, step {label or self.steps}:\n" + "\n".join(problems)

	def error_dialogs(self) -> list[str]:
		found = []
		for title in self.page.locator(ERROR_DIALOG).all():
			with contextlib.suppress(PlaywrightError):
				text = title.inner_text(timeout=1000).strip()
				if ERROR_TITLES.match(text) and title.is_visible():
					body = self.page.locator(".modal.show .modal-body").first.inner_text(timeout=1000)
					found.append(f"{self.page.url}: error dialog {text!r}: {body[:300]}")
		return found

	def not_found(self) -> list[str]:
		with contextlib.suppress(PlaywrightError):
			headings = self.page.locator(
				".page-title .title-text:visible, h1:visible, .page-card-head:visible"
			)
			for heading in headings.all():
				text = heading.inner_text(timeout=1000).strip()
				if text in ("Not found", "Not Found", "Page Not Found", "Not Permitted", "Server Error"):
					return [f"{self.page.url}: the page says {text!r}"]
		return []

	def goto(self, base_url: str, path: str) -> None:
		self.page.goto(f"{base_url}{path}")
		self.page.wait_for_load_state("networkidle")

	def sign_in(self, base_url: str, email: str) -> None:
		"""At /login, with PASSWORD and the authenticator code the site asks of casework roles."""
		sign_in_in_browser(self.page, base_url, email, PASSWORD)
		self.page.wait_for_load_state("networkidle")

	def sign_out(self, base_url: str) -> None:
		self.page.context.clear_cookies()
		self.page.goto(f"{base_url}/login")

	def _on_response(self, response: Response) -> None:
		if response.status < 400 or not (
			"/api/" in response.url or response.request.resource_type == "document"
		):
			return
		if any(pattern.search(response.url) for pattern in self.expected_refusals):
			return
		body = ""
		with contextlib.suppress(PlaywrightError):
			body = response.text()[:300]
		self.problems.append(
			f"{response.request.method} {response.url[:300]} answered {response.status}: {body}"
		)

	def _on_console(self, message: ConsoleMessage) -> None:
		if message.type != "error" or any(noise in message.text for noise in HARMLESS_CONSOLE):
			return
		if "Failed to load resource" in message.text:
			return  # the response itself is judged by _on_response, with its body
		self.problems.append(f"{self.page.url}: console error {message.text[:300]}")


@contextlib.contextmanager
def journey(
	browser: Browser, name: str, *, phone: bool = False, size: dict | None = None
) -> Iterator[Journey]:
	"""A fresh browser context (no cookies) for one person's journey, at phone or desktop size (or the
	context options `size` gives)."""
	expect.set_options(timeout=WAIT_MS)
	context = browser.new_context(**(size or (PHONE if phone else DESKTOP)))
	context.set_default_timeout(WAIT_MS)
	page = context.new_page()
	visit = Journey(page=page, name=name)
	page.on(
		"pageerror", lambda error: visit.problems.append(f"{page.url}: script error {error.message[:300]}")
	)
	page.on("console", visit._on_console)
	page.on("response", visit._on_response)
	try:
		yield visit
	finally:
		with contextlib.suppress(PlaywrightError):
			context.close()
