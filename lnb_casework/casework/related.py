"""Related cases, kept both ways, and possible duplicates (same email or GMC number) linked once a new case
has committed.

The duplicates are looked for in the new case's own job (docs/intake-mail.md), never in the doctor's
request: that request then does the same work whether or not the email or GMC number is already known, so
its answer and its timing tell a guest nothing about who else has come to the campaign.

The other side of a link is changed only through the other Case's own save (`save_linked_case`), so its
controller, row permissions and hooks see the change like any other. That save is marked `upkeep` (a
document flag, which no request can set): it is not activity on that case, it is not held to who may change
what (the user's own case was), and it mirrors nothing back. It records no Version either, because a version
is shown to everyone who reads the other case and would name this case to a caseworker who may not learn of
it; the Related Cases rows themselves are shown to each reader only where they may read the case named.
"""

import frappe
from frappe import _
from frappe.model.document import Document

POSSIBLE_DUPLICATE = "Possible duplicate"
SAVEPOINT = "link_possible_duplicate"


def possible_duplicates(case: Document) -> dict[str, str]:
	"""{other case: why it may be the same doctor}, by the same email address or GMC number."""
	matches = {}
	for field, why in (("email", _("Same email address")), ("gmc_number", _("Same GMC number"))):
		if case.get(field):
			for name in frappe.get_all("Case", filters={field: case.get(field)}, pluck="name"):
				if name != case.name:
					matches.setdefault(name, why)
	return matches


def link_possible_duplicates(case_name: str) -> list[str]:
	"""Links a saved case both ways to each possible duplicate not yet related to it; the cases linked.

	A pair that cannot be saved (another case's own rules refuse the save) is logged for a coordinator and
	left unlinked on both sides, so the case's mail still goes."""
	case = frappe.get_doc("Case", case_name)
	linked = {row.related_case for row in case.related_cases}
	new = []
	for other, note in possible_duplicates(case).items():
		if other in linked:
			continue
		frappe.db.savepoint(SAVEPOINT)
		try:
			link_both_ways(case_name, other, POSSIBLE_DUPLICATE, note)
		except (frappe.ValidationError, frappe.PermissionError):
			frappe.db.rollback(save_point=SAVEPOINT)
			frappe.log_error(
				title=_("Case {0} could not be linked to its possible duplicate {1}").format(
					case_name, other
				),
				reference_doctype="Case",
				reference_name=case_name,
			)
		else:
			new.append(other)
	return new


def mirror_new_case(case: Document) -> None:
	"""After a new case is inserted with related cases (a coordinator's, from the desk), its links show on
	the other cases. The insert never fails because another case cannot be saved: that is logged for a
	coordinator, and the link stays one-sided."""
	for row in case.related_cases:
		frappe.db.savepoint(SAVEPOINT)
		try:
			save_linked_case(row.related_case, case.name, add=(row.relation, row.note or ""))
		except (frappe.ValidationError, frappe.PermissionError):
			frappe.db.rollback(save_point=SAVEPOINT)
			frappe.log_error(
				title=_("Case {0} could not be linked back to the new case {1}").format(
					row.related_case, case.name
				),
				reference_doctype="Case",
				reference_name=row.related_case,
			)


def mirror_related_cases(case: Document, before: Document | None) -> None:
	"""A link added on one case shows on the other; a link removed goes from both."""
	if case.flags.upkeep:  # the other side of a link being kept: nothing to mirror back
		return
	now = {row.related_case: row for row in case.related_cases}
	was = {row.related_case for row in (before.related_cases if before else [])}
	for other in sorted(set(now) - was):
		save_linked_case(other, case.name, add=(now[other].relation, now[other].note or ""))
	for other in sorted(was - set(now)):
		save_linked_case(other, case.name, add=None)


def link_both_ways(case_name: str, other: str, relation: str, note: str = "") -> None:
	"""Links two saved cases from code, each side through its own save (as `save_linked_case`)."""
	save_linked_case(case_name, other, add=(relation, note))
	save_linked_case(other, case_name, add=(relation, note))


def save_linked_case(other: str, case_name: str, add: tuple[str, str] | None) -> None:
	"""Gives the case `other` a row naming `case_name` (with `add`'s relation and note) or, when `add` is
	None, takes such rows away; saves it through its controller only when that changes it."""
	doc = frappe.get_doc("Case", other)
	rows = [row for row in doc.related_cases if row.related_case == case_name]
	if add and not rows:
		relation, note = add
		doc.append("related_cases", {"related_case": case_name, "relation": relation, "note": note})
	elif not add and rows:
		for row in rows:
			doc.remove(row)
	else:
		return
	doc.flags.upkeep = True
	# the user's right to link was checked on their own case; they may not be allowed to read this one
	doc.save(ignore_permissions=True, ignore_version=True)
