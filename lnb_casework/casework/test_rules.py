"""Case movement and edit rules, and the allocation checks: pure functions, no database."""

import unittest

from lnb_casework.casework.allocation import allocation_problems
from lnb_casework.casework.rules import (
	CASE_TRANSITIONS,
	CASE_WORKFLOW,
	CASEWORKER,
	COORDINATOR,
	ENDED_STATES,
	OPEN_STATES,
	SYSTEM_MANAGER,
	action_between,
	edit_problem,
	read_only_fields,
	transition_problems,
)

LABELS = {
	"priority": "Priority",
	"caseworker": "Caseworker",
	"outcome": "Outcome",
	"triage_notes": "Triage notes",
}


def label(field: str) -> str:
	return LABELS[field]


class TestCaseRules(unittest.TestCase):
	def test_transitions_are_the_issue_table(self):
		pairs = {(t.state, t.action, t.next_state, t.roles) for t in CASE_TRANSITIONS}
		both = (CASEWORKER, COORDINATOR)
		self.assertIn(("New", "Start triage", "Triage", (COORDINATOR,)), pairs)
		self.assertIn(("Triage", "Allocate", "Allocated", (COORDINATOR,)), pairs)
		self.assertIn(("Allocated", "Start review", "Under Review", both), pairs)
		self.assertIn(("Advocacy", "Back to support", "Active Support", both), pairs)
		for state in OPEN_STATES:
			self.assertIn((state, "Withdraw", "Withdrawn", (COORDINATOR,)), pairs)
			self.assertIn((state, "Refer on", "Referred On", (COORDINATOR,)), pairs)
		closeable = {t.state for t in CASE_TRANSITIONS if t.action == "Close"}
		self.assertEqual(closeable, {"Under Review", "Active Support", "Advocacy"})
		self.assertEqual({t.state for t in CASE_TRANSITIONS if t.action == "Reopen"}, set(ENDED_STATES))
		self.assertEqual(len(CASE_TRANSITIONS), 6 + 6 + 6 + 3 + 3)
		self.assertEqual(CASE_WORKFLOW.states[0][0], "New")

	def test_action_between(self):
		self.assertEqual(action_between("Closed", "Triage"), "Reopen")
		self.assertIsNone(action_between("New", "Closed"))

	def test_what_each_move_needs(self):
		self.assertEqual(set(transition_problems("Triage", "Allocated", {})), {"caseworker", "organisation"})
		self.assertEqual(
			transition_problems("Triage", "Allocated", {"caseworker": "a@x", "organisation": "T"}), {}
		)
		self.assertEqual(
			set(transition_problems("Triage", "Withdrawn", {"withdrawal_reason": " "})), {"withdrawal_reason"}
		)
		self.assertEqual(set(transition_problems("Advocacy", "Referred On", {})), {"referred_to"})
		self.assertEqual(set(transition_problems("Under Review", "Closed", {})), {"outcome"})
		self.assertEqual(set(transition_problems("Withdrawn", "Triage", {})), {"reopen_reason"})
		self.assertEqual(transition_problems("New", "Triage", {}), {})
		self.assertEqual(transition_problems("Closed", "Closed", {}), {})

	def test_who_may_change_what(self):
		coordinator, caseworker = [COORDINATOR], [CASEWORKER]
		self.assertIsNone(edit_problem(coordinator, "Triage", ["priority", "organisation"], False, label))
		self.assertIsNone(
			edit_problem(
				caseworker, "Under Review", ["casework_notes", "deadlines", "related_cases"], False, label
			)
		)
		self.assertIsNone(edit_problem(caseworker, "Allocated", ["workflow_state"], True, label))
		self.assertIn("Priority", edit_problem(caseworker, "Under Review", ["priority"], False, label))
		self.assertIn("Caseworker", edit_problem(caseworker, "Under Review", ["caseworker"], False, label))

	def test_refusals_name_fields_by_their_labels(self):
		problem = edit_problem([CASEWORKER], "Under Review", ["outcome", "triage_notes"], False, label)
		self.assertEqual(problem, "Only a coordinator can change: Outcome, Triage notes.")

	def test_a_caseworker_sees_coordinator_fields_read_only(self):
		self.assertEqual(read_only_fields([COORDINATOR]), ())
		self.assertEqual(read_only_fields([SYSTEM_MANAGER, CASEWORKER]), ())
		locked = read_only_fields([CASEWORKER])
		for field in ("priority", "organisation", "outcome", "what_happened", "processes", "caseworker"):
			self.assertIn(field, locked)
		for field in ("casework_notes", "deadlines", "related_cases", "acas_contacted_on"):
			self.assertNotIn(field, locked)

	def test_ended_cases_are_read_only(self):
		for roles in ([COORDINATOR], [CASEWORKER]):
			self.assertIn("reopen", edit_problem(roles, "Closed", ["casework_notes"], False, label))
		self.assertIsNone(edit_problem([COORDINATOR], "Closed", ["reopen_reason"], False, label))
		self.assertIsNone(
			edit_problem([COORDINATOR], "Withdrawn", ["workflow_state", "reopen_reason"], True, label)
		)
		self.assertIsNone(edit_problem([COORDINATOR], "Closed", [], False, label))


class TestAllocationChecks(unittest.TestCase):
	def problems(self, **changes):
		values = {
			"caseworker": "cw@example.com",
			"case_organisation": "Northshire Trust",
			"profile_organisations": ["Southshire Trust"],
			"capacity": 3,
			"open_cases": 2,
			"override_reason": "",
		}
		values.update(changes)
		return allocation_problems(**values)

	def test_a_free_caseworker_without_conflict(self):
		self.assertEqual(self.problems(), [])
		self.assertEqual(self.problems(case_organisation=None), [])

	def test_conflict_of_interest(self):
		found = self.problems(profile_organisations=["Northshire Trust"])
		self.assertIn("conflict of interest", found[0])
		self.assertIn("reason", found[-1])

	def test_capacity(self):
		self.assertIn("3 open cases", self.problems(open_cases=3)[0])
		self.assertEqual(self.problems(open_cases=2), [])

	def test_override_with_a_reason(self):
		self.assertEqual(
			self.problems(
				profile_organisations=["Northshire Trust"],
				open_cases=9,
				override_reason="Only specialist available",
			),
			[],
		)
		self.assertTrue(self.problems(profile_organisations=["Northshire Trust"], override_reason="  "))

	def test_no_profile(self):
		self.assertIn(
			"no caseworker profile",
			self.problems(profile_organisations=None, capacity=None, override_reason="x")[0],
		)
