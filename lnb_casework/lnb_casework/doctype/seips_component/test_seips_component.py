"""The SEIPS components: one list, made into records on every site, and the same strings everywhere a
component is chosen (a review's systemic factor is promoted into an issue's component link)."""

import json
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

from lnb_casework.lnb_casework.doctype.seips_component.seips_component import (
	ensure_seips_components,
	seips_components,
)

MODULE = Path(__file__).parents[2]


def select_options(doctype_folder: str, fieldname: str) -> list[str]:
	meta = json.loads((MODULE / "doctype" / doctype_folder / f"{doctype_folder}.json").read_text())
	field = next(field for field in meta["fields"] if field["fieldname"] == fieldname)
	return [option for option in field["options"].split("\n") if option]


class TestSEIPSComponent(FrappeTestCase):
	def test_the_six_components_of_seips_2(self) -> None:
		self.assertEqual(
			seips_components(),
			[
				"Person(s)",
				"Tasks",
				"Tools and technology",
				"Organisation",
				"Internal environment",
				"External environment",
			],
		)

	def test_a_review_factor_offers_exactly_the_components(self) -> None:
		self.assertEqual(select_options("review_systemic_factor", "seips_component"), seips_components())

	def test_the_set_up_makes_them_in_order_and_puts_them_back(self) -> None:
		frappe.db.set_value("SEIPS Component", "Tasks", {"position": 99, "description": ""})
		ensure_seips_components()
		self.assertEqual(
			frappe.get_all("SEIPS Component", order_by="position asc", pluck="name"), seips_components()
		)
		self.assertTrue(frappe.db.get_value("SEIPS Component", "Tasks", "description"))

	def test_an_issue_links_its_components_by_their_names(self) -> None:
		issue = frappe.get_doc(
			{
				"doctype": "Systemic Issue",
				"title": "SEIPS link test",
				"seips_components": [{"seips_component": "Tools and technology"}],
			}
		).insert(ignore_permissions=True)
		self.addCleanup(frappe.delete_doc, "Systemic Issue", issue.name, force=True, ignore_permissions=True)
		self.assertEqual(
			frappe.get_all("Systemic Issue SEIPS Component", {"parent": issue.name}, pluck="seips_component"),
			["Tools and technology"],
		)
		with self.assertRaises(frappe.LinkValidationError):
			frappe.get_doc(
				{
					"doctype": "Systemic Issue",
					"title": "SEIPS link test, unknown component",
					"seips_components": [{"seips_component": "Weather"}],
				}
			).insert(ignore_permissions=True)
