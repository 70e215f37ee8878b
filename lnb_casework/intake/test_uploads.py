"""Checking a doctor's files: pure functions, no database needed."""

import base64
import io
import unittest
import zipfile

from PIL import Image

from lnb_casework.intake.uploads import (
	MOST_BYTES_IN_ALL,
	MOST_PICTURE_PIXELS,
	Upload,
	UploadRefused,
	decode_uploads,
	safe_file_name,
	upload_problems,
)

PDF = b"%PDF-1.4\n%test\n"
MB = 1024 * 1024


def picture(image_format: str, size: tuple[int, int] = (40, 30)) -> bytes:
	output = io.BytesIO()
	Image.new("RGB", size, (200, 120, 40)).save(output, format=image_format)
	return output.getvalue()


def zipped(*parts: str) -> bytes:
	output = io.BytesIO()
	with zipfile.ZipFile(output, "w") as archive:
		for part in parts:
			archive.writestr(part, "x")
	return output.getvalue()


PNG = picture("PNG")
JPEG = picture("JPEG")


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
				[
					Upload("a.pdf", PDF),
					Upload("b.PNG", PNG),
					Upload("c.txt", b"notes\n"),
					Upload("d.jpg", JPEG),
					Upload("e.docx", zipped("[Content_Types].xml", "word/document.xml")),
					Upload("f.odt", zipped("mimetype", "content.xml")),
				],
				6,
				5 * MB,
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

	def test_files_whose_content_only_starts_right_are_refused(self):
		fakes = {
			"a JPEG header then junk": Upload("photo.jpg", b"\xff\xd8\xff\xe0hello"),
			"a PNG header then junk": Upload("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 16),
			"a cut-off JPEG": Upload("photo.jpeg", JPEG[: len(JPEG) // 2]),
			"a PNG named as a JPEG": Upload("photo.jpg", b"\xff\xd8\xff" + PNG),
			"a zip header then junk": Upload("letter.docx", b"PK\x03\x04junk"),
			"a zip that is not a Word file": Upload("letter.docx", zipped("evil.sh")),
			"a Word file named as OpenDocument": Upload("letter.odt", zipped("[Content_Types].xml")),
		}
		for label, upload in fakes.items():
			with self.subTest(label):
				found = upload_problems([upload], 5, 5 * MB)
				self.assertEqual(len(found), 1, found)
				self.assertIn("not the kind of file its name says", found[0])

	def test_a_picture_of_too_many_pixels_is_refused_before_it_is_decoded(self):
		side = int(MOST_PICTURE_PIXELS**0.5) + 10
		for image_format, name in (("PNG", "huge.png"), ("JPEG", "huge.jpg")):
			with self.subTest(image_format):
				found = upload_problems([Upload(name, picture(image_format, (side, side)))], 5, 5 * MB)
				self.assertEqual(len(found), 1, found)
				self.assertIn("too large a picture", found[0])
		self.assertEqual(upload_problems([Upload("big.png", picture("PNG", (4000, 3000)))], 5, 5 * MB), [])

	def test_too_many_and_too_much(self):
		self.assertIn("no more than 2 files", upload_problems([Upload("a.pdf", PDF)] * 3, 2, MB)[0])
		big = PDF + b"0" * (4 * MB)
		found = upload_problems([Upload(f"{n}.pdf", big) for n in range(4)], 5, 5 * MB)
		self.assertEqual(len(found), 1)
		self.assertIn(f"more than {MOST_BYTES_IN_ALL // MB} MB", found[0])
