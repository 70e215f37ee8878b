"""Discrimination and Disproportionality: who the doctors are, and the kinds of discrimination they report.

Two views, never mixed (docs/equality-monitoring.md):

Who the doctors are
	The equality monitoring answers of the cases received in the period, question by question: how many
	cases gave each answer, each answer's share among the cases that answered the question ("Prefer not to
	say" and unanswered have rows of their own and are not in the share), the group's share of the
	reference population entered in LNB Settings, and disproportionality: share among cases ÷ reference
	share. No role may open Equality Monitoring records, and this report shows only totals.

Kinds of discrimination reported
	What the doctors said happened: the answer to the case's discrimination question, and how many distinct
	cases report each kind.

Periods (lnb_casework/learning/periods.py)
	Only calendar years that have ended, and every case received in one counts in it whatever became of it
	later (a withdrawn case too): a closed year's figures never change, so comparing runs before and after
	an intake or a withdrawal tells nothing. Years never overlap, so no two runs count cases that differ by
	a few.

Disclosure control (lnb_casework/learning/disclosure.py, docs/disclosure-control.md)
	This module only sorts the period's cases by their answers and lays out the figures; every count, share
	and ratio is published by the disclosure module: perturbed, small numbers suppressed, a question's two
	lines (its answers to those who answered; those, "Prefer not to say" and unanswered to all the cases)
	suppressed together, and a question too few answered held back whole.

Who may run it, and its ref_doctype
	Coordinators and policy leads (the report's roles; System Manager too). Frappe 15 lets a user run a
	Script Report only when they hold one of its roles and the "report" right on its ref_doctype
	(frappe.desk.query_report.get_report_doc, used by get_script and run). The figures are about cases,
	but "Case" would refuse policy leads, who hold no right on Case, and Frappe grants "report" on a
	doctype only beside "select" or "read", either of which would let them list cases. "Equality
	Monitoring" is System Manager's alone, and the reference shares are a child table, which Frappe cannot
	check without a parent. So the ref_doctype is "Systemic Issue", the learning loop's record, on which
	the roles this report is for hold the "report" right (caseworkers hold it too, and are kept out by the
	report's roles). It grants nothing else: every row here is a Data figure with no link, so Frappe's
	user-permission filter of report rows (get_filtered_data) has nothing to filter, and no Systemic Issue
	is read.
"""

import frappe
from frappe import _
from frappe.utils import getdate, today

from lnb_casework.intake.equality import (
	EQUALITY_QUESTIONS,
	PREFER_NOT_TO_SAY,
	QUESTION_LABELS,
	equality_answers_of_cases_received,
	question_answers,
	question_with_label,
)
from lnb_casework.learning.disclosure import (
	SECONDARY_MARKER,
	Disclosure,
	QuestionFigures,
	is_suppressed,
	perturbation_note,
	ratio,
	site_disclosure,
	suppressed_marker,
)
from lnb_casework.learning.periods import Period, last_closed_period, parse_period
from lnb_casework.oversight.report_charts import bar_chart
from lnb_casework.oversight.report_filters import choice, is_empty, refuse, report_filters

WHO = "Who the doctors are"
KINDS = "Kinds of discrimination reported"
VIEWS = (WHO, KINDS)
FIRST_YEAR = 2000  # the earliest year the report's filter offers
NOT_ANSWERED = "Not answered"
ANSWERED = "Answered the question"
ALL_CASES = "All cases in the period"
ANY_KIND = "Cases reporting any kind"


def execute(filters: dict | None = None):
	filters = checked_filters(filters)
	cases = cases_received_in(filters.period)
	disclosure = site_disclosure()
	if filters.view == KINDS:
		return kinds_view(cases, filters.period, disclosure)
	return who_view(cases, filters.period, disclosure, filters.question)


def checked_filters(filters: object) -> frappe._dict:
	filters = report_filters(filters)
	return frappe._dict(
		period=closed_period(filters.get("period")),
		view=choice(filters, "view", "View", VIEWS, default=WHO),
		question=choice(filters, "question", "Question in the chart", list(QUESTION_LABELS.values())),
	)


def ended_years() -> list[str]:
	"""The years the report offers, the latest first: every calendar year that has ended since FIRST_YEAR."""
	last = int(last_closed_period(getdate(today())).label)
	return [str(year) for year in range(last, FIRST_YEAR - 1, -1)]


def closed_period(value: object) -> Period:
	"""The period a filter names, which must have ended; the last one that has when none is named."""
	on = getdate(today())
	if is_empty(value):
		return last_closed_period(on)
	try:
		period = parse_period(value)
	except ValueError:
		period = None  # refused below, so that no error shows the value refused
	if period is None:
		refuse(
			_("Period must be a calendar year that has ended, such as {0}.").format(
				last_closed_period(on).label
			)
		)
	if not period.has_ended(on):
		refuse(
			_("{0} has not ended yet: figures are shown only for years that have ended.").format(period.label)
		)
	return period


def period_conditions(period: Period) -> list[list]:
	"""Cases received in the period, whatever their state now."""
	return [["creation", ">=", period.first_day], ["creation", "<", period.day_after]]


def cases_received_in(period: Period) -> list[str]:
	return frappe.get_all("Case", filters=period_conditions(period), pluck="name", order_by="name")


# ---- who the doctors are


def who_view(
	cases: list[str],
	period: Period,
	disclosure: Disclosure,
	chart_question: str | None = None,
):
	answers_of = monitoring_answers(period)
	total_shown = disclosure.period_total(cases)
	references = reference_shares()
	questions = {
		question: question_figures(question, cases, answers_of, disclosure) for question in EQUALITY_QUESTIONS
	}
	any_shown = disclosure.period_breakdown(
		{
			"any": [case for case in cases if any(answers_of.get(case, {}).values())],
			"none": [case for case in cases if not any(answers_of.get(case, {}).values())],
		},
		cases,
	)["any"]

	data = []
	ratios = []
	for question, figures in questions.items():
		label = _(QUESTION_LABELS[question])
		# each question's total heads its rows, which fold under it
		data.append(
			{"question": label, "answer": _(ALL_CASES), "cases": figures.total, "indent": 0, "bold": 1}
		)
		for answer, count in figures.answers.items():
			share = figures.shares[answer]
			reference = references.get((question, answer))
			shown_ratio = ratio(share, reference.share if reference else None)
			if isinstance(shown_ratio, float):
				ratios.append(shown_ratio)
			data.append(
				{
					"question": label,
					"answer": _(answer),
					"cases": count,
					"share": shown_percent(share, 1),
					"reference_share": shown_percent(reference.share, 2) if reference else None,
					"reference": f"{reference.source}, {reference.year}" if reference else None,
					"ratio": f"{shown_ratio:.2f}" if isinstance(shown_ratio, float) else shown_ratio,
					"indent": 1,
				}
			)
		for answer, count in (
			(ANSWERED, figures.answered),
			(PREFER_NOT_TO_SAY, figures.prefer_not_to_say),
			(NOT_ANSWERED, figures.not_answered),
		):
			data.append({"question": label, "answer": _(answer), "cases": count, "indent": 1})

	highest = max(ratios, default=None)
	summary = [
		{"label": _("Period"), "value": period.label, "datatype": "Data"},
		{"label": _("Cases in the period"), "value": str(total_shown), "datatype": "Data"},
		{"label": _("Cases with any monitoring answer"), "value": str(any_shown), "datatype": "Data"},
		{
			"label": _("Highest ratio shown"),
			"value": "–" if highest is None else f"{highest:.2f}",
			"indicator": "Orange" if highest and highest > 1 else "Blue",
			"datatype": "Data",
		},
	]
	chart_of = question_with_label(chart_question or "") or EQUALITY_QUESTIONS[0]
	chart = share_chart(chart_of, questions[chart_of], references)
	return who_columns(), data, footnote(disclosure.threshold), chart, summary


def monitoring_answers(period: Period) -> dict[str, dict[str, str | None]]:
	"""{case: {question: answer}} for the cases received in the period that have an Equality Monitoring
	record (the period's cases as cases_received_in finds them)."""
	return equality_answers_of_cases_received(period.first_day, period.day_after)


def question_figures(
	question: str, cases: list[str], answers_of: dict, disclosure: Disclosure
) -> QuestionFigures:
	"""One question's figures as they may be shown: the cases are sorted by their answer here, and
	published by the disclosure module."""
	cases_of: dict[str, list[str]] = {answer: [] for answer in question_answers(question)}
	prefer_not_to_say: list[str] = []
	not_answered: list[str] = []
	for case in cases:
		answer = answers_of.get(case, {}).get(question)
		if not answer:
			not_answered.append(case)
		elif answer == PREFER_NOT_TO_SAY:
			prefer_not_to_say.append(case)
		else:
			# an answer the form no longer offers is still counted, under its own name
			cases_of.setdefault(answer, []).append(case)
	return disclosure.question(cases_of, prefer_not_to_say, not_answered, cases)


def reference_shares() -> dict[tuple[str, str], frappe._dict]:
	"""{(question, answer): row} from LNB Settings."""
	rows = frappe.get_all(
		"Reference Population Share",
		filters={"parenttype": "LNB Settings", "parentfield": "reference_shares"},
		fields=["question", "answer", "share", "source", "year"],
	)
	return {
		(question_with_label(row.question), row.answer): row
		for row in rows
		if question_with_label(row.question)
	}


def shown_percent(value, decimals: int) -> str | None:
	if value is None or is_suppressed(value):
		return value
	return f"{value:.{decimals}f}%"


def share_chart(question: str, figures: QuestionFigures, references: dict) -> dict | None:
	"""Share among cases against reference share for one question; hidden groups are left out."""
	groups = [
		answer for answer, share in figures.shares.items() if share is not None and not is_suppressed(share)
	]
	if not groups:
		return None

	def reference_of(answer: str) -> float:
		reference = references.get((question, answer))
		return round(reference.share, 2) if reference else 0

	return {
		"title": _("{0}: share among cases and reference share (%)").format(_(QUESTION_LABELS[question])),
		"data": {
			"labels": [_(answer) for answer in groups],
			"datasets": [
				{
					"name": _("Cases"),
					"values": [round(figures.shares[answer], 1) for answer in groups],
				},
				{"name": _("Reference"), "values": [reference_of(answer) for answer in groups]},
			],
		},
		"type": "bar",
		"fieldtype": "Percent",
		"colors": ["#7c3aed", "#9ca3af"],
	}


def who_columns() -> list[dict]:
	def column(fieldname: str, label: str, width: int, numeric: bool = False) -> dict:
		shown = {"fieldname": fieldname, "label": label, "fieldtype": "Data", "width": width}
		return {**shown, "align": "right"} if numeric else shown

	return [
		column("question", _("Monitoring question"), 210),
		column("answer", _("Answer"), 250),
		column("cases", _("Cases"), 80, numeric=True),
		column("share", _("Share among cases"), 170, numeric=True),
		column("reference_share", _("Reference share"), 150, numeric=True),
		column("reference", _("Source and year"), 160),
		column("ratio", _("Disproportionality"), 160, numeric=True),
	]


# ---- kinds of discrimination reported


def kinds_view(cases: list[str], period: Period, disclosure: Disclosure):
	case_meta = frappe.get_meta("Case")
	reported_by: dict[str, list[str]] = {
		option: [] for option in case_meta.get_options("discrimination").split("\n") if option
	}
	reported_by[NOT_ANSWERED] = []
	for name, answer in frappe.get_all(
		"Case", filters=period_conditions(period), fields=["name", "discrimination"], as_list=True
	):
		reported_by[answer if answer in reported_by else NOT_ANSWERED].append(name)
	reported_shown = disclosure.period_breakdown(reported_by, cases)
	total_shown = disclosure.period_total(cases)

	kind_meta = frappe.get_meta("Case Discrimination Kind")
	cases_of_kind: dict[str, set[str]] = {
		option: set() for option in kind_meta.get_options("kind").split("\n") if option
	}
	rows = (
		frappe.get_all(
			"Case Discrimination Kind",
			filters={"parenttype": "Case", "parentfield": "discrimination_kinds", "parent": ("in", cases)},
			fields=["parent", "kind"],
		)
		if cases
		else []
	)
	for row in rows:
		cases_of_kind.setdefault(row.kind, set()).add(row.parent)
	# a case may report several kinds, so the kinds add up to nothing shown: each count stands alone
	cases_of_kind[ANY_KIND] = {row.parent for row in rows}
	kinds_shown = disclosure.period_counts(cases_of_kind, cases)

	question = _("Did the doctor report discrimination?")
	data = [{"group": question, "answer": _(ALL_CASES), "cases": total_shown, "indent": 0, "bold": 1}]
	data += [
		{"group": question, "answer": _(answer), "cases": figure, "indent": 1}
		for answer, figure in reported_shown.items()
	]
	group = _("Kinds of discrimination reported (a case may report several)")
	data.append(
		{"group": group, "answer": _(ANY_KIND), "cases": kinds_shown[ANY_KIND], "indent": 0, "bold": 1}
	)
	data += [
		{"group": group, "answer": _(kind), "cases": figure, "indent": 1}
		for kind, figure in kinds_shown.items()
		if kind != ANY_KIND
	]

	columns = [
		{"fieldname": "group", "label": _("Question"), "fieldtype": "Data", "width": 330},
		{"fieldname": "answer", "label": _("Answer or kind"), "fieldtype": "Data", "width": 260},
		{"fieldname": "cases", "label": _("Cases"), "fieldtype": "Data", "width": 90, "align": "right"},
	]
	shown_kinds = [
		kind
		for kind, figure in kinds_shown.items()
		if kind != ANY_KIND and not is_suppressed(figure) and figure
	]
	chart = (
		bar_chart(_("Cases"), {_(kind): kinds_shown[kind] for kind in shown_kinds}) if shown_kinds else None
	)
	summary = [
		{"label": _("Period"), "value": period.label, "datatype": "Data"},
		{"label": _("Cases in the period"), "value": str(total_shown), "datatype": "Data"},
		{
			"label": _("Cases reporting discrimination"),
			"value": str(reported_shown.get("Yes", 0)),
			"datatype": "Data",
		},
		{"label": _(ANY_KIND), "value": str(kinds_shown[ANY_KIND]), "datatype": "Data"},
	]
	return columns, data, footnote(disclosure.threshold), chart, summary


# ---- footnote


def footnote(threshold: int) -> str:
	marker = suppressed_marker(threshold)
	points = [
		_(
			"{0} means fewer than {1} cases. {2} marks a figure held back so that a small number cannot be "
			"worked out by subtracting from a total, and any share or ratio worked out from a held-back count; "
			"a question that fewer than {1} cases answered is held back whole."
		).format(marker, threshold, SECONDARY_MARKER),
		_(
			'Shares are among the cases that answered each question; "Prefer not to say" and unanswered are '
			"counted apart. Disproportionality is a group's share among cases divided by its share of the "
			"reference population entered in LNB Settings: above 1, the group comes to us more often than its "
			"numbers would suggest."
		),
		_(
			"Figures are for a calendar year that has ended, and count every case received in it, withdrawn "
			"ones too, so that they never change once published."
		),
		perturbation_note(),
	]
	context = [
		_(
			"Doctors from ethnic minorities are about twice as likely to be referred to the GMC by their "
			'employer as white doctors (GMC, "Fair to refer?", 2019; BMJ 2020;368:m338).'
		),
		_(
			"Employer referrals are about 4% of referrals to the GMC, but about 77% of them lead to an "
			"investigation, against about 9% of complaints from patients (same sources)."
		),
		_(
			"NHS Resolution: the average ongoing exclusion was 5.5 months at the end of 2023/24; male, "
			"middle-aged and Black doctors are more likely to be excluded."
		),
	]
	items = "".join(f"<li>{frappe.utils.escape_html(text)}</li>" for text in context)
	notes = "".join(f"<p>{frappe.utils.escape_html(text)}</p>" for text in points)
	return f"{notes}<p><b>{frappe.utils.escape_html(_('Why this matters'))}</b></p><ul>{items}</ul>"


@frappe.whitelist()
def question_labels() -> list[dict[str, str]]:
	"""The monitoring questions, for the report's chart filter."""
	return [{"value": QUESTION_LABELS[q], "label": _(QUESTION_LABELS[q])} for q in EQUALITY_QUESTIONS]
