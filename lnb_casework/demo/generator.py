"""Makes the generator's fictional data on a site (what it makes is planned in plan.py).

Demo data goes through the app itself, as the people who use it would: each case is submitted as the
intake form submits it (its equality answers sealed by the intake), triaged and allocated by the demo
coordinator, reviewed by its caseworker, approved, promoted to a systemic issue and closed through the
workflows, then its dates are moved back to when it was opened. The larger sizes write the same rows in
bulk (bulk.py). Every run makes only what is missing, so running it twice adds nothing.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import frappe
from frappe import _
from frappe.model.naming import make_autoname
from frappe.model.workflow import apply_workflow
from frappe.utils import now_datetime
from frappe.utils.password import update_password

from lnb_casework.api.casework import allocate
from lnb_casework.api.learning import promote
from lnb_casework.casework.rules import (
	ALLOCATED,
	CLOSED,
	REFERRED_ON,
	TRIAGE,
	URGENT,
	WITHDRAWN,
	action_between,
)
from lnb_casework.demo.bulk import insert_cases, insert_volunteers
from lnb_casework.demo.plan import (
	ACTION_PATHS,
	ACTIONS,
	CASEWORKER_CAPACITY,
	COORDINATOR,
	DOMAIN,
	GENERATED_EMAILS,
	ISSUE_PATHS,
	ISSUES,
	ORGANISATIONS,
	PATHS,
	PEOPLE,
	POLICY_LEAD,
	SIZES,
	SYSTEMIC_FACTORS,
	CasePlan,
	doctor_email,
	move_dates,
	plan_case,
)
from lnb_casework.intake.equality import EQUALITY_QUESTIONS
from lnb_casework.learning.workflows import ADVOCACY_ACTION_WORKFLOW, SYSTEMIC_ISSUE_WORKFLOW
from lnb_casework.learning.workflows import NEEDED_FOR as LEARNING_NEEDED_FOR
from lnb_casework.mail import MAIL_NOT_SENT
from lnb_casework.review.workflow import APPROVE, APPROVED, SUBMIT_FOR_APPROVAL, SUBMITTED_FOR_APPROVAL

DEMO_PREFIX = "demo"
BULK_PREFIX = "generated"

Progress = Callable[[int], None]


def generate(size: str, password: str | None = None, progress: Progress | None = None) -> int:
	"""Makes the cases of this size that are missing (and the people, organisations, issues and actions they
	need); returns how many cases it made. `progress` is told of each case made."""
	if size not in SIZES:
		frappe.throw(_("Choose a size from: {0}").format(", ".join(SIZES)))
	progress = progress or (lambda _count: None)
	frappe.set_user("Administrator")
	with mail_held_back():
		return generate_muted(size, password, progress)


@contextmanager
def mail_held_back() -> Iterator[None]:
	"""Frappe's own switch for work that must send nothing (as its data import uses it): what the making
	queues stays unsent, even urgent mail sent as each case commits, until forget_queued_mail drops it."""
	were_muted = frappe.flags.mute_emails
	frappe.flags.mute_emails = True
	try:
		yield
	finally:
		frappe.flags.mute_emails = were_muted


def generate_muted(size: str, password: str | None, progress: Progress) -> int:
	ensure_organisations()
	ensure_people(password)
	if size != "demo":
		insert_volunteers(SIZES[size])
	issues = ensure_issues()
	ensure_actions(issues)
	frappe.db.commit()
	prefix = DEMO_PREFIX if size == "demo" else BULK_PREFIX
	numbers = missing_case_numbers(prefix, SIZES[size])
	if size == "demo":
		for number in numbers:
			make_case_through_the_app(
				plan_case(number, SIZES[size], prefix, frappe.utils.getdate(), choices()), issues
			)
			frappe.db.commit()
			progress(1)
	else:
		insert_cases(numbers, SIZES[size], prefix, choices(), issues, progress)
	forget_queued_mail()
	frappe.db.commit()
	return len(numbers)


def missing_cases(size: str) -> int:
	"""How many cases of this size are still to be made."""
	return len(missing_case_numbers(DEMO_PREFIX if size == "demo" else BULK_PREFIX, SIZES[size]))


def missing_case_numbers(prefix: str, count: int) -> list[int]:
	made = set(frappe.get_all("Case", filters={"email": ("like", f"{prefix}-%@{DOMAIN}")}, pluck="email"))
	return [number for number in range(1, count + 1) if doctor_email(prefix, number) not in made]


def choices() -> dict[str, list[str]]:
	"""The allowed answers of each Select field the plan fills, from the doctypes themselves."""
	case = frappe.get_meta("Case")
	found = {df.fieldname: case.get_options(df.fieldname).split("\n") for df in case.get_select_fields()}
	for table in ("processes", "discrimination_kinds"):
		child = frappe.get_meta(case.get_field(table).options)
		for df in child.get_select_fields():
			found[f"{table}.{df.fieldname}"] = child.get_options(df.fieldname).split("\n")
	equality = frappe.get_meta("Equality Monitoring")
	for question in EQUALITY_QUESTIONS:
		found[question] = equality.get_options(question).split("\n")
	return found


def ensure_organisations() -> None:
	for name, kind, region in ORGANISATIONS:
		if not frappe.db.exists("Healthcare Organisation", name):
			frappe.get_doc(
				{
					"doctype": "Healthcare Organisation",
					"organisation_name": name,
					"organisation_type": kind,
					"region": region,
				}
			).insert(ignore_permissions=True)


def ensure_people(password: str | None) -> None:
	"""The demo's coordinator, caseworkers (each with a profile naming the organisation they work for)
	and policy lead; with a password, each can sign in with it."""
	for person in PEOPLE:
		if not frappe.db.exists("User", person.email):
			frappe.get_doc(
				{
					"doctype": "User",
					"email": person.email,
					"first_name": person.first_name,
					"last_name": person.last_name,
					"send_welcome_email": 0,
					"roles": [{"role": role} for role in person.roles],
				}
			).insert(ignore_permissions=True)
		if password:
			update_password(person.email, password)
		if person.organisation is not None and not frappe.db.exists("Caseworker Profile", person.email):
			frappe.get_doc(
				{
					"doctype": "Caseworker Profile",
					"user": person.email,
					"capacity": CASEWORKER_CAPACITY,
					"organisations": [{"organisation": ORGANISATIONS[person.organisation][0]}],
				}
			).insert(ignore_permissions=True)


def ensure_issues() -> list[str]:
	"""The demo's systemic issues, one in each state, made and moved by the policy lead; their names in
	ISSUES' order."""
	names = []
	for title, component, state in ISSUES:
		name = frappe.db.get_value("Systemic Issue", {"title": title})
		if not name:
			with acting_as(POLICY_LEAD.email):
				issue = frappe.get_doc(
					{
						"doctype": "Systemic Issue",
						"title": title,
						"description": f"(Fictional demo data) {SYSTEMIC_FACTORS[component]}",
						"seips_components": [{"seips_component": component}],
						"severity": "High" if component == "Organisation" else "Medium",
					}
				).insert()
				for next_state in ISSUE_PATHS[state]:
					give_what_the_move_needs(issue, next_state)
					issue = apply_workflow(issue, workflow_action(SYSTEMIC_ISSUE_WORKFLOW, issue, next_state))
				name = issue.name
		names.append(name)
	return names


def ensure_actions(issues: list[str]) -> None:
	for title, kind, target, state, issue in ACTIONS:
		if frappe.db.exists("Advocacy Action", {"title": title}):
			continue
		with acting_as(POLICY_LEAD.email):
			action = frappe.get_doc(
				{
					"doctype": "Advocacy Action",
					"title": title,
					"action_type": kind,
					"target_body": target,
					"responsible": POLICY_LEAD.email,
					"due_date": frappe.utils.add_days(frappe.utils.getdate(), 30),
					"systemic_issues": [{"systemic_issue": issues[issue]}],
				}
			).insert()
			for next_state in ACTION_PATHS[state]:
				give_what_the_move_needs(action, next_state)
				action = apply_workflow(action, workflow_action(ADVOCACY_ACTION_WORKFLOW, action, next_state))


MOVE_NOTES = {
	"closed_reason": "(Fictional) Merged into a wider issue.",
	"outcome": "(Fictional) The organisation agreed to change its policy.",
	"abandoned_reason": "(Fictional) Overtaken by events.",
}


def give_what_the_move_needs(doc, next_state: str) -> None:
	if next_state in LEARNING_NEEDED_FOR:
		field = LEARNING_NEEDED_FOR[next_state][0]
		doc.set(field, MOVE_NOTES[field])
		doc.save()


def workflow_action(spec, doc, next_state: str) -> str:
	return next(
		t.action for t in spec.transitions if (t.state, t.next_state) == (doc.workflow_state, next_state)
	)


class acting_as:
	"""Does what follows as this user (with their roles and row rules), then as the user before."""

	def __init__(self, user: str):
		self.user = user

	def __enter__(self) -> None:
		self.before = frappe.session.user
		frappe.set_user(self.user)

	def __exit__(self, *exc) -> None:
		frappe.set_user(self.before)


def make_case_through_the_app(plan: CasePlan, issues: list[str]) -> str:
	"""Submits the case as the intake form does, moves it to its state as the coordinator and caseworker
	would, writes its review, then dates it all back to when it was opened."""
	caseworker = plan.caseworker
	with acting_as("Guest"):
		case = frappe.new_doc("Case")
		case.update(plan.answers)
		case.flags.from_intake_form = True
		case.insert(
			ignore_permissions=True, set_name=make_autoname(f"LNB-{plan.opened_on.year}-.#####", "Case")
		)
	review = None
	for next_state in PATHS[plan.state]:
		if next_state == TRIAGE:
			with acting_as(COORDINATOR.email):
				case = apply_workflow(case, "Start triage")
				case.update(
					{
						"organisation": ORGANISATIONS[plan.organisation][0],
						"triage_notes": plan.notes["triage_notes"],
						"priority": URGENT if case.priority == URGENT else "Normal",
					}
				)
				case.save()
			continue
		if next_state == ALLOCATED:
			with acting_as(COORDINATOR.email):
				allocate(case.name, caseworker)
			continue
		if next_state == CLOSED and plan.review:
			review = write_review(plan, case.name, caseworker)
		by_coordinator = next_state in (CLOSED, WITHDRAWN, REFERRED_ON)
		with acting_as(COORDINATOR.email if by_coordinator else caseworker):
			case = frappe.get_doc("Case", case.name)
			if by_coordinator:
				note = {CLOSED: "outcome", WITHDRAWN: "withdrawal_reason", REFERRED_ON: "referred_to"}[
					next_state
				]
				case.set(note, plan.notes[note])
				case.save()
			case = apply_workflow(case, action_between(case.workflow_state, next_state))
	if plan.review and not review:
		review = write_review(plan, case.name, caseworker)
	date_back(case.name, plan, review)
	if plan.review and plan.review.state == APPROVED:
		with acting_as(COORDINATOR.email):
			factor = frappe.get_doc("Review", review).systemic_factors[0]
			issue = next(issues[i] for i, issue in enumerate(ISSUES) if issue[1] == factor.seips_component)
			promote(review, factor.name, issue)
	return case.name


def write_review(plan: CasePlan, case: str, caseworker: str) -> str:
	"""The caseworker's review, taken as far as its planned state."""
	planned = plan.review
	with acting_as(caseworker):
		review = frappe.get_doc(
			{
				"doctype": "Review",
				"case": case,
				"action_or_omission": "(Fictional) The decision to exclude the doctor.",
				"circumstances": "(Fictional) A busy night shift with two doctors short.",
				"context": "(Fictional) The unit had raised rota gaps for months.",
				**{f"jc_{question}": answer for question, answer in planned.just_culture.items()},
				"systemic_factors": [
					{
						"seips_component": planned.systemic_factor,
						"description": SYSTEMIC_FACTORS[planned.systemic_factor],
						"organisation": ORGANISATIONS[plan.organisation][0],
					}
				],
				"recommendation": planned.recommendation,
			}
		)
		review.insert(set_name=make_autoname(f"REV-{plan.opened_on.year}-.#####", "Review"))
		if planned.state in (SUBMITTED_FOR_APPROVAL, APPROVED):
			review = apply_workflow(review, SUBMIT_FOR_APPROVAL)
	if planned.state == APPROVED:
		with acting_as(COORDINATOR.email):
			review = apply_workflow(review, APPROVE)
	return review.name


def date_back(case: str, plan: CasePlan, review: str | None) -> None:
	"""Moves the case's dates back to when it was opened, each move some days after the last."""
	now = now_datetime()
	changes = frappe.get_all(
		"Case State Change", filters={"case": case}, fields=["name"], order_by="creation asc, changed_on asc"
	)
	dates = [plan.opened_on, *move_dates(plan, len(changes) - 1, now)]
	for change, when in zip(changes, dates, strict=False):
		frappe.db.set_value(
			"Case State Change",
			change.name,
			{"changed_on": when, "creation": when, "modified": when},
			update_modified=False,
		)
	last = dates[-1]
	frappe.db.set_value(
		"Case",
		case,
		{
			"creation": plan.opened_on,
			"received_on": plan.opened_on.date(),
			"modified": last,
			"last_activity_on": last,
			"consent_recorded_on": plan.opened_on,
		},
		update_modified=False,
	)
	frappe.db.set_value(
		"Equality Monitoring", {"case": case}, "creation", plan.opened_on, update_modified=False
	)
	frappe.db.set_value(
		"ToDo",
		{"reference_type": "Case", "reference_name": case},
		{"creation": dates[min(2, len(dates) - 1)]},
		update_modified=False,
	)
	if review:
		when = dates[min(3, len(dates) - 1)]
		frappe.db.set_value("Review", review, {"creation": when, "modified": last}, update_modified=False)


def generated_cases() -> list[str]:
	return frappe.get_all("Case", filters={"email": ("like", GENERATED_EMAILS)}, pluck="name")


def forget_queued_mail() -> None:
	"""Generated records tell nobody: the mail their making queued (acknowledgements to made-up doctors,
	alerts about made-up cases) is dropped before it is sent."""
	queue = frappe.qb.DocType("Email Queue")
	case = frappe.qb.DocType("Case")
	review = frappe.qb.DocType("Review")
	generated = frappe.qb.from_(case).select(case.name).where(case.email.like(GENERATED_EMAILS))
	reviews = frappe.qb.from_(review).select(review.name).where(review.case.isin(generated))
	names = (
		frappe.qb.from_(queue)
		.select(queue.name)
		.where(queue.status == "Not Sent")
		.where(
			((queue.reference_doctype == "Case") & queue.reference_name.isin(generated))
			| ((queue.reference_doctype == "Review") & queue.reference_name.isin(reviews))
		)
		.run(pluck=True)
	)
	for start in range(0, len(names), 1000):
		batch = names[start : start + 1000]
		frappe.db.delete("Email Queue Recipient", {"parent": ("in", batch)})
		frappe.db.delete("Email Queue", {"name": ("in", batch)})
	# on a site with no outgoing account nothing was queued, and the coordinators were told so of each email
	cases = generated_cases()
	reviews = frappe.get_all("Review", filters={"case": ("in", cases)}, pluck="name") if cases else []
	for doctype, names in (("Case", cases), ("Review", reviews)):
		if names:
			frappe.db.delete(
				"LNB Alert Log",
				{"alert": MAIL_NOT_SENT, "reference_doctype": doctype, "reference_name": ("in", names)},
			)
