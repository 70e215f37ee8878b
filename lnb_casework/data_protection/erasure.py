"""Erasing a doctor's identity and free text from their cases while keeping what the reports count
(docs/erasure-and-retention.md). `anonymise_cases` is the one way a case is anonymised: on the doctor's
request once a second coordinator confirms, on a Personal Data Deletion Request, or at the end of the
retention period."""

import frappe

ERASURE_ON_REQUEST = "Doctor's request"
RETENTION = "Retention period ended"


def anonymise_cases(cases: list[str], grounds: str, erasure_request: str | None = None) -> None:
	"""Anonymise each case not yet anonymised, with its reviews and every record that holds the doctor's
	identity, in one transaction."""
	raise NotImplementedError(frappe._("Anonymisation is not ready yet."))
