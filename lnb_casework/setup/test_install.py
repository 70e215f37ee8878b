import frappe
from frappe.tests.utils import FrappeTestCase

from lnb_casework.setup.install import after_migrate


class TestInstall(FrappeTestCase):
	def test_app_is_installed_on_the_site(self):
		self.assertIn("lnb_casework", frappe.get_installed_apps())
		self.assertTrue(frappe.db.exists("Installed Application", {"app_name": "lnb_casework"}))

	def test_module_belongs_to_the_app(self):
		self.assertEqual(frappe.db.get_value("Module Def", "LNB Casework", "app_name"), "lnb_casework")

	def test_site_setup_can_run_again(self):
		modules_before = frappe.db.count("Module Def", {"app_name": "lnb_casework"})
		after_migrate()
		after_migrate()
		self.assertEqual(frappe.db.count("Module Def", {"app_name": "lnb_casework"}), modules_before)
