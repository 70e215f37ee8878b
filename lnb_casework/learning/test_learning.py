"""The learning loop: promoting what reviews found into systemic issues, and acting on them."""

import datetime
import unittest

import frappe
from frappe.model.workflow import WorkflowPermissionError, WorkflowTransitionError, apply_workflow
from frappe.tests.utils import FrappeTestCase

from lnb_casework.api.learning import issues_matching, promote
from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD
from lnb_casework.learning.disclosure import site_perturbation
from lnb_casework.learning.issues import (
	EvidenceRow,
	counted_cases,
	counted_cases_of_issues,
	evidence_of,
	issue_figures,
	kinds_by_month,
)
from lnb_casework.learning.summary import extract_text
from lnb_casework.learning.suppression import suppress_linked_lines
from lnb_casework.learning.workflows import ADVOCACY_ACTION_WORKFLOW, SYSTEMIC_ISSUE_WORKFLOW
from lnb_casework.lnb_casework.doctype.case.test_case import make_user, submit_through_form

TRUST = "Learntest Hospitals NHS Trust"
PEOPLE = {
	COORDINATOR: "learning-coordinator@lnb.test",
	CASEWORKER: "learning-caseworker@lnb.test",
	POLICY_LEAD: "learning-policy-lead@lnb.test",
}
OTHER_CASEWORKER = "learning-other-caseworker@lnb.test"


class TestIssueFigures(unittest.TestCase):
	def test_a_case_counts_once_and_a_withdrawn_case_not_at_all(self):
		day = datetime.date(2026, 3, 1)
		rows = [
			EvidenceRow("A", day, "Under Review"),
			EvidenceRow("A", datetime.date(2026, 5, 1), "Under Review"),
			EvidenceRow("B", datetime.date(2026, 1, 9), "Withdrawn"),
			EvidenceRow("C", datetime.date(2026, 4, 2), "Closed"),
		]
		figures = issue_figures(rows)
		self.assertEqual(figures.case_count, 2)
		self.assertEqual((figures.first_seen, figures.last_seen), (day, datetime.date(2026, 5, 1)))
		self.assertEqual(issue_figures([]).case_count, 0)

	def test_kinds_by_month(self):
		months = kinds_by_month(
			[
				(datetime.date(2026, 3, 9), "Delay", "row-2"),
				(datetime.date(2026, 3, 2), "Delay", "row-1"),
				(datetime.date(2026, 3, 5), "Bias", "row-3"),
				(datetime.date(2026, 4, 1), "", "row-4"),
			]
		)
		self.assertEqual(months, {"2026-03": {"Delay": ["row-1", "row-2"], "Bias": ["row-3"]}})


def shown(records: list[str]) -> str:
	"""One count as the site must show it: the records' published count under its key, "<5" when small."""
	published = site_perturbation().count(records)
	return "<5" if 0 < published < 5 else str(published)


def reviewed_case(caseworker: str, email: str) -> tuple[str, str, str]:
	"""A case allocated to the caseworker with a review naming an organisational factor at TRUST."""
	case = submit_through_form(email=email, gmc_number="").name
	frappe.db.set_value("Case", case, {"caseworker": caseworker, "workflow_state": "Under Review"})
	review = frappe.get_doc(
		{
			"doctype": "Review",
			"case": case,
			"circumstances": "Excluded for months without review.",
			"procedural_failures": [
				{
					"process_type": "MHPS investigation",
					"process_stage": "Exclusion review",
					"what_went_wrong": "No review at four weeks.",
				}
			],
			"unfairness": [{"kind": "Delay", "description": "Seven months excluded."}],
			"systemic_factors": [
				{
					"seips_component": "Organisation",
					"organisation": TRUST,
					"description": "No exclusion reviews.",
				},
				{"seips_component": "Organisation", "organisation": TRUST, "description": "Same, again."},
			],
		}
	).insert(ignore_permissions=True)
	return case, review.name, review.systemic_factors[0].name


class TestLearningLoop(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		if not frappe.db.exists("Healthcare Organisation", TRUST):
			frappe.get_doc({"doctype": "Healthcare Organisation", "organisation_name": TRUST}).insert(
				ignore_permissions=True
			)
		for role, user in PEOPLE.items():
			make_user(user, role)
		make_user(OTHER_CASEWORKER, CASEWORKER)

	def tearDown(self):
		frappe.set_user("Administrator")

	def count(self, issue: str) -> int:
		"""The true count, which only the evidence shows; the issue itself shows the published count of the
		same cases, small ones as <5."""
		evidence = evidence_of(issue)
		self.assertEqual(
			frappe.db.get_value("Systemic Issue", issue, "case_count"), shown(list(counted_cases(evidence)))
		)
		# the reports' way of counting many issues at once counts the same cases
		self.assertEqual(counted_cases_of_issues([issue]).get(issue, set()), counted_cases(evidence))
		return issue_figures(evidence).case_count

	def test_promotion_creates_an_issue_then_extends_the_matching_one(self):
		first_case, first_review, first_factor = reviewed_case(PEOPLE[CASEWORKER], "learn-one@example.com")
		frappe.set_user(PEOPLE[CASEWORKER])
		created = promote(
			first_review,
			first_factor,
			title="Exclusions are not reviewed at the trust",
			description="Dr Amina Khan (amina.khan@example.com) and others wait months: no exclusion reviews.",
		)
		issue = created["systemic_issue"]
		self.assertEqual(self.count(issue), 1)
		# one case publishes 0 or 3: it never shows as itself
		self.assertEqual(created["case_count"], shown([first_case]))
		self.assertIn(created["case_count"], ("0", "<5"))
		stored = frappe.get_doc("Systemic Issue", issue)
		self.assertEqual(stored.title, "Exclusions are not reviewed at the trust")
		self.assertEqual(
			stored.description,
			"[the doctor] ([email address]) and others wait months: no exclusion reviews.",
		)
		self.assertEqual(created["title"], stored.title)
		self.assertEqual([row.organisation for row in stored.organisations], [TRUST])
		self.assertEqual(stored.workflow_state, "Identified")
		self.assertEqual(frappe.db.get_value("Review Systemic Factor", first_factor, "systemic_issue"), issue)

		second_case, second_review, second_factor = reviewed_case(PEOPLE[CASEWORKER], "learn-two@example.com")
		self.assertIn(issue, [row.name for row in issues_matching(second_review, second_factor)])
		promote(second_review, second_factor, issue)
		self.assertEqual(self.count(issue), 2)

		# the same case again, through its other factor: still two cases
		other_factor = frappe.get_doc("Review", first_review).systemic_factors[1].name
		promote(first_review, other_factor, issue)
		self.assertEqual(self.count(issue), 2)

		frappe.set_user("Administrator")
		evidence = frappe.get_all(
			"Systemic Issue Evidence", filters={"systemic_issue": issue, "case": second_case}, pluck="name"
		)
		# the evidence's own lifecycle keeps the figures and the factor's link, however it is deleted
		frappe.delete_doc("Systemic Issue Evidence", evidence[0])
		self.assertEqual(self.count(issue), 1)
		self.assertFalse(frappe.db.get_value("Review Systemic Factor", second_factor, "systemic_issue"))

		frappe.set_user(PEOPLE[COORDINATOR])
		frappe.db.set_value("Case", first_case, "withdrawal_reason", "The doctor asked us to stop.")
		apply_workflow(frappe.get_doc("Case", first_case), "Withdraw")
		self.assertEqual(self.count(issue), 0, "a withdrawn case stops counting")
		case = frappe.get_doc("Case", first_case)
		case.reopen_reason = "Back again."
		case.save()
		apply_workflow(frappe.get_doc("Case", first_case), "Reopen")
		self.assertEqual(self.count(issue), 1)

	def test_a_caseworker_cannot_promote_a_review_they_cannot_act_on(self):
		_case, review, factor = reviewed_case(OTHER_CASEWORKER, "learn-theirs@example.com")
		for user in (PEOPLE[CASEWORKER], PEOPLE[POLICY_LEAD]):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError):
				promote(review, factor)
			with self.assertRaises(frappe.PermissionError):
				issues_matching(review, factor)
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.get_value("Review Systemic Factor", factor, "systemic_issue"))

	def test_the_extract_counts_kinds_and_names_nobody(self):
		case, review, factor = reviewed_case(PEOPLE[CASEWORKER], "learn-extract@example.com")
		issue = promote(review, factor)["systemic_issue"]
		# with no words from whoever promoted it, the factor's own words (about one case) stay on the review
		title, description = frappe.db.get_value("Systemic Issue", issue, ["title", "description"])
		self.assertEqual(title, f"Organisation at {TRUST}")
		self.assertFalse(description)
		extract = frappe.db.get_value("Systemic Issue", issue, "anonymised_extract")
		for kind, table in (
			("MHPS investigation", "Review Procedural Failure"),
			("Delay", "Review Unfairness"),
		):
			# one row of each: it publishes 0 (left out) or 3 ("<5")
			rows = frappe.get_all(table, filters={"parenttype": "Review", "parent": review}, pluck="name")
			if shown(rows) == "<5":
				self.assertIn(f"{kind} <5", extract)
			else:
				self.assertNotIn(kind, extract)
		for private in (
			case,
			review,
			"learn-extract",
			"Amina",
			"Excluded for months",
			"No exclusion reviews",
		):
			self.assertNotIn(private, extract)
		self.assertEqual(extract, extract_text(issue))

	def test_issue_and_action_workflows_by_role(self):
		frappe.set_user(PEOPLE[CASEWORKER])
		issue = frappe.get_doc(
			{"doctype": "Systemic Issue", "title": "Investigations without terms of reference"}
		).insert()
		for spec, make in (
			(SYSTEMIC_ISSUE_WORKFLOW, lambda: issue.name),
			(
				ADVOCACY_ACTION_WORKFLOW,
				lambda: (
					frappe.get_doc(
						{
							"doctype": "Advocacy Action",
							"title": "Letter to the medical director",
							"action_type": "Letter to an organisation",
							"responsible": PEOPLE[POLICY_LEAD],
							"systemic_issues": [{"systemic_issue": issue.name}],
						}
					)
					.insert(ignore_permissions=True)
					.name
				),
			),
		):
			first = spec.transitions[0]
			for role in (CASEWORKER, COORDINATOR, POLICY_LEAD):
				with self.subTest(workflow=spec.name, role=role):
					frappe.set_user("Administrator")
					name = make()
					frappe.db.set_value(spec.document_type, name, "workflow_state", first.state)
					frappe.set_user(PEOPLE[role])
					if role in first.roles:
						moved = apply_workflow(frappe.get_doc(spec.document_type, name), first.action)
						self.assertEqual(moved.workflow_state, first.next_state)
					else:
						with self.assertRaises(
							(WorkflowTransitionError, WorkflowPermissionError, frappe.PermissionError)
						):
							apply_workflow(frappe.get_doc(spec.document_type, name), first.action)

	def test_closing_an_issue_and_completing_an_action_need_their_reasons(self):
		frappe.set_user(PEOPLE[POLICY_LEAD])
		issue = frappe.get_doc({"doctype": "Systemic Issue", "title": "Months-long exclusions"}).insert()
		with self.assertRaises(frappe.ValidationError):
			apply_workflow(frappe.get_doc("Systemic Issue", issue.name), "Close")
		frappe.db.set_value("Systemic Issue", issue.name, "closed_reason", "Merged into a wider issue.")
		self.assertEqual(
			apply_workflow(frappe.get_doc("Systemic Issue", issue.name), "Close").workflow_state, "Closed"
		)
		action = frappe.get_doc(
			{
				"doctype": "Advocacy Action",
				"title": "Meet the trust",
				"action_type": "Meeting",
				"responsible": PEOPLE[POLICY_LEAD],
			}
		).insert()
		self.assertEqual(action.owner, PEOPLE[POLICY_LEAD])
		apply_workflow(frappe.get_doc("Advocacy Action", action.name), "Start")
		with self.assertRaises(frappe.ValidationError):
			apply_workflow(frappe.get_doc("Advocacy Action", action.name), "Complete")

	def test_a_caseworker_writes_only_the_issues_they_created(self):
		frappe.set_user(PEOPLE[COORDINATOR])
		theirs = frappe.get_doc({"doctype": "Systemic Issue", "title": "Rota gaps"}).insert()
		frappe.set_user(PEOPLE[CASEWORKER])
		mine = frappe.get_doc({"doctype": "Systemic Issue", "title": "No supervision at night"}).insert()
		mine.description = "Seen in several cases."
		mine.save()
		self.assertTrue(frappe.has_permission("Systemic Issue", "read", theirs.name))
		self.assertFalse(frappe.has_permission("Systemic Issue", "write", theirs.name))


class TestLearningSummary(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for organisation in (TRUST, "Summarytest Community Trust"):
			if not frappe.db.exists("Healthcare Organisation", organisation):
				frappe.get_doc(
					{"doctype": "Healthcare Organisation", "organisation_name": organisation}
				).insert(ignore_permissions=True)
		make_user(PEOPLE[CASEWORKER], CASEWORKER)

	def test_the_summary_names_nobody_and_shows_no_small_count(self):
		from lnb_casework.learning.summary import SUMMARY_SECTIONS, learning_summary, summary_rows

		seeded, issue = [], None
		for number in range(7):
			email = f"summary-doctor-{number}@example.com"
			case, review, factor = reviewed_case(PEOPLE[CASEWORKER], email)
			organisation = TRUST if number < 6 else "Summarytest Community Trust"
			frappe.db.set_value(
				"Case",
				case,
				{
					"organisation": organisation,
					"phone": f"07700 90{number:04d}",
					"gmc_number": f"765432{number}",
				},
			)
			issue = promote(review, factor, issue)["systemic_issue"]
			seeded.append(frappe.get_doc("Case", case))
		cases = [case.name for case in seeded]
		self.assertEqual(frappe.db.get_value("Systemic Issue", issue, "case_count"), shown(cases))

		summary = learning_summary(issue)
		printed = frappe.get_print("Systemic Issue", issue, print_format="Anonymised Learning Summary")
		exported = "\n".join(",".join(str(cell) for cell in row) for row in summary_rows(summary))
		for case in seeded:
			for private in (
				case.name,
				case.doctor_name,
				case.email,
				case.phone,
				case.gmc_number,
				case.what_happened,
			):
				self.assertNotIn(private, printed)
				self.assertNotIn(private, exported)

		threshold = summary["threshold"]
		for key, _title in SUMMARY_SECTIONS:
			figures = [*summary[key]["counts"].values(), summary[key]["total"]]
			for figure in figures:
				self.assertFalse(isinstance(figure, int) and 0 < figure < threshold, f"{key} shows {figure}")
		organisations = summary["cases_by_organisation"]
		# the published counts of each organisation's cases and of all seven, suppressed together
		perturbation = site_perturbation()
		expected = suppress_linked_lines(
			[perturbation.count(cases[:6]), perturbation.count(cases[6:]), perturbation.count(cases)],
			[([0, 1], 2)],
			threshold,
		)
		self.assertEqual(list(organisations["counts"]), [TRUST, "Summarytest Community Trust"])
		self.assertEqual([*organisations["counts"].values(), organisations["total"]], expected)
		if not isinstance(organisations["total"], str):
			# the same seven cases as the issue's own count
			self.assertEqual(
				str(organisations["total"]), frappe.db.get_value("Systemic Issue", issue, "case_count")
			)
		if expected[1] == f"<{threshold}":
			# a lone <5 cannot be subtracted out: the other organisation's figure or the total is held back
			self.assertTrue(isinstance(expected[0], str) or isinstance(expected[2], str), expected)
		self.assertIn("Learning summary", printed)
		self.assertIn(f"<{threshold}", printed.replace("&lt;", "<"))
