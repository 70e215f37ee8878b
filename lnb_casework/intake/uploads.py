"""Files a doctor attaches at intake: decoded, checked and kept private on their new case.

Guests never use Frappe's upload endpoint (that needs the site-wide "allow guests to upload files",
which stays off): the intake form sends its files with the submission, so a file can only ever be
attached to the case being created, in the same transaction.
"""

import base64
import binascii
import io
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import frappe
from frappe import _
from PIL import Image

# Leading bytes of each accepted kind of file; text files must be UTF-8 without control characters.
SIGNATURES = {
	"pdf": (b"%PDF-",),
	"png": (b"\x89PNG\r\n\x1a\n",),
	"jpg": (b"\xff\xd8\xff",),
	"jpeg": (b"\xff\xd8\xff",),
	"doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
	"docx": (b"PK\x03\x04",),
	"odt": (b"PK\x03\x04",),
	"rtf": (b"{\\rtf",),
	"txt": (),
}
ACCEPTED_EXTENSIONS = tuple(SIGNATURES)


def accepted_kinds() -> str:
	"""The kinds of file SIGNATURES accepts, as the form and its messages name them to the doctor."""
	return _("PDF, Word, OpenDocument, RTF, text, JPEG or PNG")


# Pictures must open as what their name says: Frappe decodes every JPEG on save (to strip its EXIF tags).
PICTURE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG"}
# Frappe's EXIF stripping holds every pixel as a Python object (about 80 bytes each), so a small file of
# many pixels would take gigabytes: 24 megapixels is more than a phone camera's usual picture.
MOST_PICTURE_PIXELS = 24_000_000
# The part every Word (docx) or OpenDocument (odt) file holds.
ZIP_PARTS = {"docx": "[Content_Types].xml", "odt": "mimetype"}
# A request carries its files base64-encoded (a third larger) and Frappe refuses requests over 25 MB.
MOST_BYTES_IN_ALL = 15 * 1024 * 1024
DATA_URL = re.compile(r"^data:[\w.+/-]*(;[\w=.-]+)*;base64,(?P<payload>[A-Za-z0-9+/=\s]*)$", re.DOTALL)


@dataclass(frozen=True)
class Upload:
	file_name: str
	content: bytes


class UploadRefused(frappe.ValidationError):
	pass


def decode_uploads(raw: Sequence[Mapping[str, Any]]) -> list[Upload]:
	"""Turns the form's [{file_name, content: data URL}] into Uploads; raises UploadRefused when one is unreadable."""
	uploads = []
	for item in raw:
		file_name = safe_file_name(str(item.get("file_name") or ""))
		match = DATA_URL.match(str(item.get("content") or ""))
		if not file_name or not match:
			raise UploadRefused(_("One of the attached files could not be read. Please attach it again."))
		try:
			content = base64.b64decode(match.group("payload"), validate=False)
		except (binascii.Error, ValueError):
			raise UploadRefused(
				_("The file {0} could not be read. Please attach it again.").format(file_name)
			)
		uploads.append(Upload(file_name, content))
	return uploads


def safe_file_name(name: str) -> str:
	"""The last part of a file name, without control characters or characters that mean something to a shell."""
	name = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/"))).strip()
	name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
	name = re.sub(r"[<>:\"|?*/\\]", "_", name)
	return name.lstrip(".")[:140]


def upload_problems(uploads: Sequence[Upload], most_files: int, largest_bytes: int) -> list[str]:
	"""Every reason to refuse these files, in plain words; empty when all may be attached."""
	problems = []
	if len(uploads) > most_files:
		problems.append(_("Please attach no more than {0} files.").format(most_files))
	if sum(len(upload.content) for upload in uploads) > MOST_BYTES_IN_ALL:
		problems.append(
			_("Together your files come to more than {0} MB. Please send fewer or smaller files.").format(
				MOST_BYTES_IN_ALL // (1024 * 1024)
			)
		)
	for upload in uploads:
		extension = upload.file_name.rsplit(".", 1)[-1].lower() if "." in upload.file_name else ""
		if extension not in SIGNATURES:
			problems.append(
				_("{0} is not a kind of file we accept. Please send {1} files.").format(
					upload.file_name, accepted_kinds()
				)
			)
		elif len(upload.content) > largest_bytes:
			problems.append(
				_("{0} is larger than {1} MB. Please send a smaller file.").format(
					upload.file_name, largest_bytes // (1024 * 1024)
				)
			)
		elif not upload.content:
			problems.append(_("{0} is empty.").format(upload.file_name))
		elif not content_matches(extension, upload.content):
			problems.append(_("{0} is not the kind of file its name says it is.").format(upload.file_name))
		elif extension in PICTURE_FORMATS and (
			problem := picture_problem(upload, PICTURE_FORMATS[extension])
		):
			problems.append(problem)
	return problems


def content_matches(extension: str, content: bytes) -> bool:
	if extension == "txt":
		try:
			text = content.decode("utf-8")
		except UnicodeDecodeError:
			return False
		return not any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f" for ch in text)
	if not content.startswith(SIGNATURES[extension]):
		return False
	if extension in ZIP_PARTS:
		return holds_zip_part(content, ZIP_PARTS[extension])
	return True


def picture_problem(upload: Upload, image_format: str) -> str | None:
	"""Why a picture cannot be kept: it does not decode, to the last pixel, as that format, or it has too
	many pixels (read from its header, before decoding it); None when it can."""
	too_large = _("{0} is too large a picture. Please send a smaller one, of at most {1} megapixels.").format(
		upload.file_name, MOST_PICTURE_PIXELS // 1_000_000
	)
	try:
		with warnings.catch_warnings():
			warnings.simplefilter("ignore", Image.DecompressionBombWarning)
			with Image.open(io.BytesIO(upload.content)) as picture:
				if picture.format != image_format:
					raise ValueError(f"a {picture.format} picture")
				if picture.width * picture.height > MOST_PICTURE_PIXELS:
					return too_large
				picture.load()
	except Image.DecompressionBombError:
		return too_large
	except Exception:
		# Pillow reports a broken file through many kinds of error; each means it is not a picture
		return _("{0} is not the kind of file its name says it is.").format(upload.file_name)
	return None


def holds_zip_part(content: bytes, part: str) -> bool:
	"""Whether the content is a zip archive holding that part (its directory is read, nothing unpacked)."""
	try:
		with zipfile.ZipFile(io.BytesIO(content)) as archive:
			return part in archive.namelist()
	except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
		return False


def attach_to_case(case_name: str, uploads: Sequence[Upload]) -> list[str]:
	"""Saves each upload as a private File of the case; the caller has checked them."""
	names = []
	for upload in uploads:
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": upload.file_name,
				"attached_to_doctype": "Case",
				"attached_to_name": case_name,
				"is_private": 1,
				"content": upload.content,
			}
		)
		file.insert(ignore_permissions=True)
		names.append(file.name)
	return names
