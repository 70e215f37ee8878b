"""Frappe's Personal Data Deletion Request erases a doctor's cases the same way as an Erasure Request
(docs/erasure-and-retention.md)."""

from lnb_casework.data_protection.erasure import ERASURE_ON_REQUEST, anonymise_cases
from lnb_casework.data_protection.held_records import cases_held_about


def erase_the_doctors_cases(request, method: str | None = None) -> None:
	"""Runs when Frappe starts the deletion (its first save with deletion steps, before it redacts the
	`user_data_fields`), while the cases still hold every identifier to look for elsewhere; a case already
	anonymised is left as it is, so the later saves change nothing."""
	if request.status == "Deleted" or not request.deletion_steps:
		return
	cases = cases_held_about(request.email, None)
	if cases:
		anonymise_cases(cases, ERASURE_ON_REQUEST)
