"""Checking a doctor's files: pure functions, no database needed."""

import base64
import unittest

from lnb_casework.intake.uploads import (
	MOST_BYTES_IN_ALL,
	Upload,
	UploadRefused,
	decode_uploads,
	safe_file_name,
	upload_problems,
)

PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
MB = 1024 * 1024


def data_url(content: bytes, mime: str = "application/pdf") -> str:
	return f"data:{mime};base64,{base64.b64encode(content).decode()}"


class TestUploads(unittest.TestCase):
	def test_decode(self):
		uploads = decode_uploads([{"file_name": "letter.pdf", "content": data_url(PDF)}])
		self.assertEqual(uploads, [Upload("letter.pdf", PDF)])

	def test_unreadable_uploads_are_refused(self):
		for bad in (
			{"file_name": "a.pdf", "content": "not a data url"},
			{"file_name": "", "content": data_url(PDF)},
			{"file_name": "a.pdf", "content": "data:application/pdf;base64,@@@"},
		):
			with self.subTest(bad=bad), self.assertRaises(UploadRefused):
				decode_uploads([bad])

	def test_safe_file_name(self):
		self.assertEqual(safe_file_name("../../etc/passwd"), "passwd")
		self.assertEqual(safe_file_name("C:\\Users\\me\\letter.pdf"), "letter.pdf")
		self.assertEqual(safe_file_name(".hidden.pdf"), "hidden.pdf")
		self.assertEqual(safe_file_name("a<b>\x00.pdf"), "a_b_.pdf")

	def test_accepted_files(self):
		self.assertEqual(
			upload_problems(
				[Upload("a.pdf", PDF), Upload("b.PNG", PNG), Upload("c.txt", b"notes\n")], 5, 5 * MB
			),
			[],
		)

	def test_refusals(self):
		cases = {
			"not a kind of file": Upload("virus.exe", b"MZ\x90\0"),
			"not the kind of file its name says": Upload("fake.pdf", b"MZ\x90\0"),
			"is empty": Upload("empty.pdf", b""),
			"larger than 1 MB": Upload("big.pdf", PDF + b"0" * MB),
		}
		for expected, upload in cases.items():
			with self.subTest(expected):
				found = upload_problems([upload], 5, MB)
				self.assertEqual(len(found), 1)
				self.assertIn(expected, found[0])
		self.assertIn("not the kind", upload_problems([Upload("binary.txt", b"\x00\x01")], 5, MB)[0])

	def test_too_many_and_too_much(self):
		self.assertIn("no more than 2 files", upload_problems([Upload("a.pdf", PDF)] * 3, 2, MB)[0])
		big = PDF + b"0" * (4 * MB)
		found = upload_problems([Upload(f"{n}.pdf", big) for n in range(4)], 5, 5 * MB)
		self.assertEqual(len(found), 1)
		self.assertIn(f"more than {MOST_BYTES_IN_ALL // MB} MB", found[0])
