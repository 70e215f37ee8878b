import frappe
from frappe.tests.utils import FrappeTestCase

from lnb_casework.lnb_casework.doctype.lnb_settings.lnb_settings import contact_address
from lnb_casework.setup.website import ACCESSIBILITY_STATEMENT, show_learn_not_blame_on_public_pages


def footer_links() -> list[tuple[str, str]]:
	return [(item.label, item.url) for item in frappe.get_single("Website Settings").footer_items]


class TestPublicPagesFooter(FrappeTestCase):
	def test_the_accessibility_statement_is_put_back_in_the_footer(self):
		settings = frappe.get_single("Website Settings")
		settings.set("footer_items", [{"label": "Somewhere else", "url": "/elsewhere"}])
		settings.save(ignore_permissions=True)

		show_learn_not_blame_on_public_pages(contact_address())

		self.assertEqual(footer_links(), [("Accessibility statement", ACCESSIBILITY_STATEMENT)])

	def test_settings_already_right_are_left_unsaved(self):
		show_learn_not_blame_on_public_pages(contact_address())
		saved = frappe.get_single("Website Settings").modified

		show_learn_not_blame_on_public_pages(contact_address())

		self.assertEqual(frappe.get_single("Website Settings").modified, saved)
		self.assertEqual(footer_links(), [("Accessibility statement", ACCESSIBILITY_STATEMENT)])
