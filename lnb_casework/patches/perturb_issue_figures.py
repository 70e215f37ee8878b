"""Existing systemic issues show their figures as they are now worked out: perturbed, then suppressed
(docs/disclosure-control.md). Before this, an issue stored its exact case count and extract, which beside
the perturbed SEIPS report would undo the noise. Idempotent: it writes what refresh_issue writes."""

import frappe

from lnb_casework.learning.summary import refresh_issue


def execute() -> None:
	for issue in frappe.get_all("Systemic Issue", pluck="name"):
		refresh_issue(issue)
