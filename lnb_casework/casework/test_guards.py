"""Frappe's own ways of granting more than the casework roles allow, closed."""

import frappe
from frappe.tests.utils import FrappeTestCase

from lnb_casework.casework.rules import CASEWORKER, COORDINATOR, POLICY_LEAD, SYSTEM_MANAGER
from lnb_casework.lnb_casework.doctype.case.test_case import make_user


def only_administrator_is_system_manager() -> None:
	"""As on a new site: Frappe gives System Manager to the first System User saved while nobody but
	Administrator holds it (User.add_system_manager_role)."""
	frappe.db.delete("Has Role", {"role": SYSTEM_MANAGER, "parent": ("!=", "Administrator")})
	frappe.db.set_single_value("System Settings", "setup_complete", 1)


class TestFirstUser(FrappeTestCase):
	def test_the_first_casework_user_of_a_new_site_is_not_made_system_manager(self):
		for number, role in enumerate((CASEWORKER, COORDINATOR, POLICY_LEAD)):
			only_administrator_is_system_manager()
			email = make_user(f"first-user-{number}@lnb.test", role)
			self.assertNotIn(SYSTEM_MANAGER, frappe.get_roles(email))
			self.assertIn(role, frappe.get_roles(email))

	def test_a_user_given_system_manager_keeps_it(self):
		only_administrator_is_system_manager()
		email = make_user("first-user-admin@lnb.test", CASEWORKER, SYSTEM_MANAGER)
		self.assertIn(SYSTEM_MANAGER, frappe.get_roles(email))

	def test_a_user_with_no_role_yet_is_not_made_system_manager(self):
		"""Frappe would: a new user is a System User until their roles say otherwise."""
		only_administrator_is_system_manager()
		email = make_user("first-user-no-role@lnb.test")
		self.assertNotIn(SYSTEM_MANAGER, frappe.get_roles(email))
		make_user(email, CASEWORKER)
		self.assertNotIn(SYSTEM_MANAGER, frappe.get_roles(email))
