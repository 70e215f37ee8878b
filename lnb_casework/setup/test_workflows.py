"""The app's workflows on the site: the state is what the desk shows as the status, on new and old sites."""

import frappe
from frappe.tests.utils import FrappeTestCase

from lnb_casework.casework.list_columns import CASE_LIST_COLUMNS, ensure_case_list_columns
from lnb_casework.casework.rules import CASE_WORKFLOW
from lnb_casework.learning.workflows import ADVOCACY_ACTION_WORKFLOW, SYSTEMIC_ISSUE_WORKFLOW
from lnb_casework.review.workflow import REVIEW_WORKFLOW
from lnb_casework.setup.workflows import STATE_STYLES, ensure_workflow

WORKFLOWS = (CASE_WORKFLOW, REVIEW_WORKFLOW, SYSTEMIC_ISSUE_WORKFLOW, ADVOCACY_ACTION_WORKFLOW)


class TestWorkflows(FrappeTestCase):
	def test_the_state_is_the_status_the_desk_shows(self):
		for spec in WORKFLOWS:
			workflow = frappe.get_doc("Workflow", spec.name)
			self.assertTrue(workflow.is_active, spec.name)
			self.assertFalse(workflow.override_status, f"{spec.name}: Don't Override Status is on")

	def test_every_state_has_its_colour(self):
		for spec in WORKFLOWS:
			for state, _docstatus, _roles in spec.states:
				self.assertIn(state, STATE_STYLES)
				style = frappe.db.get_value("Workflow State", state, "style") or ""
				self.assertEqual(style, STATE_STYLES[state], state)

	def test_a_site_made_before_shows_the_state_after_migrate(self):
		frappe.db.set_value("Workflow", REVIEW_WORKFLOW.name, "override_status", 1)
		frappe.db.set_value("Workflow State", "Submitted for Approval", "style", "")
		ensure_workflow(REVIEW_WORKFLOW)
		self.assertEqual(frappe.db.get_value("Workflow", REVIEW_WORKFLOW.name, "override_status"), 0)
		self.assertEqual(frappe.db.get_value("Workflow State", "Submitted for Approval", "style"), "Warning")

	def test_the_case_list_has_room_for_its_columns(self):
		frappe.db.set_value("List View Settings", "Case", "total_fields", "4")
		ensure_case_list_columns()
		ensure_case_list_columns()
		self.assertEqual(
			int(frappe.db.get_value("List View Settings", "Case", "total_fields")), CASE_LIST_COLUMNS
		)
