"""The View Log as an audit (docs/view-audit.md): what record_view writes, the field that says how, and that
nobody but a System Manager changes or deletes a View Log, whatever permissions the caller skips."""

import frappe
from frappe.tests.utils import FrappeTestCase

from lnb_casework.audit.views import (
	HOW_FIELD,
	PDF,
	SUBJECT_ACCESS,
	WAYS_OF_VIEWING,
	ViewLogUnchangeable,
	ensure_view_log_says_how,
	record_view,
	view_log_has_permission,
)
from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD, SYSTEM_MANAGER
from lnb_casework.lnb_casework.doctype.case.test_case import make_user, submit_through_form

COORDINATOR_USER = "views-coordinator@lnb.test"
CASEWORKER_USER = "views-caseworker@lnb.test"
POLICY_LEAD_USER = "views-policy-lead@lnb.test"
MANAGER_USER = "views-manager@lnb.test"


class TestViewAudit(FrappeTestCase):
	def setUp(self):
		make_user(COORDINATOR_USER, COORDINATOR)
		make_user(CASEWORKER_USER, CASEWORKER)
		make_user(POLICY_LEAD_USER, POLICY_LEAD)
		make_user(MANAGER_USER, SYSTEM_MANAGER)
		self.case = submit_through_form(email="views-doctor@example.com", gmc_number="").name
		frappe.db.set_value("Case", self.case, "caseworker", CASEWORKER_USER)

	def tearDown(self):
		frappe.set_user("Administrator")
		# the intake commits as it goes (its mail), so what it made is removed, not rolled back
		frappe.db.delete("View Log", {"reference_name": self.case})
		frappe.db.delete("Email Queue", {"reference_name": self.case})
		frappe.db.delete("Case State Change", {"case": self.case})
		frappe.delete_doc("Case", self.case, ignore_permissions=True, force=True)
		frappe.db.commit()

	def logs(self) -> list[dict]:
		return frappe.get_all(
			"View Log",
			filters={"reference_doctype": "Case", "reference_name": self.case},
			fields=["viewed_by", HOW_FIELD],
		)

	def test_the_field_that_says_how_is_made_once_and_read_only(self):
		ensure_view_log_says_how()
		ensure_view_log_says_how()
		fields = frappe.get_all(
			"Custom Field", filters={"dt": "View Log", "fieldname": HOW_FIELD}, pluck="name"
		)
		self.assertEqual(len(fields), 1)
		field = frappe.get_meta("View Log").get_field(HOW_FIELD)
		self.assertEqual((field.fieldtype, field.read_only), ("Select", 1))
		self.assertEqual(field.options.split("\n")[1:], list(WAYS_OF_VIEWING))

	def test_record_view_writes_one_view_log_by_the_user_saying_how(self):
		frappe.set_user(COORDINATOR_USER)
		record_view("Case", self.case, SUBJECT_ACCESS)
		self.assertEqual(self.logs(), [{"viewed_by": COORDINATOR_USER, HOW_FIELD: SUBJECT_ACCESS}])

	def test_record_view_writes_nothing_for_a_guest_and_refuses_an_unknown_way(self):
		frappe.set_user("Guest")
		record_view("Case", self.case, PDF)
		frappe.set_user(COORDINATOR_USER)
		with self.assertRaises(ValueError):
			record_view("Case", self.case, "Telepathy")
		self.assertEqual(self.logs(), [])

	def test_the_desks_own_view_log_says_desk_only_when_the_desk_form_loads(self):
		"""Frappe's add_viewed outside a request (here, a newsletter's or a script's) is left as it is."""
		frappe.set_user(COORDINATOR_USER)
		frappe.get_doc("Case", self.case).add_viewed()
		[log] = self.logs()
		self.assertEqual(log.viewed_by, COORDINATOR_USER)
		self.assertFalse(log[HOW_FIELD])

	def test_no_casework_role_changes_or_deletes_a_view_log_even_past_permissions(self):
		frappe.set_user(CASEWORKER_USER)
		record_view("Case", self.case, PDF)
		name = frappe.get_all("View Log", filters={"reference_name": self.case}, pluck="name")[0]
		for user in (CASEWORKER_USER, COORDINATOR_USER, POLICY_LEAD_USER):
			frappe.set_user(user)
			log = frappe.get_doc("View Log", name)
			log.set(HOW_FIELD, SUBJECT_ACCESS)
			with self.assertRaises(ViewLogUnchangeable):
				log.save(ignore_permissions=True)
			with self.assertRaises(ViewLogUnchangeable):
				frappe.delete_doc("View Log", name, ignore_permissions=True)
			for ptype in ("create", "write", "delete"):
				self.assertFalse(frappe.has_permission("View Log", ptype, doc=log, user=user), (user, ptype))
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("View Log", name, HOW_FIELD), PDF)

	def test_a_system_manager_may_still_clear_view_logs_from_code(self):
		"""Frappe gives no role the permission to delete View Logs; code run by a System Manager may."""
		frappe.set_user(CASEWORKER_USER)
		record_view("Case", self.case, PDF)
		name = frappe.get_all("View Log", filters={"reference_name": self.case}, pluck="name")[0]
		frappe.set_user(MANAGER_USER)
		frappe.delete_doc("View Log", name, ignore_permissions=True)
		self.assertFalse(frappe.db.exists("View Log", name))

	def test_reading_a_view_log_still_follows_the_case_row_rule(self):
		frappe.set_user(COORDINATOR_USER)
		record_view("Case", self.case, PDF)
		log = frappe.get_doc("View Log", {"reference_name": self.case})
		frappe.db.set_value("Case", self.case, "caseworker", None)
		self.assertFalse(view_log_has_permission(log, "read", CASEWORKER_USER))
		self.assertIsNone(view_log_has_permission(log, "read", COORDINATOR_USER))
