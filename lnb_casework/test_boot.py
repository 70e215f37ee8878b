"""frappe.boot.lnb: what the desk scripts read instead of spelling out roles, states and options again."""

import frappe
from frappe.tests.utils import FrappeTestCase

from lnb_casework.boot import rules_the_desk_scripts_read
from lnb_casework.casework.rules import CASE_WORKFLOW, CASEWORKER, COORDINATOR, ENDED_STATES, POLICY_LEAD
from lnb_casework.lnb_casework.doctype.case.test_case import make_user

PEOPLE = {
	COORDINATOR: "boot-coordinator@lnb.test",
	CASEWORKER: "boot-caseworker@lnb.test",
	POLICY_LEAD: "boot-policy-lead@lnb.test",
}


def boot_as(user: str) -> dict:
	frappe.set_user(user)
	bootinfo = frappe._dict()
	rules_the_desk_scripts_read(bootinfo)
	return bootinfo.lnb


class TestDeskBoot(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for role, email in PEOPLE.items():
			make_user(email, role)

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_the_hook_is_registered(self):
		self.assertIn("lnb_casework.boot.rules_the_desk_scripts_read", frappe.get_hooks("boot_session"))

	def test_only_a_coordinator_is_offered_allocation(self):
		self.assertTrue(boot_as(PEOPLE[COORDINATOR])["may_allocate"])
		self.assertFalse(boot_as(PEOPLE[CASEWORKER])["may_allocate"])
		self.assertFalse(boot_as(PEOPLE[POLICY_LEAD])["may_allocate"])

	def test_a_case_is_allocated_from_triage_and_during_casework(self):
		states = boot_as(PEOPLE[COORDINATOR])["allocatable_states"]
		self.assertEqual(states, ["Triage", "Allocated", "Under Review", "Active Support", "Advocacy"])
		workflow_states = [state for state, _docstatus, _roles in CASE_WORKFLOW.states]
		self.assertTrue(set(states) <= set(workflow_states) - set(ENDED_STATES))

	def test_states_are_those_of_the_workflows_the_site_runs(self):
		lnb = boot_as(PEOPLE[POLICY_LEAD])
		for key, workflow in (("issue_states", "Systemic Issue"), ("action_states", "Advocacy Action")):
			# a row per state and role that may edit in it
			on_site = list(dict.fromkeys(row.state for row in frappe.get_doc("Workflow", workflow).states))
			self.assertEqual(lnb[key], on_site, key)

	def test_options_are_the_doctypes(self):
		lnb = boot_as(PEOPLE[POLICY_LEAD])
		self.assertEqual(lnb["options"]["severity"], ["Low", "Medium", "High", "Critical"])
		self.assertEqual(
			lnb["options"]["action_type"],
			frappe.get_meta("Advocacy Action").get_options("action_type").split("\n")[1:],
		)
		self.assertEqual(
			set(lnb["options"]["seips_component"]), set(frappe.get_all("SEIPS Component", pluck="name"))
		)
		self.assertEqual(len(lnb["options"]["seips_component"]), 6)
		self.assertEqual(lnb["issue_filter"], {"open": "Open", "all": "All"})
		self.assertEqual(lnb["deadlines_due_days"], 30)

	def test_urgency_and_its_colours(self):
		lnb = boot_as(PEOPLE[CASEWORKER])
		self.assertEqual(lnb["urgent_priority"], "Urgent")
		self.assertEqual(lnb["urgent_support"], "I need urgent support")
		self.assertEqual(lnb["priority_colours"], {"Urgent": "red", "High": "orange"})
		self.assertIn(lnb["urgent_priority"], frappe.get_meta("Case").get_options("priority").split("\n"))

	def test_the_equality_report_offers_only_years_that_have_ended(self):
		from lnb_casework.lnb_casework.report.discrimination_and_disproportionality.discrimination_and_disproportionality import (
			execute,
		)

		offered = boot_as(PEOPLE[COORDINATOR])["equality_report"]
		last_ended = str(frappe.utils.getdate().year - 1)
		self.assertEqual(offered["ended_years"][0], last_ended)
		self.assertNotIn(str(frappe.utils.getdate().year), offered["ended_years"])
		for view in offered["views"]:
			execute(
				{"period": last_ended, "view": view}
			)  # each view the script offers is one the server runs
