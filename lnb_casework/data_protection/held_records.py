"""Which cases are about one doctor: the same email address (in any case) or the same GMC number
(docs/data-protection.md). Subject access, erasure and retention all start from here."""

import frappe


def cases_held_about(email: str | None, gmc_number: str | None) -> list[str]:
	"""Every Case whose email address or GMC number is the one given, oldest first."""
	email = (email or "").strip()
	gmc_number = (gmc_number or "").strip()
	if not email and not gmc_number:
		return []
	case = frappe.qb.DocType("Case")
	matches = []
	if email:
		matches.append(case.email == email)
	if gmc_number:
		matches.append(case.gmc_number == gmc_number)
	condition = matches[0] if len(matches) == 1 else matches[0] | matches[1]
	return frappe.qb.from_(case).select(case.name).where(condition).orderby(case.creation).run(pluck=True)
