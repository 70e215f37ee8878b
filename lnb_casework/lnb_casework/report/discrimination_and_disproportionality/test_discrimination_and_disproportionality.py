import math

import frappe
from frappe.desk.query_report import run
from frappe.tests.utils import FrappeTestCase

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD
from lnb_casework.intake.equality import QUESTION_LABELS
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
PERIOD = {"from_date": "2001-03-01", "to_date": "2001-03-31"}
IN_PERIOD, LATER = "2001-03-10 10:00:00", "2001-05-02 09:00:00"
PNTS = "Prefer not to say"
ASIAN, BLACK, MIXED = (
	"Asian or Asian British",
	"Black, Black British, Caribbean or African",
	"Mixed or multiple ethnic groups",
)
# Forty cases in the period: the answers of case i are each list's item i (None: not answered).
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
PARTS = ("Answered the question", PNTS, "Not answered")


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
		for i in range(40):
			answers = {question: values[i] for question, values in ANSWERS.items()}
			discrimination, kinds = REPORTED[i]
			seed_case(IN_PERIOD, answers, discrimination, kinds, form=i not in WITHOUT_RECORD)
		# neither of these is counted: one withdrawn, one opened after the period
		seed_case(IN_PERIOD, {"ethnic_group": "White"}, "Yes", ["Race"], state="Withdrawn")
		seed_case(LATER, {"ethnic_group": "White"}, "Yes", ["Race"])

	def tearDown(self):
		frappe.set_user("Administrator")

	def who(self, **filters):
		_columns, data, message, chart, summary = execute({**PERIOD, "view": WHO, **filters})
		return by_question(data), message, chart, {item["label"]: item["value"] for item in summary}

	def test_who_the_doctors_are_as_a_coordinator(self):
		frappe.set_user(LEAD)
		rows, message, _chart, summary = self.who()
		ethnic = rows[QUESTION_LABELS["ethnic_group"]]
		self.assertEqual(
			cases(ethnic),
			{
				ASIAN: 8,
				BLACK: "[c]",
				MIXED: "<5",
				"White": 12,
				"Other ethnic group": 0,
				"Answered the question": 28,
				PNTS: 6,
				"Not answered": 6,
				"All cases in the period": 40,
			},
		)
		self.assertEqual(
			[
				(ethnic[a]["share"], ethnic[a]["reference_share"], ethnic[a]["ratio"])
				for a in list(ethnic)[1:6]
			],
			[
				("28.6%", "20.00%", "1.43"),
				("[c]", "5.00%", "[c]"),
				("[c]", "2.00%", "[c]"),
				("42.9%", "58.00%", "0.74"),
				("0.0%", None, None),
			],
		)
		self.assertEqual(ethnic["White"]["reference"], "GMC register, 2024")

		sex = rows[QUESTION_LABELS["sex"]]
		self.assertEqual(
			(sex["Female"]["cases"], sex["Female"]["share"], sex["Female"]["ratio"]), (20, "58.8%", "1.18")
		)
		self.assertEqual(
			(sex["Male"]["cases"], sex["Male"]["share"], sex["Male"]["ratio"]), (14, "41.2%", "0.82")
		)
		region = rows[QUESTION_LABELS["qualification_region"]]
		self.assertEqual(
			[
				(region[a]["cases"], region[a]["ratio"])
				for a in ("United Kingdom", "European Economic Area", "Elsewhere")
			],
			[(20, "0.98"), (5, "1.84"), (9, "0.83")],
		)

		age = rows[QUESTION_LABELS["age_band"]]
		self.assertEqual(
			cases(age),
			{
				"Under 30": 10,
				"30–39": 10,
				"40–49": 10,
				"50–59": 0,
				"60 or over": 0,
				"Answered the question": 30,
				PNTS: "<5",
				"Not answered": "[c]",
				"All cases in the period": 40,
			},
		)
		self.assertEqual(age["Under 30"]["share"], "33.3%")

		# three cases answered: the whole question is held back, zeros and all
		disability = rows[QUESTION_LABELS["disability"]]
		self.assertEqual(
			cases(disability),
			{
				"Yes": "[c]",
				"No": "[c]",
				"Answered the question": "[c]",
				PNTS: "[c]",
				"Not answered": "[c]",
				"All cases in the period": 40,
			},
		)
		self.assertEqual(
			{row["share"] for answer, row in disability.items() if answer in ("Yes", "No")}, {"[c]"}
		)

		religion = rows[QUESTION_LABELS["religion_or_belief"]]
		self.assertEqual(religion["Christian"]["cases"], 0)
		self.assertIsNone(religion["Christian"]["share"])
		self.assertEqual(religion["Not answered"]["cases"], 40)

		self.assertEqual(
			summary,
			{
				"Cases in the period": "40",
				"Cases with any monitoring answer": "34",
				"Highest ratio shown": "1.84",
			},
		)
		self.assertIn("&lt;5 means fewer than 5 cases", message)
		self.assertIn("Fair to refer?", message)
		self.assertIn("5.5 months", message)

	def test_no_hidden_count_can_be_worked_out_from_a_total(self):
		frappe.set_user(LEAD)
		rows, _message, _chart, _summary = self.who()
		for question, answers in rows.items():
			figures = cases(answers)
			total = figures.pop("All cases in the period")
			parts = {answer: figures.pop(answer) for answer in PARTS}
			for line, line_total in ((figures, parts["Answered the question"]), (parts, total)):
				with self.subTest(question=question, line=list(line)):
					self.assertFalse(worked_out(list(line.values()), line_total), (line, line_total))
			shares_shown = [row["share"] for row in answers.values() if row.get("share") not in (None, "[c]")]
			if shares_shown:
				self.assertIsInstance(parts["Answered the question"], int, question)

	def test_a_policy_lead_sees_the_same_figures(self):
		frappe.set_user(LEAD)
		as_coordinator = self.who()
		frappe.set_user(POLICY)
		self.assertEqual(self.who(), as_coordinator)

	def test_the_chart_compares_shown_groups_with_the_reference(self):
		frappe.set_user(POLICY)
		_rows, _message, chart, _summary = self.who(question=QUESTION_LABELS["sex"])
		self.assertEqual(chart["data"]["labels"], ["Female", "Male"])
		self.assertEqual([d["values"] for d in chart["data"]["datasets"]], [[58.8, 41.2], [50, 50]])
		_rows, _message, chart, _summary = self.who()
		self.assertEqual(chart["data"]["labels"], [ASIAN, "White", "Other ethnic group"])
		self.assertEqual([d["values"] for d in chart["data"]["datasets"]], [[28.6, 42.9, 0.0], [20, 58, 0]])

	def test_kinds_of_discrimination_reported(self):
		frappe.set_user(POLICY)
		_columns, data, _message, chart, summary = execute({**PERIOD, "view": KINDS})
		rows = by_question(data)
		self.assertEqual(
			cases(rows["Did the doctor report discrimination?"]),
			{
				"Yes": 20,
				"No": 14,
				"Not sure": "<5",
				PNTS: 0,
				"Not answered": "<5",
				"All cases in the period": 40,
			},
		)
		kinds = cases(rows["Kinds of discrimination reported (a case may report several)"])
		self.assertEqual(
			(
				kinds["Race"],
				kinds["Sex"],
				kinds["Age"],
				kinds["Disability"],
				kinds["Cases reporting any kind"],
			),
			(15, "<5", 5, 0, 20),
		)
		self.assertEqual(chart["data"]["labels"], ["Age", "Race"])
		self.assertEqual(
			{item["label"]: item["value"] for item in summary},
			{
				"Cases in the period": "40",
				"Cases reporting discrimination": "20",
				"Cases reporting any kind": "20",
			},
		)
		self.assertNotIn("question", data[0], "the views are never mixed")

	def test_a_few_cases_show_nothing_but_their_number(self):
		frappe.set_user(LEAD)
		few = {"from_date": "2001-05-01", "to_date": "2001-05-31"}
		rows, _message, chart, summary = self.who(**few)
		ethnic = cases(rows[QUESTION_LABELS["ethnic_group"]])
		self.assertEqual(ethnic.pop("All cases in the period"), "<5")
		self.assertEqual(set(ethnic.values()), {"[c]"})
		self.assertIsNone(chart)
		self.assertEqual(summary["Cases in the period"], "<5")
		self.assertEqual(summary["Highest ratio shown"], "–")
		_columns, data, _message, _chart, _summary = execute({**few, "view": KINDS})
		shown = {row["cases"] for row in data if row["answer"] != "All cases in the period"}
		self.assertEqual(shown, {"[c]"})

	def test_only_coordinators_and_policy_leads_run_it(self):
		for user in (LEAD, POLICY):
			frappe.set_user(user)
			result = run(REPORT, filters={**PERIOD, "view": WHO})
			self.assertEqual(result["report_summary"][0]["value"], "40")
		frappe.set_user(VOLUNTEER)
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
