"""The deadlines a case's recorded dates give, where the rule is known (pure: dates in, deadlines out)."""

import datetime
from dataclasses import dataclass

from frappe import _

from lnb_casework.deadlines.arithmetic import (
	Deadline,
	next_exclusion_review,
	tribunal_limit,
	with_early_conciliation,
)

TRIBUNAL_LIMIT = "Employment tribunal limit"
EXCLUSION_REVIEW = "Exclusion review"
RULES = (TRIBUNAL_LIMIT, EXCLUSION_REVIEW)


@dataclass(frozen=True)
class CaseDates:
	act_complained_of_on: datetime.date | None = None
	acas_contacted_on: datetime.date | None = None
	acas_certificate_on: datetime.date | None = None
	excluded_from: datetime.date | None = None
	exclusion_ended_on: datetime.date | None = None


@dataclass(frozen=True)
class ComputedDeadline:
	rule: str
	description: str
	deadline: Deadline


def date_problems(dates: CaseDates) -> list[str]:
	"""What is inconsistent in the recorded dates, in words a caseworker understands."""
	problems = []
	if dates.acas_certificate_on and not dates.acas_contacted_on:
		problems.append(
			_("Give the date ACAS was contacted (Day A) as well as the certificate date (Day B).")
		)
	if (
		dates.acas_contacted_on
		and dates.acas_certificate_on
		and dates.acas_certificate_on < dates.acas_contacted_on
	):
		problems.append(_("The ACAS certificate (Day B) cannot come before ACAS was contacted (Day A)."))
	if dates.exclusion_ended_on and not dates.excluded_from:
		problems.append(_("Give the date the exclusion started as well as the date it ended."))
	if dates.excluded_from and dates.exclusion_ended_on and dates.exclusion_ended_on < dates.excluded_from:
		problems.append(_("The exclusion cannot end before it started."))
	return problems


def computed_deadlines(
	dates: CaseDates, today: datetime.date, tribunal_months: int, exclusion_weeks: int
) -> list[ComputedDeadline]:
	"""The employment tribunal limit (with ACAS early conciliation once both its dates are known) and the
	next review of an exclusion that has not ended. Call only with dates free of `date_problems`."""
	deadlines = []
	if dates.act_complained_of_on:
		limit = tribunal_limit(dates.act_complained_of_on, tribunal_months)
		if dates.acas_contacted_on and dates.acas_certificate_on:
			limit = with_early_conciliation(limit, dates.acas_contacted_on, dates.acas_certificate_on)
		deadlines.append(
			ComputedDeadline(TRIBUNAL_LIMIT, _("Last day to claim at the employment tribunal"), limit)
		)
	if dates.excluded_from and not dates.exclusion_ended_on:
		review = next_exclusion_review(dates.excluded_from, today, exclusion_weeks)
		deadlines.append(ComputedDeadline(EXCLUSION_REVIEW, _("Exclusion due for review"), review))
	return deadlines
