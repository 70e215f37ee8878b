"""lnb_casework/name_comparison.py against MariaDB itself: every character the site's collation takes for
one of a reference's letters, digits or its hyphen, or ignores altogether, is read the same way."""

import unicodedata

import frappe
from frappe.tests.utils import FrappeTestCase

from lnb_casework.name_comparison import as_compared, could_be_generated_name, referenced_doctype

REFERENCE_CHARACTERS = "LNBREV-0123456789"
LAST_CODE_POINT = 0x2FFFF
BATCH = 5000


def collation_of_names() -> str:
	return frappe.db.sql(
		"select collation_name from information_schema.columns"
		" where table_schema = database() and table_name = 'tabCase' and column_name = 'name'"
	)[0][0]


class TestNamesAsTheDatabaseComparesThem(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		collation = collation_of_names()
		frappe.db.sql(
			f"create temporary table `characters` (code int, `character` varchar(8) collate {collation})"
		)
		rows = [(code, chr(code)) for code in range(0x20, LAST_CODE_POINT) if not 0xD800 <= code <= 0xDFFF]
		for start in range(0, len(rows), BATCH):
			batch = rows[start : start + BATCH]
			frappe.db.sql(
				"insert ignore into `characters` values " + ", ".join(["(%s, %s)"] * len(batch)),
				[value for row in batch for value in row],
			)

	def test_every_look_alike_of_a_reference_character_is_read_as_that_character(self):
		misread = {}
		for expected in REFERENCE_CHARACTERS:
			for (code,) in frappe.db.sql("select code from `characters` where `character` = %s", expected):
				if as_compared(chr(code)) != expected:
					misread[f"U+{code:04X} {unicodedata.name(chr(code), '')}"] = (
						expected,
						as_compared(chr(code)),
					)
		self.assertEqual(misread, {})

	def test_every_character_the_database_ignores_is_left_out(self):
		ignored = frappe.db.sql(
			"select code from `characters` where concat('A', `character`) = 'A'", pluck=True
		)
		self.assertGreater(len(ignored), 100)  # zero-width spaces, soft hyphens, marks…
		self.assertEqual([f"U+{code:04X}" for code in ignored if as_compared(f"A{chr(code)}") != "A"], [])

	def test_references_however_spelt(self):
		for spelling, doctype in (
			("LNB-2026-00202", "Case"),
			("lnb-2026-00202", "Case"),
			(" Lnb-2026-00202  ", "Case"),
			("ＬＮＢ－２０２６－００２０２", "Case"),
			("ĹŃB-2026-00202", "Case"),
			("LNB-2026-00\u200b202", "Case"),
			("LNB-2026-٠٠٢٠٢", "Case"),
			("rev-2026-00007", "Review"),
			("\u036c\u0364\u036e-2026-00007", "Review"),
			("LNB-2026", None),
			("LNB-2026-00202 and more", None),
			("A note about LNB-2026-00202", None),
			(None, None),
		):
			self.assertEqual(referenced_doctype(spelling), doctype, repr(spelling))
		for spelling in ("lnb-2026-00202", "LNB-2026-00202 ", "ＬＮＢ-2026-00202", "ĹNB-2026-00202"):
			# the database agrees: it finds the one record under each spelling
			same = frappe.db.sql(f"select %s = 'LNB-2026-00202' collate {collation_of_names()}", spelling)
			self.assertTrue(same[0][0], repr(spelling))

	def test_names_frappe_generates_however_spelt(self):
		for value, expected in (
			("j7lteo9piq", True),
			("J7LTEO9PIQ ", True),
			("ｊ7ｌteo9piq", True),
			("abcdefghij", True),
			("Attachment", False),
			("j7lteo9pi", False),
			("j7lteo9piq1", False),
			("j7l-eo9piq", False),
		):
			self.assertEqual(could_be_generated_name(value), expected, value)
