"""Writes many generated cases at once (10k, 100k), as rows shaped like those the app's own code path
leaves: the case as the intake stores it (consent recorded, equality answers only sealed, in their own
record), its tables, a state change, a workflow comment and a version for each move, the caseworker's
assignment, the review (its Just Culture outcome worked out as the Review controller works it out) with
its systemic factor, and, once approved, the factor's evidence on a systemic issue. References are taken
from the same naming series the app uses, by the year each case was opened.
"""

import datetime
import json
from collections import Counter, defaultdict
from collections.abc import Callable

import frappe
from frappe.utils import now_datetime

from lnb_casework.casework.rules import (
	ACTIVE_SUPPORT,
	ADVOCACY,
	ALLOCATED,
	CLOSED,
	REFERRED_ON,
	TRIAGE,
	UNDER_REVIEW,
	URGENT,
	WITHDRAWN,
	action_between,
)
from lnb_casework.demo.plan import (
	COORDINATOR,
	DOMAIN,
	ISSUES,
	ORGANISATIONS,
	PATHS,
	SYSTEMIC_FACTORS,
	CasePlan,
	caseworkers,
	move_dates,
	plan_case,
)
from lnb_casework.intake.equality import EQUALITY_QUESTIONS, answer_seal
from lnb_casework.intake.rules import is_urgent
from lnb_casework.learning.summary import refresh_issue
from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import get_lnb_settings
from lnb_casework.review.just_culture import QUESTIONS, assess
from lnb_casework.review.workflow import APPROVED

BATCH = 1000
VOLUNTEER_CAPACITY = 60  # the busiest volunteer at 100k holds about this many open cases
NOTE_OF = {WITHDRAWN: "withdrawal_reason", REFERRED_ON: "referred_to", CLOSED: "outcome"}
CASE_TABLES = {
	"processes": ("Case Process", ("process_type", "details")),
	"key_dates": ("Case Key Date", ("description", "date")),
	"discrimination_kinds": ("Case Discrimination Kind", ("kind",)),
}


class Rows:
	"""Rows to insert, by doctype, with the standard columns every Frappe record has."""

	def __init__(self) -> None:
		self.by_doctype: dict[str, list[dict]] = defaultdict(list)

	def add(self, doctype: str, when: datetime.datetime, by: str, **values) -> dict:
		row = {
			"name": values.pop("name", None) or frappe.generate_hash(length=10),
			"creation": when,
			"modified": when,
			"owner": by,
			"modified_by": by,
			"docstatus": values.pop("docstatus", 0),
			"idx": values.pop("idx", 0),
			**values,
		}
		self.by_doctype[doctype].append(row)
		return row

	def insert(self) -> None:
		for doctype, rows in self.by_doctype.items():
			columns = sorted({column for row in rows for column in row})
			frappe.db.bulk_insert(
				doctype,
				columns,
				[tuple(row.get(column) for column in columns) for row in rows],
				chunk_size=BATCH,
			)


def insert_cases(
	numbers: list[int],
	size: int,
	prefix: str,
	choices: dict[str, list[str]],
	issues: list[str],
	progress: Callable[[int], None],
) -> None:
	settings = get_lnb_settings()
	seal = answer_seal()
	case_columns = stored_columns("Case")
	review_columns = stored_columns("Review")
	issue_of_component = {component: issues[i] for i, (_title, component, _state) in enumerate(ISSUES)}
	today, now = frappe.utils.getdate(), now_datetime()
	for start in range(0, len(numbers), BATCH):
		plans = [plan_case(number, size, prefix, today, choices) for number in numbers[start : start + BATCH]]
		case_names = reserve_names("LNB-{}-", [plan.opened_on.year for plan in plans])
		review_names = reserve_names("REV-{}-", [plan.opened_on.year for plan in plans if plan.review])
		rows = Rows()
		for plan, name in zip(plans, case_names, strict=True):
			review = next(review_names) if plan.review else None
			add_case(
				rows,
				plan,
				name,
				review,
				settings,
				seal,
				case_columns,
				review_columns,
				issue_of_component,
				now,
			)
		rows.insert()
		frappe.db.commit()
		progress(len(plans))
	for issue in issues:
		refresh_issue(issue)
	frappe.db.commit()


def insert_volunteers(size: int) -> None:
	"""The numbered volunteer caseworkers of this size that are missing, with their profiles, as rows (Frappe
	allows only so many users to be made an hour through its own path)."""
	made = set(frappe.get_all("User", filters={"name": ("like", f"volunteer-%@{DOMAIN}")}, pluck="name"))
	rows = Rows()
	now = now_datetime()
	for person in caseworkers(size):
		if person.email in made or not person.email.startswith("volunteer-"):
			continue
		full_name = f"{person.first_name} {person.last_name}"
		rows.add(
			"User",
			now,
			"Administrator",
			name=person.email,
			email=person.email,
			first_name=person.first_name,
			last_name=person.last_name,
			full_name=full_name,
			enabled=1,
			user_type="System User",
			send_welcome_email=0,
		)
		for role in person.roles:
			rows.add(
				"Has Role",
				now,
				"Administrator",
				parent=person.email,
				parenttype="User",
				parentfield="roles",
				role=role,
			)
		rows.add(
			"Caseworker Profile",
			now,
			"Administrator",
			name=person.email,
			user=person.email,
			full_name=full_name,
			capacity=VOLUNTEER_CAPACITY,
		)
		rows.add(
			"Caseworker Organisation",
			now,
			"Administrator",
			parent=person.email,
			parenttype="Caseworker Profile",
			parentfield="organisations",
			idx=1,
			organisation=ORGANISATIONS[person.organisation][0],
		)
	rows.insert()
	frappe.db.commit()


def stored_columns(doctype: str) -> set[str]:
	return set(frappe.db.get_table_columns(doctype))


def reserve_names(pattern: str, years: list[int]):
	"""Takes as many names from each year's naming series as the batch needs, in one update a year, and
	yields them in the order of `years`."""
	taken: dict[int, list[str]] = {}
	for year, count in Counter(years).items():
		series = pattern.format(year)
		frappe.db.sql(
			"insert into `tabSeries` (name, current) values (%s, 0) on duplicate key update name = name",
			series,
		)
		frappe.db.sql("update `tabSeries` set current = current + %s where name = %s", (count, series))
		last = frappe.db.sql("select current from `tabSeries` where name = %s", series)[0][0]
		taken[year] = [f"{series}{number:05d}" for number in range(last - count + 1, last + 1)]
	for year in years:
		yield taken[year].pop(0)


def add_case(
	rows: Rows,
	plan: CasePlan,
	name: str,
	review: str | None,
	settings,
	seal,
	case_columns: set[str],
	review_columns: set[str],
	issue_of_component: dict[str, str],
	now: datetime.datetime,
) -> None:
	path = PATHS[plan.state]
	dates = [plan.opened_on, *move_dates(plan, len(path), now)]
	caseworker = plan.caseworker if ALLOCATED in path else None
	organisation = ORGANISATIONS[plan.organisation][0] if TRIAGE in path else None
	answers = plan.answers
	case = {
		field: value
		for field, value in answers.items()
		if field in case_columns and not isinstance(value, list)
	}
	case.update(
		{
			"consent_source": "Web form",
			"consent_recorded_on": plan.opened_on,
			"received_on": plan.opened_on.date(),
			"consent_version": settings.consent_version,
			"consent_wording": settings.consent_wording,
			"workflow_state": plan.state,
			"priority": URGENT if is_urgent(answers["wellbeing"]) else "Normal",
			"caseworker": caseworker,
			"organisation": organisation,
			"triage_notes": plan.notes["triage_notes"] if organisation else None,
			"last_activity_on": dates[-1],
		}
	)
	note = NOTE_OF.get(plan.state)
	if note:
		case[note] = plan.notes[note]
	row = rows.add("Case", plan.opened_on, "Guest", name=name, **case)
	row["modified"], row["modified_by"] = dates[-1], COORDINATOR.email
	for table, (doctype, columns) in CASE_TABLES.items():
		for idx, child in enumerate(answers[table], start=1):
			rows.add(
				doctype,
				plan.opened_on,
				"Guest",
				parent=name,
				parenttype="Case",
				parentfield=table,
				idx=idx,
				**{column: child.get(column) for column in columns},
			)
	equality = {question: answers.get(f"equality_{question}") for question in EQUALITY_QUESTIONS}
	rows.add(
		"Equality Monitoring", plan.opened_on, "Guest", case=name, sealed_answers=seal.seal(name, equality)
	)
	states = ["", "New", *path]
	for step, when in enumerate(dates):
		before, after = states[step], states[step + 1]
		by = "Guest" if not before else mover(after, caseworker)
		rows.add(
			"Case State Change",
			when,
			by,
			case=name,
			from_state=before,
			to_state=after,
			action=action_between(before, after) or "",
			changed_by=by,
			changed_on=when,
			note=plan.notes.get(NOTE_OF.get(after, ""), ""),
		)
		if before:
			rows.add(
				"Comment",
				when,
				by,
				comment_type="Workflow",
				reference_doctype="Case",
				reference_name=name,
				content=after,
				comment_email=by,
			)
			rows.add(
				"Version",
				when,
				by,
				ref_doctype="Case",
				docname=name,
				data=json.dumps({"changed": [["workflow_state", before, after]], "added": [], "removed": []}),
			)
	if caseworker:
		allocated_on = dates[path.index(ALLOCATED) + 1]
		rows.add(
			"ToDo",
			allocated_on,
			COORDINATOR.email,
			status="Open",
			priority="Medium",
			date=allocated_on.date(),
			allocated_to=caseworker,
			description=f"Case {name} has been allocated to you.",
			reference_type="Case",
			reference_name=name,
			assigned_by=COORDINATOR.email,
		)
	if review:
		add_review(
			rows, plan, name, review, caseworker, organisation, dates, review_columns, issue_of_component
		)


def mover(state: str, caseworker: str | None) -> str:
	if state in (UNDER_REVIEW, ACTIVE_SUPPORT, ADVOCACY) and caseworker:
		return caseworker
	return COORDINATOR.email


def add_review(
	rows: Rows,
	plan: CasePlan,
	case: str,
	name: str,
	caseworker: str,
	organisation: str,
	dates: list[datetime.datetime],
	review_columns: set[str],
	issue_of_component: dict[str, str],
) -> None:
	planned = plan.review
	written = dates[min(3, len(dates) - 1)]
	assessment = assess(planned.just_culture)
	approved = planned.state == APPROVED
	review = {
		"case": case,
		"workflow_state": planned.state,
		"docstatus": 1 if approved else 0,
		"action_or_omission": "(Fictional) The decision to exclude the doctor.",
		"recommendation": planned.recommendation,
		"just_culture_outcome": assessment.outcome,
		"just_culture_decided_by": "\n".join(f"{q}: {QUESTIONS[q]}" for q in assessment.decided_by),
		"just_culture_needs_evidence": "\n".join(f"{q}: {QUESTIONS[q]}" for q in assessment.needs_evidence),
		"system_review_needed": int(assessment.system_review_needed),
		**{f"jc_{question}": answer for question, answer in planned.just_culture.items()},
	}
	rows.add(
		"Review",
		written,
		caseworker,
		name=name,
		**{k: v for k, v in review.items() if k in review_columns or k == "docstatus"},
	)
	issue = issue_of_component[planned.systemic_factor] if approved else None
	factor = rows.add(
		"Review Systemic Factor",
		written,
		caseworker,
		parent=name,
		parenttype="Review",
		parentfield="systemic_factors",
		idx=1,
		docstatus=1 if approved else 0,
		seips_component=planned.systemic_factor,
		description=SYSTEMIC_FACTORS[planned.systemic_factor],
		organisation=organisation,
		systemic_issue=issue,
	)
	if issue:
		rows.add(
			"Systemic Issue Evidence",
			written,
			COORDINATOR.email,
			systemic_issue=issue,
			case=case,
			review=name,
			review_factor=factor["name"],
			seen_on=written.date(),
			added_by=COORDINATOR.email,
		)
