"""What the browser tests share: the system's Chromium, driven by Playwright, and the evidence a failing
test leaves in LNB_ARTIFACTS."""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

# The machine's closed network refuses Chromium's own background connections; these keep it quiet.
CHROMIUM_ARGS = [
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
]


@contextlib.contextmanager
def system_chromium() -> Iterator[Browser]:
	"""The browser at LNB_CHROMIUM (default /usr/bin/chromium), headless; Playwright never downloads one."""
	executable = os.environ.get("LNB_CHROMIUM", "/usr/bin/chromium")
	if not os.access(executable, os.X_OK):
		pytest.fail(
			f"No browser at {executable}. Install Chromium (apt-get install chromium) or set LNB_CHROMIUM "
			"to a Chromium or Chrome; scripts/test.sh does this on Debian."
		)
	with sync_playwright() as playwright:
		browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
		yield browser
		browser.close()


def artifact(name: str) -> Path:
	return Path(os.environ["LNB_ARTIFACTS"]) / name


def save_evidence(page: Page, screenshot_name: str, trace_name: str, *, full_page: bool = False) -> None:
	"""The page as it was when a test failed, and the Playwright trace of the whole visit (the page's
	context must be tracing)."""
	with contextlib.suppress(PlaywrightError):
		page.screenshot(path=str(artifact(screenshot_name)), full_page=full_page)
		print(f"The page as it was: {artifact(screenshot_name)}")
	with contextlib.suppress(PlaywrightError):
		page.context.tracing.stop(path=str(artifact(trace_name)))
		print(f"A trace of the visit (playwright show-trace): {artifact(trace_name)}")


def control(page: Page, tag: str, fieldname: str) -> Locator:
	"""The visible control of a web form field; Frappe renders each with its fieldname in data-fieldname."""
	return page.locator(f'.web-form {tag}[data-fieldname="{fieldname}"]:visible')


def field_problem(page: Page, fieldname: str) -> Locator:
	"""The intake's message beside a field whose answer the server's rules refuse."""
	return page.locator(f'.lnb-field-problem[data-fieldname="{fieldname}"]')
