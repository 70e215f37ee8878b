import math
from itertools import chain

import frappe
from frappe.desk.query_report import get_script, run
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate, today

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD
from lnb_casework.intake.equality import QUESTION_LABELS
from lnb_casework.learning.disclosure import site_perturbation
from lnb_casework.learning.perturbation import MAX_NOISE
from lnb_casework.learning.suppression import suppress_counts, suppress_linked_lines
from lnb_casework.lnb_casework.doctype.case.test_case import case_answers, make_user, submit_through_form
from lnb_casework.lnb_casework.report.discrimination_and_disproportionality.discrimination_and_disproportionality import (
	KINDS,
	WHO,
	execute,
)

REPORT = "Discrimination and Disproportionality"
LEAD = "disproportion-coordinator@lnb.test"
POLICY = "disproportion-policy@lnb.test"
VOLUNTEER = "disproportion-caseworker@lnb.test"
PERIOD = {"period": "2001"}
IN_PERIOD, FEW_YEAR = "2001-03-10 10:00:00", "2003"
PNTS = "Prefer not to say"
ALL = "All cases in the period"
ANSWERED = "Answered the question"
NOT_ANSWERED = "Not answered"
ASIAN, BLACK, MIXED = (
	"Asian or Asian British",
	"Black, Black British, Caribbean or African",
	"Mixed or multiple ethnic groups",
)
# Forty cases in 2001: the answers of case i are each list's item i (None: not answered).
ANSWERS = {
	"ethnic_group": ["White"] * 12 + [ASIAN] * 8 + [BLACK] * 6 + [MIXED] * 2 + [PNTS] * 6 + [None] * 6,
	"sex": ["Female"] * 20 + ["Male"] * 14 + [None] * 6,
	"qualification_region": ["United Kingdom"] * 20
	+ ["European Economic Area"] * 5
	+ ["Elsewhere"] * 9
	+ [None] * 6,
	"disability": ["Yes"] * 2 + ["No"] + [PNTS] + [None] * 36,
	"age_band": ["Under 30"] * 10 + ["30–39"] * 10 + ["40–49"] * 10 + [PNTS] * 3 + [None] * 7,
}
# what each case says happened: (discrimination, kinds)
REPORTED = (
	[("Yes", ["Race"])] * 12
	+ [("Yes", ["Race", "Sex"])] * 3
	+ [("Yes", ["Age"])] * 5
	+ [("No", [])] * 14
	+ [("Not sure", [])] * 3
	+ [(None, [])] * 3
)
WITHOUT_RECORD = range(37, 40)  # recorded by a coordinator from a phone call: no monitoring record
REFERENCE = [
	(QUESTION_LABELS["ethnic_group"], "White", 58),
	(QUESTION_LABELS["ethnic_group"], ASIAN, 20),
	(QUESTION_LABELS["ethnic_group"], BLACK, 5),
	(QUESTION_LABELS["ethnic_group"], MIXED, 2),
	(QUESTION_LABELS["sex"], "Female", 50),
	(QUESTION_LABELS["sex"], "Male", 50),
	(QUESTION_LABELS["qualification_region"], "United Kingdom", 60),
	(QUESTION_LABELS["qualification_region"], "European Economic Area", 8),
	(QUESTION_LABELS["qualification_region"], "Elsewhere", 32),
]
PARTS = (ANSWERED, PNTS, NOT_ANSWERED)


def seed_case(created: str, answers: dict, discrimination=None, kinds=(), state=None, form=True) -> str:
	values = {
		"email": f"{frappe.generate_hash(length=10)}@example.com",
		"gmc_number": "",
		"discrimination": discrimination,
		"discrimination_kinds": [{"kind": kind} for kind in kinds],
		**{f"equality_{question}": answer for question, answer in answers.items() if answer},
	}
	if form:
		name = submit_through_form(**values).name
	else:
		name = frappe.get_doc(case_answers(**values)).insert(ignore_permissions=True).name
	frappe.db.set_value("Case", name, "creation", created, update_modified=False)
	if state:
		frappe.db.set_value("Case", name, "workflow_state", state, update_modified=False)
	return name


def by_question(data: list[dict]) -> dict[str, dict[str, dict]]:
	"""{question label: {answer: row}}"""
	rows: dict[str, dict[str, dict]] = {}
	for row in data:
		rows.setdefault(row.get("question") or row.get("group"), {})[row["answer"]] = row
	return rows


def cases(rows: dict[str, dict]) -> dict[str, object]:
	return {answer: row["cases"] for answer, row in rows.items()}


def expected_question(groups: dict[str, list[str]], prefer: list[str], unanswered: list[str], everyone):
	"""One question's figures as the report must show them, from the pure functions: each set of cases'
	published count under this site's key, suppressed along the question's two lines, held back whole
	when fewer than 5 answered."""
	perturbation = site_perturbation()
	answered = list(chain.from_iterable(groups.values()))
	values = [perturbation.count(group) for group in groups.values()]
	values += [perturbation.count(answered), perturbation.count(prefer), perturbation.count(unanswered)]
	values.append(perturbation.count(everyone))
	k = len(groups)
	shown = suppress_linked_lines(values, [(range(k), k), ([k, k + 1, k + 2], k + 3)], 5)
	if 0 < values[k] < 5 or isinstance(shown[-1], str):
		shown = ["[c]"] * (k + 3) + [shown[-1]]
	return dict(zip([*groups, *PARTS, ALL], shown, strict=True))


def share(count, answered) -> str:
	return f"{100 * count / answered:.1f}%"


def ratio(count, answered, reference) -> str:
	return f"{round(100 * count / answered / reference, 2):.2f}"


class TestDiscriminationAndDisproportionality(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(LEAD, COORDINATOR)
		make_user(POLICY, POLICY_LEAD)
		make_user(VOLUNTEER, CASEWORKER)
		settings = frappe.get_single("LNB Settings")
		settings.small_number_threshold = 5
		settings.set(
			"reference_shares",
			[
				{
					"question": question,
					"answer": answer,
					"share": share,
					"source": "GMC register",
					"year": 2024,
				}
				for question, answer, share in REFERENCE
			],
		)
		settings.save(ignore_permissions=True)
		cls.names = []
		for i in range(40):
			answers = {question: values[i] for question, values in ANSWERS.items()}
			discrimination, kinds = REPORTED[i]
			cls.names.append(
				seed_case(IN_PERIOD, answers, discrimination, kinds, form=i not in WITHOUT_RECORD)
			)
		# received in 2001 and withdrawn since: it still counts in 2001, whose figures never change
		cls.withdrawn = seed_case(IN_PERIOD, {"ethnic_group": "White"}, "Yes", ["Race"], state="Withdrawn")
		cls.everyone = [*cls.names, cls.withdrawn]
		# three cases of their own in 2003
		cls.few = [
			seed_case("2003-06-01 09:00:00", {"ethnic_group": "White"}, "Yes", ["Race"]) for _ in range(3)
		]

	def tearDown(self):
		frappe.set_user("Administrator")

	def who(self, **filters):
		_columns, data, message, chart, summary = execute({**PERIOD, "view": WHO, **filters})
		return by_question(data), message, chart, {item["label"]: item["value"] for item in summary}

	def cases_with(self, question: str, answer) -> list[str]:
		named = [name for i, name in enumerate(self.names) if ANSWERS[question][i] == answer]
		return [*named, self.withdrawn] if question == "ethnic_group" and answer == "White" else named

	def expected(self, question: str, answers: list[str]) -> dict:
		return expected_question(
			{answer: self.cases_with(question, answer) for answer in answers},
			self.cases_with(question, PNTS),
			self.cases_with(question, None) + (self.withdrawn_unanswered(question)),
			self.everyone,
		)

	def withdrawn_unanswered(self, question: str) -> list[str]:
		return [] if question == "ethnic_group" else [self.withdrawn]

	def assertCloseToTheTruth(self, figures: dict, true_counts: dict) -> None:
		for answer, count in true_counts.items():
			figure = figures[answer]
			if isinstance(figure, int):
				self.assertLessEqual(abs(figure - count), MAX_NOISE, answer)
				self.assertNotIn(figure, (1, 2), answer)
			else:
				self.assertIn(figure, ("<5", "[c]"), answer)

	def test_who_the_doctors_are_as_a_coordinator(self):
		frappe.set_user(LEAD)
		rows, message, _chart, summary = self.who()
		ethnic = rows[QUESTION_LABELS["ethnic_group"]]
		expected = self.expected("ethnic_group", [ASIAN, BLACK, MIXED, "White", "Other ethnic group"])
		self.assertEqual(cases(ethnic), expected)
		self.assertCloseToTheTruth(
			cases(ethnic),
			{ASIAN: 8, BLACK: 6, MIXED: 2, "White": 13, ANSWERED: 29, PNTS: 6, NOT_ANSWERED: 6, ALL: 41},
		)
		answered = expected[ANSWERED]
		self.assertIsInstance(answered, int)
		for answer, reference in ((ASIAN, 20), ("White", 58), (BLACK, 5), (MIXED, 2)):
			with self.subTest(answer=answer):
				count = expected[answer]
				if isinstance(count, int):
					self.assertEqual(ethnic[answer]["share"], share(count, answered))
					self.assertEqual(ethnic[answer]["ratio"], ratio(count, answered, reference))
				else:
					self.assertEqual((ethnic[answer]["share"], ethnic[answer]["ratio"]), ("[c]", "[c]"))
				self.assertEqual(ethnic[answer]["reference_share"], f"{reference:.2f}%")
		self.assertEqual(ethnic["White"]["reference"], "GMC register, 2024")
		self.assertEqual(ethnic["Other ethnic group"]["cases"], 0)

		for question, answers, true_counts in (
			("sex", ["Female", "Male"], {"Female": 20, "Male": 14}),
			(
				"qualification_region",
				["United Kingdom", "European Economic Area", "Elsewhere"],
				{"United Kingdom": 20, "European Economic Area": 5, "Elsewhere": 9},
			),
			(
				"age_band",
				["Under 30", "30–39", "40–49", "50–59", "60 or over"],
				{"Under 30": 10, "30–39": 10, "40–49": 10, "50–59": 0, "60 or over": 0, PNTS: 3},
			),
		):
			with self.subTest(question=question):
				shown = cases(rows[QUESTION_LABELS[question]])
				self.assertEqual(shown, self.expected(question, answers))
				self.assertCloseToTheTruth(shown, true_counts)

		# three cases answered: the whole question is held back, zeros and all
		disability = rows[QUESTION_LABELS["disability"]]
		self.assertEqual(
			cases(disability),
			{
				"Yes": "[c]",
				"No": "[c]",
				ANSWERED: "[c]",
				PNTS: "[c]",
				NOT_ANSWERED: "[c]",
				ALL: expected[ALL],
			},
		)
		self.assertEqual(
			{row["share"] for answer, row in disability.items() if answer in ("Yes", "No")}, {"[c]"}
		)

		religion = rows[QUESTION_LABELS["religion_or_belief"]]
		self.assertEqual(religion["Christian"]["cases"], 0)
		self.assertIsNone(religion["Christian"]["share"])
		# nobody answered: "Not answered" counts the same cases as the period, so it shows the same figure
		self.assertEqual(religion["Not answered"]["cases"], expected[ALL])

		# one figure for the period, wherever it is shown
		self.assertEqual({answers[ALL]["cases"] for answers in rows.values()}, {expected[ALL]})
		with_any = [name for i, name in enumerate(self.names) if i < 34] + [self.withdrawn]
		without_any = [name for i, name in enumerate(self.names) if i >= 34]
		perturbation = site_perturbation()
		any_shown = suppress_linked_lines(
			[
				perturbation.count(with_any),
				perturbation.count(without_any),
				perturbation.count(self.everyone),
			],
			[([0, 1], 2)],
			5,
		)[0]
		shown_ratios = [
			float(row["ratio"])
			for answers in rows.values()
			for row in answers.values()
			if row.get("ratio") not in (None, "[c]")
		]
		self.assertEqual(
			summary,
			{
				"Period": "2001",
				"Cases in the period": str(expected[ALL]),
				"Cases with any monitoring answer": str(any_shown),
				"Highest ratio shown": f"{max(shown_ratios):.2f}",
			},
		)
		self.assertIn("&lt;5 means fewer than 5 cases", message)
		self.assertIn("withdrawn ones too", message)
		self.assertIn("within 2 of the true number", message)
		self.assertIn("Fair to refer?", message)
		self.assertIn("5.5 months", message)

	def test_no_hidden_count_can_be_worked_out_from_a_total(self):
		frappe.set_user(LEAD)
		rows, _message, _chart, _summary = self.who()
		for question, answers in rows.items():
			figures = cases(answers)
			total = figures.pop(ALL)
			parts = {answer: figures.pop(answer) for answer in PARTS}
			for line, line_total in ((figures, parts[ANSWERED]), (parts, total)):
				with self.subTest(question=question, line=list(line)):
					self.assertFalse(worked_out(list(line.values()), line_total), (line, line_total))
			shares_shown = [row["share"] for row in answers.values() if row.get("share") not in (None, "[c]")]
			if shares_shown:
				self.assertIsInstance(parts[ANSWERED], int, question)

	def test_the_same_figures_every_run_and_for_every_role(self):
		frappe.set_user(LEAD)
		as_coordinator = self.who()
		self.assertEqual(self.who(), as_coordinator)
		frappe.set_user(POLICY)
		self.assertEqual(self.who(), as_coordinator)

	def test_the_chart_compares_shown_groups_with_the_reference(self):
		frappe.set_user(POLICY)
		rows, _message, chart, _summary = self.who(question=QUESTION_LABELS["sex"])
		sex = rows[QUESTION_LABELS["sex"]]
		shown = [answer for answer in ("Female", "Male") if sex[answer]["share"] not in (None, "[c]")]
		self.assertEqual(chart["data"]["labels"], shown)
		self.assertEqual(
			chart["data"]["datasets"][0]["values"], [float(sex[answer]["share"][:-1]) for answer in shown]
		)
		self.assertEqual(chart["data"]["datasets"][1]["values"], [50] * len(shown))
		rows, _message, chart, _summary = self.who()
		ethnic = rows[QUESTION_LABELS["ethnic_group"]]
		shown = [
			answer
			for answer in (ASIAN, BLACK, MIXED, "White", "Other ethnic group")
			if ethnic[answer]["share"] not in (None, "[c]")
		]
		self.assertEqual(chart["data"]["labels"], shown)
		self.assertEqual(
			chart["data"]["datasets"][0]["values"], [float(ethnic[answer]["share"][:-1]) for answer in shown]
		)

	def test_kinds_of_discrimination_reported(self):
		frappe.set_user(POLICY)
		_columns, data, _message, chart, summary = execute({**PERIOD, "view": KINDS})
		rows = by_question(data)
		perturbation = site_perturbation()
		reported_by = {
			"Yes": [*self.names[0:20], self.withdrawn],
			"No": self.names[20:34],
			"Not sure": self.names[34:37],
			PNTS: [],
			NOT_ANSWERED: self.names[37:40],
		}
		values = [perturbation.count(group) for group in reported_by.values()]
		values.append(perturbation.count(self.everyone))
		shown = suppress_linked_lines(values, [(range(5), 5)], 5)
		expected = dict(zip([*reported_by, ALL], shown, strict=True))
		self.assertEqual(cases(rows["Did the doctor report discrimination?"]), expected)
		self.assertCloseToTheTruth(expected, {"Yes": 21, "No": 14, "Not sure": 3, PNTS: 0, NOT_ANSWERED: 3})

		kinds = cases(rows["Kinds of discrimination reported (a case may report several)"])
		of_kind = {
			"Race": [*self.names[0:15], self.withdrawn],
			"Sex": self.names[12:15],
			"Age": self.names[15:20],
			"Disability": [],
			"Cases reporting any kind": [*self.names[0:20], self.withdrawn],
		}
		expected_kinds = suppress_counts(perturbation.counts(of_kind), 5, total_shown=False)
		self.assertEqual({kind: kinds[kind] for kind in of_kind}, expected_kinds)
		self.assertCloseToTheTruth(expected_kinds, {"Race": 16, "Sex": 3, "Age": 5, "Disability": 0})
		self.assertEqual(
			chart["data"]["labels"],
			[
				kind
				for kind, figure in kinds.items()
				if kind != "Cases reporting any kind" and isinstance(figure, int) and figure
			],
		)
		self.assertEqual(
			{item["label"]: item["value"] for item in summary},
			{
				"Period": "2001",
				"Cases in the period": str(expected[ALL]),
				"Cases reporting discrimination": str(expected["Yes"]),
				"Cases reporting any kind": str(expected_kinds["Cases reporting any kind"]),
			},
		)
		self.assertNotIn("question", data[0], "the views are never mixed")

	def test_a_few_cases_show_nothing_but_their_number(self):
		frappe.set_user(LEAD)
		rows, _message, chart, summary = self.who(period=FEW_YEAR)
		ethnic = cases(rows[QUESTION_LABELS["ethnic_group"]])
		# three cases publish 3 or 4
		self.assertEqual(ethnic.pop(ALL), "<5")
		self.assertEqual(set(ethnic.values()), {"[c]"})
		self.assertIsNone(chart)
		self.assertEqual(summary["Cases in the period"], "<5")
		self.assertEqual(summary["Highest ratio shown"], "–")
		_columns, data, _message, _chart, _summary = execute({"period": FEW_YEAR, "view": KINDS})
		shown = {row["cases"] for row in data if row["answer"] != ALL}
		self.assertEqual(shown, {"[c]"})

	def test_only_years_that_have_ended(self):
		frappe.set_user(POLICY)
		this_year = str(getdate(today()).year)
		_columns, _data, _message, _chart, summary = execute({"view": WHO})
		self.assertEqual(
			summary[0], {"label": "Period", "value": str(int(this_year) - 1), "datatype": "Data"}
		)
		for period in (
			this_year,
			str(int(this_year) + 1),
			"2001-Q1",
			"2001-03",
			"last year",
			["2001"],
			{"y": 1},
		):
			with self.subTest(period=period), self.assertRaises(frappe.ValidationError):
				execute({"period": period})
		for filters in ({"view": "Everything"}, {"view": ["Who"]}, {"question": "Blood group"}):
			with self.subTest(filters=filters), self.assertRaises(frappe.ValidationError):
				execute({**PERIOD, **filters})

	def test_only_coordinators_and_policy_leads_run_it(self):
		for user in (LEAD, POLICY):
			frappe.set_user(user)
			self.assertIn("frappe.query_reports", get_script(REPORT)["script"])
			result = run(REPORT, filters={**PERIOD, "view": WHO})
			summary = {item["label"]: item["value"] for item in result["report_summary"]}
			self.assertEqual(summary["Cases in the period"], str(site_perturbation().count(self.everyone)))
		# why its ref_doctype is not Case: the policy lead, who runs it, may not report on cases
		frappe.set_user(POLICY)
		self.assertFalse(frappe.has_permission("Case", "report"))
		self.assertEqual(frappe.db.get_value("Report", REPORT, "ref_doctype"), "Systemic Issue")
		frappe.set_user(VOLUNTEER)
		with self.assertRaises(frappe.PermissionError):
			get_script(REPORT)
		with self.assertRaises(frappe.PermissionError):
			run(REPORT, filters={**PERIOD, "view": WHO})


def worked_out(parts: list, total) -> bool:
	"""Whether a reader can work out a hidden figure of parts adding up to total from what is shown:
	"<5" is 1 to 4, "[c]" anything from 0 up."""
	if isinstance(total, str):
		return False
	ranges = [(1, 4) if part == "<5" else (0, math.inf) for part in parts if isinstance(part, str)]
	if not ranges:
		return False
	rest = total - sum(part for part in parts if not isinstance(part, str))
	for index, (low, high) in enumerate(ranges):
		others_low = sum(r[0] for i, r in enumerate(ranges) if i != index)
		others_high = sum(r[1] for i, r in enumerate(ranges) if i != index)
		if max(low, rest - others_high) == min(high, rest - others_low):
			return True
	return False
