"""Plain text from whatever a doctor types, safe to show anywhere: it can run or load nothing.

Frappe shows Data and Text values unescaped in print formats and in parts of the desk, and its own
sanitiser keeps many tags (images, links, forms, styles), so what a doctor tells us is kept as plain text
before it is stored. Ordinary writing is kept as typed ("pain score <5 and >2", "A&E", "<-- see above");
only a "<" that an HTML parser would read as the start of markup is changed, into U+2039 (a single
left-pointing angle quotation mark), which reads the same and keeps every length.
"""

import re
import unicodedata

# What an HTML parser reads as markup: "<" before a letter (a tag), "/" (an end tag), "!" (a comment or
# doctype) or "?" (a processing instruction). A "<" before anything else is text to every parser.
MARKUP_START = re.compile(r"<(?=[^\W\d_]|[/!?])")
NOT_MARKUP = "\u2039"  # SINGLE LEFT-POINTING ANGLE QUOTATION MARK

SURROGATE = re.compile("[\ud800-\udfff]")
LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
# Control characters other than tab and newline; the directional overrides, embeddings and isolates that
# make text read differently from what it holds; the byte order mark; Unicode's noncharacters.
UNWANTED = re.compile(
	"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufdd0-\ufdef\ufffe\uffff"
	+ "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000))
	+ "]"
)


def plain_text(text: str) -> str:
	"""The text as plain, well-formed Unicode (NFC) that no HTML parser reads as markup.

	Drops lone surrogates, control characters (tabs and newlines stay; every kind of line break becomes
	"\\n"), directional overrides and noncharacters. Applying it twice changes nothing more.
	"""
	if SURROGATE.search(text):
		# pairs written as two code points become the character they encode; a lone half is dropped
		text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
	text = UNWANTED.sub("", LINE_BREAKS.sub("\n", text))
	text = unicodedata.normalize("NFC", text)
	return MARKUP_START.sub(NOT_MARKUP, text)
