"""Systemic issues and the cases that evidence them.

The evidence (which cases, which reviews) is for coordinators only; what everyone else sees on an issue
is worked out from it here: how many distinct cases evidence it (a case linked twice counts once, a
withdrawn case not at all), when it was first and last seen, and counts of kinds by month. Every count shown
is perturbed and suppressed (learning/summary.py, docs/disclosure-control.md).
"""

import datetime
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import getdate

from lnb_casework.casework.rules import WITHDRAWN
from lnb_casework.learning.workflows import ENDED_ISSUE_STATES


@dataclass(frozen=True)
class EvidenceRow:
	case: str
	seen_on: datetime.date | None
	case_state: str


@dataclass(frozen=True)
class IssueFigures:
	case_count: int
	first_seen: datetime.date | None
	last_seen: datetime.date | None


def counted_cases(evidence: Iterable[EvidenceRow]) -> set[str]:
	"""The cases an issue counts as its own: each once, a withdrawn one not at all."""
	return {row.case for row in evidence if row.case_state != WITHDRAWN}


def issue_figures(evidence: Iterable[EvidenceRow]) -> IssueFigures:
	evidence = list(evidence)
	dates = [row.seen_on for row in evidence if row.case_state != WITHDRAWN and row.seen_on]
	return IssueFigures(
		case_count=len(counted_cases(evidence)),
		first_seen=min(dates) if dates else None,
		last_seen=max(dates) if dates else None,
	)


def kinds_by_month(rows: Iterable[tuple[datetime.date, str, str]]) -> dict[str, dict[str, list[str]]]:
	"""{"2026-03": {kind: [the records of that kind]}} from (date, kind, record) rows, months and kinds in
	the order first seen by date."""
	months: dict[str, dict[str, list[str]]] = {}
	for seen_on, kind, record in sorted(rows):
		if kind:
			months.setdefault(seen_on.strftime("%Y-%m"), {}).setdefault(kind, []).append(record)
	return months


def evidence_of(issue: str) -> list[EvidenceRow]:
	return evidence_of_issues([issue]).get(issue, [])


def evidence_of_issues(issues: Collection[str]) -> dict[str, list[EvidenceRow]]:
	"""{issue: its evidence} for the issues that have any, read in one query."""
	if not issues:
		return {}
	evidence = frappe.qb.DocType("Systemic Issue Evidence")
	case = frappe.qb.DocType("Case")
	rows = (
		frappe.qb.from_(evidence)
		.join(case)
		.on(case.name == evidence.case)
		.select(evidence.systemic_issue, evidence.case, evidence.seen_on, case.workflow_state)
		.where(evidence.systemic_issue.isin(list(issues)))
		.run()
	)
	evidence_by_issue: dict[str, list[EvidenceRow]] = {}
	for issue, name, seen_on, state in rows:
		evidence_by_issue.setdefault(issue, []).append(
			EvidenceRow(name, getdate(seen_on) if seen_on else None, state or "")
		)
	return evidence_by_issue


def counted_cases_of_issues(issues: Collection[str]) -> dict[str, set[str]]:
	"""{issue: counted_cases(its evidence)} for many issues, in two queries that each read one index: the
	issues' evidence (issue and case), and the cases that count (every case not withdrawn). They are matched
	here because joining them in the database looks up each evidence row's case in the case table, a read
	from disk per row once the cases outgrow the database's memory (40,000 evidence rows at 100,000 cases:
	4 seconds). Each query packs its names into one value per row: the driver reads a hundred thousand rows
	one by one about ten times slower (1 second)."""
	if not issues:
		return {}
	# long enough for every name the two queries pack (a truncated value is refused below)
	frappe.db.sql("set session group_concat_max_len = @@max_allowed_packet")
	cases_of = {
		issue: set(packed_names(count, packed))
		for issue, count, packed in frappe.db.sql(
			"""select systemic_issue, count(distinct `case`), group_concat(distinct `case` separator '\\n')
			from `tabSystemic Issue Evidence` where systemic_issue in %s group by systemic_issue""",
			[list(issues)],
		)
	}
	((count, packed),) = frappe.db.sql(
		"""select count(*), group_concat(name separator '\\n') from `tabCase`
		where workflow_state is null or workflow_state != %s""",
		WITHDRAWN,
	)
	counting = set(packed_names(count, packed))
	return {issue: cases & counting for issue, cases in cases_of.items()}


def packed_names(count: int, packed: str | None) -> list[str]:
	"""The names a query packed with group_concat, refused unless all of them are there."""
	names = packed.split("\n") if packed else []
	if len(names) != count:
		frappe.throw(_("Some systemic issue evidence could not be read whole."))
	return names


def add_evidence(issue: str, review, factor_row: str) -> str:
	"""Links a review's systemic factor to an issue, both ways; a case already evidencing it counts once."""
	existing = frappe.db.get_value(
		"Systemic Issue Evidence",
		{"systemic_issue": issue, "review": review.name, "review_factor": factor_row},
	)
	if not existing:
		existing = (
			frappe.get_doc(
				{
					"doctype": "Systemic Issue Evidence",
					"systemic_issue": issue,
					"case": review.case,
					"review": review.name,
					"review_factor": factor_row,
					"seen_on": getdate(review.creation),
					"added_by": frappe.session.user,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	frappe.db.set_value("Review Systemic Factor", factor_row, "systemic_issue", issue, update_modified=False)
	return existing


def matching_issues(seips_component: str, organisation: str | None) -> list[str]:
	"""Open issues naming the same SEIPS component and, when given, the same organisation."""
	issue = frappe.qb.DocType("Systemic Issue")
	component = frappe.qb.DocType("Systemic Issue SEIPS Component")
	query = (
		frappe.qb.from_(issue)
		.join(component)
		.on((component.parent == issue.name) & (component.parenttype == "Systemic Issue"))
		.select(issue.name)
		.distinct()
		.where(component.seips_component == seips_component)
		.where(issue.workflow_state.notin(ENDED_ISSUE_STATES))
	)
	if organisation:
		place = frappe.qb.DocType("Systemic Issue Organisation")
		query = (
			query.join(place)
			.on((place.parent == issue.name) & (place.parenttype == "Systemic Issue"))
			.where(place.organisation == organisation)
		)
	return [name for (name,) in query.run()]


TITLES = {"dr", "doctor", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sir", "dame"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
LONG_NUMBER = re.compile(r"\+?\d(?:[ ]?\d){6,}")  # a phone or GMC number, not a date
TITLE_WORDS = 10
TITLE_LENGTH = 140  # a Data field


def doctor_identity(case: str) -> tuple[str, list[str]]:
	"""The doctor's name, and what else identifies them (email, phone, GMC number)."""
	values = frappe.db.get_value("Case", case, ["doctor_name", "email", "phone", "gmc_number"], as_dict=True)
	return values.doctor_name or "", [
		values[field] for field in ("email", "phone", "gmc_number") if values[field]
	]


def anonymised(text: str | None, doctor_name: str, identifiers: Iterable[str] = ()) -> str:
	"""The text without the doctor's identity: any email address or long number (phone, GMC number), the
	doctor's own identifiers, and their name, whole or any part of it longer than two letters but a title."""
	text = EMAIL.sub(_("[email address]"), text or "")
	text = LONG_NUMBER.sub(_("[number]"), text)
	parts = {
		part for part in re.split(r"[\s,.'-]+", doctor_name) if len(part) > 2 and part.lower() not in TITLES
	}
	words = {value.strip() for value in (doctor_name, *identifiers) if value.strip()} | parts
	for word in sorted(words, key=len, reverse=True):
		text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", _("[the doctor]"), text, flags=re.IGNORECASE)
	# a name replaced part by part leaves "[the doctor] [the doctor]"
	return re.sub(r"(\[the doctor\])(\s+\[the doctor\])+", r"\1", text).strip()


def new_issue_title(seips_component: str, organisation: str | None, description: str | None = None) -> str:
	"""The SEIPS component and organisation, then the opening words of the (anonymised) description."""
	where = _("{0} at {1}").format(_(seips_component), organisation) if organisation else _(seips_component)
	words = (description or "").split()
	if not words:
		return where
	what = " ".join(words[:TITLE_WORDS]).rstrip(".,;:")
	title = f"{where}: {what}{'…' if len(words) > TITLE_WORDS else ''}"
	return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1] + "…"
