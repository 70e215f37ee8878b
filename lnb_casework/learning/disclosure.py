"""Disclosure control as this site applies it (docs/disclosure-control.md): counts of cases are perturbed
with the site's own record keys (lnb_casework/learning/perturbation.py), then small numbers are
suppressed (lnb_casework/learning/suppression.py)."""

from frappe import _
from frappe.utils.password import get_encryption_key

from lnb_casework.learning.perturbation import MAX_NOISE, Perturbation, derive_secret


def site_perturbation() -> Perturbation:
	"""Perturbation under the secret derived from the site's encryption key: no column stores a record
	key, and another site (a copy restored elsewhere with a new key) publishes other noise."""
	return Perturbation(derive_secret(get_encryption_key()))


def perturbation_note() -> str:
	return _(
		"Every count is within {0} of the true number, and the same whenever the same cases are counted; "
		"1 and 2 are never shown (a true 1 or 2 shows as 0, 3 or 4), and figures need not add up exactly."
	).format(MAX_NOISE)
