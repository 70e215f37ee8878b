"""Plain text from a doctor's answers: pure functions, no database needed."""

import unicodedata
import unittest
import warnings
from html.parser import HTMLParser

from bs4 import MarkupResemblesLocatorWarning
from frappe.utils.html_utils import sanitize_html
from hypothesis import given, settings
from hypothesis import strategies as st

from lnb_casework.intake.plain_text import plain_text

HOSTILE = (
	"<script>alert(1)</script>",
	'<img src=x onerror="alert(1)">',
	"<a href='javascript:alert(1)'>click</a>",
	"<form action=//evil.example><input name=q></form>",
	"<style>body{display:none}</style>",
	"<svg/onload=alert(1)>",
	"<iframe src=//evil.example></iframe>",
	"<!-- hidden --><!DOCTYPE html><?xml version='1.0'?>",
	"</textarea><b>bold</b>",
	"<\x00img src=x>",
	"<IMG SRC=x>",
	"<Ünicode>",
)


class MarkupFound(HTMLParser):
	"""Everything Python's HTML parser reads as markup rather than text."""

	def __init__(self, text: str):
		super().__init__(convert_charrefs=True)
		self.found: list[str] = []
		self.feed(text)
		self.close()

	def handle_starttag(self, tag, attrs):
		self.found.append(f"<{tag}>")

	def handle_endtag(self, tag):
		self.found.append(f"</{tag}>")

	def handle_comment(self, data):
		self.found.append("comment")

	def handle_decl(self, decl):
		self.found.append("declaration")

	def handle_pi(self, data):
		self.found.append("processing instruction")

	def unknown_decl(self, data):
		self.found.append("declaration")


def frappe_sanitised(text: str) -> str:
	"""What Frappe's sanitiser, run on every Data and Text value on save, makes of the text."""
	with warnings.catch_warnings():
		warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
		return sanitize_html(text)


class TestPlainText(unittest.TestCase):
	def test_ordinary_writing_is_kept_as_typed(self):
		for text in (
			"pain score <5 and >2",
			"A&E at 3 a.m.; x < y, 2 <= 3, <-- see above, << and >>",
			"Line one\n\tLine two",
			"Dr Siobhán Ní Bhriain, 40–49, «quoted», 😀 👩‍⚕️",
			"",
		):
			with self.subTest(text=text):
				self.assertEqual(plain_text(text), text)

	def test_markup_is_neutralised_and_stays_readable(self):
		self.assertEqual(plain_text("<script>alert(1)</script>"), "‹script>alert(1)‹/script>")
		self.assertEqual(plain_text("<!-- x --> <?php"), "‹!-- x --> ‹?php")
		for text in HOSTILE:
			with self.subTest(text=text):
				cleaned = plain_text(text)
				self.assertEqual(MarkupFound(cleaned).found, [])
				self.assertNotIn("<", cleaned.replace("< ", ""))

	def test_frappe_keeps_the_plain_text_as_it_is(self):
		# it must find nothing to escape, or the doctor's words would be stored as entities
		for text in (*HOSTILE, "pain score <5 and >2"):
			with self.subTest(text=text):
				self.assertEqual(frappe_sanitised(plain_text(text)), plain_text(text))
		self.assertNotEqual(frappe_sanitised(HOSTILE[0]), HOSTILE[0], "and it does escape markup")

	def test_unreadable_and_invisible_characters_are_dropped(self):
		self.assertEqual(plain_text("a\ud800b\udfffc"), "abc")
		self.assertEqual(plain_text("\ud83d\ude00"), "😀", "a surrogate pair is the character it encodes")
		self.assertEqual(plain_text("a\x00b\x07c\x1bd\x7fe\x9ff"), "abcdef")
		self.assertEqual(plain_text("evil\u202etxt.exe\u2066\ufeff"), "eviltxt.exe")
		self.assertEqual(plain_text("a\ufffeb\U0010ffff"), "ab")

	def test_line_breaks_become_newlines(self):
		self.assertEqual(plain_text("a\r\nb\rc\u2028d\u2029e\x85f"), "a\nb\nc\nd\ne\nf")

	def test_unicode_is_composed(self):
		self.assertEqual(plain_text("Sioba\u0301n"), "Siobán")
		self.assertEqual(plain_text("ﬁle ²"), "ﬁle ²", "compatibility characters keep their meaning")

	@settings(max_examples=500, derandomize=True, deadline=None, database=None)
	@given(
		st.lists(
			st.one_of(
				st.characters(exclude_categories=()),  # surrogates and unassigned code points too
				st.sampled_from(["<", ">", "/", "!", "?", "&", "<script", "</", "<!--", "\u0338", "\r"]),
			)
		).map("".join)
	)
	def test_no_text_can_become_markup(self, text):
		cleaned = plain_text(text)
		self.assertEqual(MarkupFound(cleaned).found, [])
		self.assertEqual(frappe_sanitised(cleaned), cleaned)
		self.assertEqual(plain_text(cleaned), cleaned, "cleaning twice changes nothing more")
		self.assertTrue(unicodedata.is_normalized("NFC", cleaned))
		cleaned.encode("utf-8")  # well-formed: no lone surrogates
		self.assertFalse(
			[ch for ch in cleaned if unicodedata.category(ch) == "Cc" and ch not in "\t\n"], cleaned
		)
