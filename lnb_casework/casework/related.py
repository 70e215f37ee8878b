"""Related cases, kept both ways, and possible duplicates flagged at intake (same email or GMC number)."""

import frappe
from frappe import _

POSSIBLE_DUPLICATE = "Possible duplicate"


def link_both_ways(case_name: str, other: str, relation: str, note: str = "") -> None:
	"""Adds the link on each side that lacks it, without re-saving either case."""
	for this, that in ((case_name, other), (other, case_name)):
		if frappe.db.exists("Related Case", {"parenttype": "Case", "parent": this, "related_case": that}):
			continue
		row = frappe.get_doc(
			{
				"doctype": "Related Case",
				"parenttype": "Case",
				"parentfield": "related_cases",
				"parent": this,
				"related_case": that,
				"relation": relation,
				"note": note,
				"idx": frappe.db.count("Related Case", {"parenttype": "Case", "parent": this}) + 1,
			}
		)
		row.db_insert()


def flag_possible_duplicates(case) -> list[str]:
	matches = {}
	if case.email:
		for name in frappe.get_all(
			"Case", filters={"email": case.email, "name": ("!=", case.name)}, pluck="name"
		):
			matches[name] = _("Same email address")
	if case.gmc_number:
		for name in frappe.get_all(
			"Case", filters={"gmc_number": case.gmc_number, "name": ("!=", case.name)}, pluck="name"
		):
			matches.setdefault(name, _("Same GMC number"))
	for other, note in matches.items():
		link_both_ways(case.name, other, POSSIBLE_DUPLICATE, note)
	return sorted(matches)


def mirror_related_cases(case, before) -> None:
	"""A link added on one case shows on the other; a link removed goes from both."""
	now = {row.related_case: row for row in case.related_cases}
	was = {row.related_case for row in (before.related_cases if before else [])}
	for other, row in now.items():
		link_both_ways(case.name, other, row.relation, row.note or "")
	for other in was - set(now):
		frappe.db.delete("Related Case", {"parenttype": "Case", "parent": other, "related_case": case.name})
