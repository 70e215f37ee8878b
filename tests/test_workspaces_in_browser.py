"""Each casework role signs in, in real headless Chromium, and lands on its own home workspace: the
coordinator and the caseworker on "Learn Not Blame", the policy lead on "Systemic Learning". On each home,
read from the page: no "Not found", no script or console error, no zero shown in red, chart axes in whole
numbers, each shortcut once, and the sidebar offers only workspaces that open.

The systemic-issue chart is given more than a hundred issues, so that its axis reaches three digits, where
Frappe's axis formatter printed "200.00".

Screenshots: test-artifacts/workspace-<role>-<nn>-<step>.png.
"""

import re

import pytest
from journey import journey, make_person
from playwright.sync_api import Page, expect

CASEWORK = ["Case", "Review", "Caseload", "Deadlines Due", "Case Ageing"]
LEARNING = [
	"Systemic Issue",
	"Advocacy Action",
	"Healthcare Organisation",
	"Systemic Issues by Organisation and SEIPS",
	"Discrimination and Disproportionality",
	"Advocacy Pipeline",
]
# role: (user, role, home workspace, its shortcuts in order)
HOMES = {
	"coordinator": ("workspace-coordinator@lnb.test", "LNB Coordinator", "Learn Not Blame", CASEWORK),
	"caseworker": ("workspace-caseworker@lnb.test", "LNB Caseworker", "Learn Not Blame", CASEWORK),
	"policy-lead": ("workspace-policy-lead@lnb.test", "LNB Policy Lead", "Systemic Learning", LEARNING),
}


MANY_ISSUES = 101


@pytest.fixture(scope="module")
def many_systemic_issues():
	"""MANY_ISSUES open systemic issues naming one SEIPS component, and one naming another; removed after."""
	import frappe

	frappe.db.rollback()
	made = [
		frappe.get_doc(
			{
				"doctype": "Systemic Issue",
				"title": f"Workspace axis test {number}",
				"seips_components": [{"seips_component": "Tasks" if number else "Organisation"}],
			}
		)
		.insert(ignore_permissions=True)
		.name
		for number in range(MANY_ISSUES + 1)
	]
	frappe.db.commit()
	yield made
	frappe.db.rollback()
	for name in made:
		frappe.delete_doc("Systemic Issue", name, ignore_permissions=True, force=True)
	frappe.db.commit()


def slug(title: str) -> str:
	return title.lower().replace(" ", "-")


def rgb(colour: str) -> tuple[int, int, int]:
	red, green, blue = (int(part) for part in re.findall(r"\d+", colour)[:3])
	return red, green, blue


def looks_red(colour: str) -> bool:
	red, green, blue = rgb(colour)
	return red > 150 and red > 2 * green and red > 2 * blue


def wait_for_widgets(page: Page) -> None:
	"""The number cards have their figures and the charts their axes (or say they are empty)."""
	expect(page.locator(".widget.number-widget-box .number").first).to_be_visible()
	page.wait_for_function(
		"""() => [...document.querySelectorAll('.widget.number-widget-box .number')]
			.every(n => n.textContent.trim() !== '')"""
	)
	page.wait_for_function(
		"""() => [...document.querySelectorAll('.widget.dashboard-widget-box')]
			.every(w => w.querySelector('.chart-container .y.axis text, .chart-empty-state:not([style*="none"])'))"""
	)


def number_cards(page: Page) -> list[dict]:
	return page.evaluate(
		"""() => [...document.querySelectorAll('.widget.number-widget-box')].map(card => {
			const number = card.querySelector('.number');
			return {
				label: card.querySelector('.widget-title').textContent.trim(),
				number: number.textContent.trim(),
				colour: getComputedStyle(number).color,
			};
		})"""
	)


def y_axis_labels(page: Page, reaching: int) -> list[str]:
	"""The charts' y-axis labels once an axis reaches `reaching` and they have settled: Frappe's charts first
	draw an axis for zeros, then fetch the data and animate to it."""
	read = """() => [...document.querySelectorAll('.widget.dashboard-widget-box .chart-container .y.axis text')]
		.map(text => text.textContent.trim())"""
	page.wait_for_function(
		f"""() => {{
			const labels = ({read})();
			const reached = labels.some(label => parseFloat(label.replace(/,/g, '')) > {reaching});
			const settled = JSON.stringify(labels) === window.lnbAxisLabels;
			window.lnbAxisLabels = JSON.stringify(labels);
			return reached && settled;
		}}""",
		polling=500,
	)
	return page.evaluate(read)


def shortcut_labels(page: Page) -> list[str]:
	return page.evaluate(
		"""() => [...document.querySelectorAll('.layout-main-section .widget.shortcut-widget-box .widget-title')]
			.map(title => title.textContent.trim())"""
	)


def link_labels(page: Page) -> list[str]:
	return page.evaluate(
		"""() => [...document.querySelectorAll('.layout-main-section .widget.links-widget-box .link-item .link-text')]
			.map(link => link.textContent.trim())"""
	)


def sidebar_workspaces(page: Page) -> list[str]:
	return page.evaluate(
		"""() => [...document.querySelectorAll('.desk-sidebar .standard-sidebar-item .sidebar-item-label')]
			.map(label => label.textContent.trim())"""
	)


@pytest.mark.parametrize("role", HOMES)
def test_each_role_lands_on_its_own_home(chromium, base_url, many_systemic_issues, role):
	email, role_name, home, expected_shortcuts = HOMES[role]
	make_person(email, role_name)
	with journey(chromium, f"workspace-{role}") as visit:
		visit.sign_in(base_url, email)
		page = visit.page
		expect(page).to_have_url(re.compile(f"/app/{slug(home)}$"))
		expect(page.locator(".page-title .title-text")).to_have_text(home)
		wait_for_widgets(page)
		labels = y_axis_labels(page, reaching=MANY_ISSUES)
		visit.step("home")

		cards = number_cards(page)
		assert cards, f"{home} shows no number cards to the {role}"
		red_zeros = [card for card in cards if card["number"] == "0" and looks_red(card["colour"])]
		assert not red_zeros, f"zeros shown in red: {red_zeros}"

		assert all(re.fullmatch(r"\d+", label) for label in labels), f"chart axis labels: {labels}"

		shortcuts = shortcut_labels(page)
		assert shortcuts == expected_shortcuts, f"each shortcut once, in order: {shortcuts}"
		repeated = sorted(set(shortcuts) & set(link_labels(page)))
		assert not repeated, f"shown both as a shortcut and as a link: {repeated}"
		page.locator(".layout-main-section .widget.shortcut-widget-box").last.scroll_into_view_if_needed()
		visit.step("shortcuts")

		sidebar = sidebar_workspaces(page)
		assert home in sidebar, sidebar
		for title in sidebar:
			visit.goto(base_url, f"/app/{slug(title)}")
			expect(page.locator(".page-title .title-text")).to_have_text(title)
			visit.check(title)
		visit.step("sidebar-opened")
