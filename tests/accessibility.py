"""What the accessibility tests share: axe-core run in the page, on the rules of WCAG 2.0, 2.1 and 2.2 at
levels A and AA (docs/accessibility.md).

axe-core is the npm package at the exact version scripts/lib.sh pins (AXE_CORE_VERSION); the test command
installs it once and names its file in LNB_AXE_CORE, so the tests need no network.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page

WCAG_A_AND_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_core_file() -> Path:
	path = Path(os.environ.get("LNB_AXE_CORE", ""))
	if not path.is_file():
		pytest.fail(
			f"axe-core is not at LNB_AXE_CORE ({path}). Run the tests through scripts/test.sh, which installs "
			"the pinned axe-core from the npm registry."
		)
	return path


def axe_violations(page: Page) -> list[dict]:
	"""Every violation axe-core finds in the page as it is now, on the WCAG A and AA rules."""
	if not page.evaluate("() => Boolean(window.axe)"):
		page.add_script_tag(path=str(axe_core_file()))
	return page.evaluate(
		"""tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
			.then(results => results.violations.map(violation => ({
				id: violation.id,
				impact: violation.impact,
				help: violation.help,
				nodes: violation.nodes.map(node => ({
					target: node.target.join(" "),
					summary: node.failureSummary,
				})),
			})))""",
		WCAG_A_AND_AA,
	)


def axe_version(page: Page) -> str:
	return page.evaluate("() => window.axe ? axe.version : ''")


def describe(violations: list[dict]) -> str:
	"""Each violation with the elements it was found on, as a person fixing them would want to read it."""
	lines = []
	for violation in violations:
		lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
		for node in violation["nodes"][:8]:
			summary = " ".join((node["summary"] or "").split())[:300]
			lines.append(f"    - {node['target']}: {summary}")
		if len(violation["nodes"]) > 8:
			lines.append(f"    - and {len(violation['nodes']) - 8} more")
	return "\n".join(lines)


def count_of(violations: list[dict]) -> int:
	"""Violations counted as axe-core reports them to a person: one for each element that fails a rule."""
	return sum(len(violation["nodes"]) for violation in violations)
