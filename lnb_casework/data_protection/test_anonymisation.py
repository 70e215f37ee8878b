"""The anonymisation rules as pure functions: every text field of a case and its reviews is decided, the
doctor's identifiers are found in other people's words (docs/erasure-and-retention.md)."""

import json
import unittest
from pathlib import Path

from lnb_casework.data_protection.anonymisation import (
	ANONYMISED,
	BLANK,
	CASE_TABLES,
	KEPT,
	REPLACED,
	REVIEW_TABLES,
	TEXT_FIELD_TYPES,
	doctor_identifiers,
	holds_identifier,
	replaced_values,
	search_patterns,
)

DOCTYPES = Path(__file__).parent.parent / "lnb_casework" / "doctype"
ANONYMISED_DOCTYPES = ("Case", "Review", "Case State Change", *CASE_TABLES, *REVIEW_TABLES)


def fields_of(doctype: str) -> list[dict]:
	folder = doctype.lower().replace(" ", "_")
	return json.loads((DOCTYPES / folder / f"{folder}.json").read_text())["fields"]


class TestEveryFieldIsDecided(unittest.TestCase):
	def test_every_text_field_is_either_replaced_or_kept_and_never_both(self):
		for doctype in ANONYMISED_DOCTYPES:
			text_fields = {f["fieldname"] for f in fields_of(doctype) if f["fieldtype"] in TEXT_FIELD_TYPES}
			replaced = set(REPLACED.get(doctype, {}))
			kept = set(KEPT.get(doctype, ()))
			self.assertEqual(text_fields - replaced - kept, set(), f"{doctype}: undecided text fields")
			self.assertEqual(replaced & kept, set(), doctype)
			self.assertEqual((replaced | kept) - text_fields, set(), f"{doctype}: fields that do not exist")

	def test_only_stored_fields_are_replaced(self):
		for doctype in ANONYMISED_DOCTYPES:
			virtual = {f["fieldname"] for f in fields_of(doctype) if f.get("is_virtual")}
			self.assertEqual(virtual & set(REPLACED.get(doctype, {})), set(), doctype)

	def test_what_the_reports_count_is_never_replaced(self):
		for doctype in ANONYMISED_DOCTYPES:
			counted = {
				f["fieldname"]
				for f in fields_of(doctype)
				if f["fieldtype"] in ("Select", "Check", "Date", "Datetime", "Link", "Table", "Int")
			}
			self.assertEqual(counted & set(REPLACED.get(doctype, {})), set(), doctype)

	def test_the_tables_named_are_child_tables_of_case_and_review(self):
		for parent, tables in (("Case", CASE_TABLES), ("Review", REVIEW_TABLES)):
			children = {f["options"] for f in fields_of(parent) if f["fieldtype"] == "Table"}
			self.assertLessEqual(set(tables), children, parent)

	def test_identity_and_narrative_are_replaced(self):
		case = REPLACED["Case"]
		for field in ("email", "phone", "gmc_number"):
			self.assertIs(case[field], BLANK)
		self.assertEqual(case["doctor_name"], ANONYMISED)
		self.assertEqual(case["what_happened"], ANONYMISED)


class TestReplacedValues(unittest.TestCase):
	def test_identity_blanked_free_text_marked_and_the_rest_left(self):
		changes = replaced_values(
			"Case",
			{
				"doctor_name": "Dr Olu Adeyemi",
				"email": "olu@example.com",
				"phone": "+44 7700 900456",
				"what_happened": "I was referred to the GMC.",
				"triage_notes": "",
				"outcome": None,
				"grade": "Consultant",
				"workflow_state": "Closed",
			},
		)
		self.assertEqual(
			changes,
			{
				"doctor_name": ANONYMISED,
				"email": None,
				"phone": None,
				"what_happened": ANONYMISED,
			},
		)

	def test_an_already_anonymised_row_needs_no_change(self):
		self.assertEqual(replaced_values("Review", {"circumstances": ANONYMISED, "jc_1a": "Yes"}), {})

	def test_a_doctype_without_rules_is_left_alone(self):
		self.assertEqual(replaced_values("Case Discrimination Kind", {"kind": "Race"}), {})


class TestIdentifiers(unittest.TestCase):
	def test_the_name_with_and_without_title_email_phone_forms_and_gmc_number(self):
		self.assertEqual(
			doctor_identifiers("Dr  Olu Adeyemi", "Olu.A@Example.com", "+44 7700 900456", "1234567"),
			(
				"dr olu adeyemi",
				"olu adeyemi",
				"olu.a@example.com",
				"1234567",
				"+44 7700 900456",
				"+447700900456",
				"07700900456",
			),
		)

	def test_missing_and_very_short_values_are_no_identifiers(self):
		self.assertEqual(doctor_identifiers(None, "", None, "12"), ())
		self.assertEqual(doctor_identifiers("Dr Li", None, None, None), ("dr li",))

	def test_a_text_holds_an_identifier_in_any_case_and_spacing(self):
		identifiers = doctor_identifiers("Dr Olu Adeyemi", "olu@example.com", "+44 7700 900456", "1234567")
		for text in (
			'{"doctor_name": "Dr Olu Adeyemi"}',
			"spoke to OLU ADEYEMI today",
			"mail to Olu@Example.com",
			"rang 07700 900456",
			"rang (0)7700-900-456 and +44 7700 900456",
			"GMC 1234567",
		):
			self.assertTrue(holds_identifier(text, identifiers), text)

	def test_other_texts_do_not(self):
		identifiers = doctor_identifiers("Dr Olu Adeyemi", "olu@example.com", "+44 7700 900456", "1234567")
		for text in ("", None, "Dr Ada Obi, ada@example.com, GMC 7654321", "Olu", "LNB-2026-00001"):
			self.assertFalse(holds_identifier(text, identifiers), text)

	def test_like_patterns_escape_the_wildcards(self):
		self.assertEqual(search_patterns(["a_b%c"]), ["%a\\_b\\%c%"])
