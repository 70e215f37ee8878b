"""The pure rules of subject access: no database needed."""

import io
import unittest
import zipfile
from datetime import date, timedelta
from email.message import EmailMessage

from hypothesis import given
from hypothesis import strategies as st

from lnb_casework.data_protection.subject_access_rules import (
	archive_file_path,
	readable_email,
	subject_access_due_by,
)


class TestDueBy(unittest.TestCase):
	def test_the_same_day_of_the_next_month(self):
		# ICO: received on 3 September, answer by 3 October
		self.assertEqual(subject_access_due_by(date(2025, 9, 3)), date(2025, 10, 3))
		self.assertEqual(subject_access_due_by(date(2026, 3, 10)), date(2026, 4, 10))

	def test_the_last_day_when_the_next_month_is_shorter(self):
		self.assertEqual(subject_access_due_by(date(2025, 1, 31)), date(2025, 2, 28))
		self.assertEqual(subject_access_due_by(date(2028, 1, 30)), date(2028, 2, 29))  # a leap year
		self.assertEqual(subject_access_due_by(date(2027, 3, 31)), date(2027, 4, 30))

	def test_across_the_year_end(self):
		self.assertEqual(subject_access_due_by(date(2026, 12, 15)), date(2027, 1, 15))

	def test_a_weekend_moves_to_the_monday_after(self):
		# 3 October 2026 is a Saturday, 4 October 2026 a Sunday
		self.assertEqual(subject_access_due_by(date(2026, 9, 3)), date(2026, 10, 5))
		self.assertEqual(subject_access_due_by(date(2026, 9, 4)), date(2026, 10, 5))
		# 28 February 2026 is a Saturday
		self.assertEqual(subject_access_due_by(date(2026, 1, 31)), date(2026, 3, 2))

	@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
	def test_always_a_weekday_within_a_month_and_three_days(self, received_on):
		due = subject_access_due_by(received_on)
		self.assertLess(due.weekday(), 5)
		self.assertGreater(due, received_on + timedelta(days=27))
		self.assertLessEqual(due, received_on + timedelta(days=31 + 2))


class TestArchiveFilePath(unittest.TestCase):
	def test_a_plain_name_keeps_its_name_in_the_case_folder(self):
		self.assertEqual(
			archive_file_path("LNB-2026-00001", "gmc-letter.pdf", set()),
			"files/LNB-2026-00001/gmc-letter.pdf",
		)

	def test_the_same_name_twice_is_numbered(self):
		taken = set()
		paths = [archive_file_path("LNB-2026-00001", "letter.pdf", taken) for _ in range(3)]
		self.assertEqual(
			paths,
			[
				"files/LNB-2026-00001/letter.pdf",
				"files/LNB-2026-00001/letter (2).pdf",
				"files/LNB-2026-00001/letter (3).pdf",
			],
		)

	@given(st.text(max_size=300), st.text(max_size=40))
	def test_no_name_leaves_the_files_folder(self, file_name, folder):
		taken = set()
		path = archive_file_path(folder, file_name, taken)
		first, case_folder, name = path.split("/")
		self.assertEqual(first, "files")
		self.assertNotIn(name, ("", ".", ".."))
		self.assertNotIn(case_folder, ("", ".", ".."))
		self.assertNotIn("\\", path)
		self.assertTrue(all(31 < ord(character) < 127 for character in path))
		self.assertEqual(taken, {path})
		# a zip reader puts it where it says
		buffer = io.BytesIO()
		with zipfile.ZipFile(buffer, "w") as archive:
			archive.writestr(path, b"x")
		with zipfile.ZipFile(buffer) as archive:
			self.assertEqual(archive.namelist(), [path])


class TestReadableEmail(unittest.TestCase):
	def test_a_plain_and_html_message_reads_as_its_plain_text(self):
		message = EmailMessage()
		message["Subject"] = "Your case LNB-2026-00001"
		message["From"] = "Learn Not Blame <learnnotblame@example.com>"
		message["To"] = "doctor@example.com"
		message.set_content("We have your case.\n")
		message.add_alternative("<p>We have your case.</p>", subtype="html")
		email = readable_email(message.as_string())
		self.assertEqual(email["subject"], "Your case LNB-2026-00001")
		self.assertEqual(email["to"], "doctor@example.com")
		self.assertIn("learnnotblame@example.com", email["from"])
		self.assertEqual(email["text"].strip(), "We have your case.")
		self.assertFalse(email["is_html"])

	def test_an_html_only_message_says_so(self):
		message = EmailMessage()
		message["Subject"] = "Alert"
		message.set_content("<p>New case</p>", subtype="html")
		email = readable_email(message.as_string())
		self.assertTrue(email["is_html"])
		self.assertIn("<p>New case</p>", email["text"])

	def test_nothing_reads_as_empty(self):
		self.assertEqual(readable_email("")["subject"], "")
