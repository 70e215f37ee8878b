"""What the data generator makes, as pure functions: fictional people, organisations and cases, each case
worked out from its number alone (so a second run makes exactly the cases the first did not), spread over
years and over every workflow state.

Everything is plainly made up: surnames such as "Sampleton" and "Mockridge", organisations in
"Exampleshire", phone numbers from Ofcom's range kept for drama (07700 900xxx), no GMC numbers, and every
email address at example.invalid, a domain that can never receive mail. That domain is also how the
generator knows its own records again.
"""

import datetime
import functools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lnb_casework.casework.rules import (
	ACTIVE_SUPPORT,
	ADVOCACY,
	ALLOCATED,
	CLOSED,
	ENDED_STATES,
	NEW,
	OPEN_STATES,
	REFERRED_ON,
	TRIAGE,
	UNDER_REVIEW,
	WITHDRAWN,
)
from lnb_casework.intake.sealed_answers import QUESTIONS as EQUALITY_QUESTIONS
from lnb_casework.learning.workflows import (
	ABANDONED,
	BEING_ADDRESSED,
	COMPLETED,
	ESCALATED,
	IDENTIFIED,
	IN_PROGRESS,
	PLANNED,
	RESOLVED,
	UNDER_ANALYSIS,
)
from lnb_casework.learning.workflows import CLOSED as ISSUE_CLOSED
from lnb_casework.review.workflow import APPROVED, DRAFT, SUBMITTED_FOR_APPROVAL

DOMAIN = "example.invalid"
# how a query finds the generator's cases: their doctors' addresses
GENERATED_EMAILS = f"%@{DOMAIN}"
SIZES = {"demo": 18, "10k": 10_000, "100k": 100_000}
CASE_STATES = (*OPEN_STATES, *ENDED_STATES)
REVIEW_STATES = (DRAFT, SUBMITTED_FOR_APPROVAL, APPROVED)
# a case has a review once it has reached casework beyond allocation
REVIEWED_STATES = (UNDER_REVIEW, ACTIVE_SUPPORT, ADVOCACY, CLOSED)

# The states a case passes through on its way to each state, after New.
PATHS: dict[str, tuple[str, ...]] = {
	NEW: (),
	TRIAGE: (TRIAGE,),
	ALLOCATED: (TRIAGE, ALLOCATED),
	UNDER_REVIEW: (TRIAGE, ALLOCATED, UNDER_REVIEW),
	ACTIVE_SUPPORT: (TRIAGE, ALLOCATED, UNDER_REVIEW, ACTIVE_SUPPORT),
	ADVOCACY: (TRIAGE, ALLOCATED, UNDER_REVIEW, ACTIVE_SUPPORT, ADVOCACY),
	CLOSED: (TRIAGE, ALLOCATED, UNDER_REVIEW, CLOSED),
	WITHDRAWN: (TRIAGE, WITHDRAWN),
	REFERRED_ON: (TRIAGE, REFERRED_ON),
}

FIRST_NAMES = (
	"Alex", "Bailey", "Casey", "Devon", "Eden", "Frankie", "Gale", "Harper", "Indy", "Jordan", "Kit",
	"Logan", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Riley", "Sage", "Taylor", "Umar", "Val",
	"Wren", "Yuki", "Zain",
)  # fmt: skip
SURNAMES = (
	"Sampleton", "Mockridge", "Testwood", "Exampleby", "Demoford", "Placeholder", "Fakenham-Vale",
	"Dummett-Lane", "Specimen", "Pretendley", "Madeupson", "Notreal", "Trialby", "Prototon", "Mockford",
)  # fmt: skip
ORGANISATIONS = (
	("Exampleshire Hospitals NHS Trust (fictional)", "NHS trust", "Midlands"),
	("Sampleton General NHS Foundation Trust (fictional)", "NHS foundation trust", "North West"),
	("Demoford Community Health NHS Trust (fictional)", "NHS trust", "South West"),
	("Mockridge and Testwood Integrated Care Board (fictional)", "Integrated care board", "London"),
	("Placeholder Lane Medical Practice (fictional)", "GP practice", "East of England"),
	("Pretendley Valley Health Board (fictional)", "Health board", "Wales"),
)
SPECIALTIES = (
	"Anaesthetics", "Emergency medicine", "General practice", "General surgery", "Obstetrics and gynaecology",
	"Paediatrics", "Psychiatry", "Radiology", "Acute medicine", "Cardiology",
)  # fmt: skip
STORIES = (
	"I was excluded from work after a patient safety incident on a night shift, with no review date given.",
	"A complaint about my conduct was turned into a formal MHPS investigation without an initial assessment.",
	"After I raised concerns about rota gaps my rota was changed and I was told I was 'not a team player'.",
	"I was referred to the GMC by my trust before any local process had looked at what happened.",
	"I was moved off the on-call rota for months while an investigation that never reached a hearing went on.",
	"The investigation report was shared with colleagues before I had a chance to respond to it.",
)
WHAT_NEXT = (
	"I would like advice on the process and someone to talk to.",
	"The hearing is soon and I do not know what to expect.",
	"I want the trust to learn from this rather than blame one person.",
)
KEY_DATE_KINDS = ("Disciplinary hearing", "Investigation meeting", "Exclusion review", "Tribunal deadline")
SYSTEMIC_FACTORS = {
	"Organisation": "Exclusions were renewed without the review the policy requires.",
	"Tasks": "Handover at the end of the night shift had no agreed structure.",
	"Tools and technology": "The electronic prescribing system allowed a tenfold dose without a warning.",
	"Internal environment": "The unit ran for weeks with two doctors fewer than the rota needed.",
	"External environment": "A regulator referral was made before any local process.",
	"Person(s)": "New starters were put on call before their induction.",
}
# (title, SEIPS component, state it ends in)
ISSUES = (
	("Exclusions renewed without review (demo)", "Organisation", IDENTIFIED),
	("Unstructured night handover (demo)", "Tasks", UNDER_ANALYSIS),
	("Prescribing system lets tenfold doses through (demo)", "Tools and technology", ESCALATED),
	("Chronic rota gaps on acute units (demo)", "Internal environment", BEING_ADDRESSED),
	("Regulator referrals before local process (demo)", "External environment", RESOLVED),
	("On call before induction (demo)", "Person(s)", ISSUE_CLOSED),
)
ISSUE_PATHS: dict[str, tuple[str, ...]] = {
	IDENTIFIED: (),
	UNDER_ANALYSIS: (UNDER_ANALYSIS,),
	ESCALATED: (UNDER_ANALYSIS, ESCALATED),
	BEING_ADDRESSED: (UNDER_ANALYSIS, ESCALATED, BEING_ADDRESSED),
	RESOLVED: (UNDER_ANALYSIS, ESCALATED, BEING_ADDRESSED, RESOLVED),
	ISSUE_CLOSED: (ISSUE_CLOSED,),
}
# (title, action type, target body, state it ends in, the issue it serves)
ACTIONS = (
	("Letter to Exampleshire about exclusion reviews (demo)", "Letter to an organisation", "Exampleshire Hospitals NHS Trust (fictional)", PLANNED, 0),
	("Meeting the fictional regulator on early referrals (demo)", "Regulator engagement", "A fictional regulator", IN_PROGRESS, 4),
	("Consultation response on rota standards (demo)", "Policy consultation response", "A fictional royal college", COMPLETED, 3),
	("Press briefing on handover (demo)", "Media", "Fictional Health News", ABANDONED, 1),
)  # fmt: skip
ACTION_PATHS: dict[str, tuple[str, ...]] = {
	PLANNED: (),
	IN_PROGRESS: (IN_PROGRESS,),
	COMPLETED: (IN_PROGRESS, COMPLETED),
	ABANDONED: (ABANDONED,),
}


@dataclass(frozen=True)
class Person:
	email: str
	first_name: str
	last_name: str
	roles: tuple[str, ...]
	organisation: int | None = None  # a caseworker's employer, by its place in ORGANISATIONS


PEOPLE = (
	Person(f"cordelia.coordinator@{DOMAIN}", "Cordelia", "Coordinator (demo)", ("LNB Coordinator",)),
	Person(f"casey.casework@{DOMAIN}", "Casey", "Casework (demo)", ("LNB Caseworker",), 0),
	Person(f"cameron.casework@{DOMAIN}", "Cameron", "Casework (demo)", ("LNB Caseworker",), 1),
	Person(f"cassidy.casework@{DOMAIN}", "Cassidy", "Casework (demo)", ("LNB Caseworker",), 2),
	Person(f"polly.policy@{DOMAIN}", "Polly", "Policy (demo)", ("LNB Policy Lead",)),
)
COORDINATOR = PEOPLE[0]
CASEWORKERS = PEOPLE[1:4]
POLICY_LEAD = PEOPLE[4]
CASEWORKER_CAPACITY = 12
# the larger sizes share their cases among this many more caseworkers per case, as a national campaign would
CASES_PER_VOLUNTEER = 200


@functools.cache
def caseworkers(size: int) -> tuple[Person, ...]:
	"""Who casework is shared among at this size: the demo's three, and for the larger sizes numbered
	volunteers, each working for one of the organisations in turn."""
	if size <= SIZES["demo"]:
		return CASEWORKERS
	return CASEWORKERS + tuple(
		Person(
			f"volunteer-{number:04d}@{DOMAIN}",
			"Volunteer",
			f"{number:04d} (generated)",
			("LNB Caseworker",),
			number % len(ORGANISATIONS),
		)
		for number in range(1, size // CASES_PER_VOLUNTEER - len(CASEWORKERS) + 1)
	)


@dataclass(frozen=True)
class ReviewPlan:
	state: str
	just_culture: dict[str, str]
	systemic_factor: str  # its SEIPS component; the description is SYSTEMIC_FACTORS'
	recommendation: str


@dataclass(frozen=True)
class CasePlan:
	number: int
	state: str
	opened_on: datetime.datetime
	answers: dict  # the doctor's answers, as the intake form sends them (equality answers included)
	organisation: int
	caseworker: str  # the email of the caseworker it is (or would be) allocated to
	review: ReviewPlan | None
	days_per_move: int
	notes: dict[str, str] = field(default_factory=dict)  # what each move needs (outcome, reasons)


def doctor_email(prefix: str, number: int) -> str:
	return f"{prefix}-{number:06d}@{DOMAIN}"


def case_state(number: int, size: int, rng: random.Random) -> str:
	"""Demo data takes the states in turn (each equally often); larger sizes weigh them as a campaign's
	caseload would be, while still reaching every state."""
	if size <= SIZES["demo"] or number <= len(CASE_STATES):
		return CASE_STATES[(number - 1) % len(CASE_STATES)]
	return rng.choices(CASE_STATES, weights=(4, 3, 5, 6, 6, 3, 55, 10, 8))[0]


def opened_on(state: str, today: datetime.date, years: int, rng: random.Random) -> datetime.datetime:
	"""Ended cases are spread over the years; open ones are mostly from the last months."""
	days = 365 * years if state in ENDED_STATES or rng.random() < 0.1 else 180
	if state in (NEW, TRIAGE):
		days = 21
	day = today - datetime.timedelta(days=rng.randrange(1, days + 1))
	return datetime.datetime.combine(day, datetime.time(rng.randrange(7, 22), rng.randrange(60)))


def plan_case(
	number: int, size: int, prefix: str, today: datetime.date, choices: Mapping[str, Sequence[str]]
) -> CasePlan:
	"""One fictional case, the same every time for the same number. `choices` holds the allowed answers of
	each Select field (the Case's, its tables' as "table.field", the equality questions' by name)."""
	rng = random.Random(f"{prefix}-{number}")
	state = case_state(number, size, rng)
	years = 2 if size <= SIZES["demo"] else 5
	started = opened_on(state, today, years, rng)
	organisation = rng.randrange(len(ORGANISATIONS))
	first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
	discrimination = rng.choice(options(choices, "discrimination"))
	key_dates = []
	for _ in range(rng.randrange(3)):
		day = today + datetime.timedelta(days=rng.randrange(-60, 90))
		if state in ENDED_STATES:
			day = started.date() + datetime.timedelta(days=rng.randrange(10, 120))
		key_dates.append({"description": rng.choice(KEY_DATE_KINDS), "date": day.isoformat()})
	answers = {
		"doctor_name": f"Dr {first} {surname}",
		"email": doctor_email(prefix, number),
		"phone": f"07700 900{rng.randrange(1000):03d}",
		"contact_preference": rng.choice(options(choices, "contact_preference")),
		"grade": rng.choice(options(choices, "grade")),
		"specialty": rng.choice(SPECIALTIES),
		"employer_name": ORGANISATIONS[organisation][0],
		"what_happened": f"(Fictional case) {rng.choice(STORIES)} {rng.choice(WHAT_NEXT)}",
		"processes": [
			{"process_type": kind, "details": ""}
			for kind in rng.sample(options(choices, "processes.process_type"), rng.randrange(1, 3))
		],
		"key_dates": key_dates,
		"discrimination": discrimination,
		"discrimination_kinds": [
			{"kind": kind}
			for kind in rng.sample(options(choices, "discrimination_kinds.kind"), rng.randrange(1, 3))
		]
		if discrimination == "Yes"
		else [],
		"wellbeing": rng.choices(options(choices, "wellbeing"), weights=(9, 1))[0],
		"consent_given": 1,
	}
	for question in EQUALITY_QUESTIONS:
		if rng.random() < 0.9:
			answers[f"equality_{question}"] = rng.choice(options(choices, question))
	review = None
	if state in REVIEWED_STATES:
		review_state = APPROVED if state == CLOSED else REVIEW_STATES[(number - 1) // len(CASE_STATES) % 3]
		review = ReviewPlan(
			state=review_state,
			just_culture=just_culture_answers(rng),
			systemic_factor=rng.choice(tuple(SYSTEMIC_FACTORS)),
			recommendation="(Fictional) Review the exclusion policy with the doctors it applies to.",
		)
	return CasePlan(
		number=number,
		state=state,
		opened_on=started,
		answers=answers,
		organisation=organisation,
		caseworker=caseworker_for(organisation, caseworkers(size), rng),
		review=review,
		days_per_move=rng.randrange(2, 15),
		notes={
			"outcome": "(Fictional) The trust withdrew the sanction and apologised.",
			"withdrawal_reason": "(Fictional) The doctor resolved the matter locally.",
			"referred_to": "A fictional medical defence organisation",
			"triage_notes": "(Fictional) Read and triaged.",
		},
	)


def caseworker_for(organisation: int, team: tuple[Person, ...], rng: random.Random) -> str:
	"""Anyone but those who work for the organisation the case concerns (a conflict of interest)."""
	chosen = rng.randrange(len(team))
	while team[chosen].organisation == organisation:
		chosen = (chosen + 1) % len(team)
	return team[chosen].email


def just_culture_answers(rng: random.Random) -> dict[str, str]:
	"""Answers that lead, most often, to a system failure, as the campaign's reviews mostly find."""
	answers = {"1a": "No", "2a": "No", "2b": "No", "2c": "No", "3a": "Yes", "3b": "No", "3c": "No"}
	if rng.random() < 0.3:
		answers.update({"3b": "Yes", "4a": "Yes", "4b": "No", "4c": "Unknown"})
	return answers


def options(choices: Mapping[str, Sequence[str]], field: str) -> list[str]:
	return [option for option in choices[field] if option]


def move_dates(plan: CasePlan, moves: int, now: datetime.datetime) -> list[datetime.datetime]:
	"""When each of a case's moves happened: days apart after it was opened, or closer together when that
	would reach the present; in order, and never in the future."""
	step = datetime.timedelta(days=plan.days_per_move, hours=1)
	if plan.opened_on + step * moves >= now:
		step = (now - plan.opened_on) / (moves + 1)
	return [plan.opened_on + step * number for number in range(1, moves + 1)]
