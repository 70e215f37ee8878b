"""Cell key perturbation: every count a coordinator or a policy lead sees about doctors is published with
a little noise, the same noise every time for the same cases (docs/disclosure-control.md).

Pure: no database and no Frappe. This is the engine behind lnb_casework/learning/disclosure.py, which is the
module every caller uses, and which brings in the site's secret.

The method is the cell key method that the Office for National Statistics used for Census 2021 (after the
Australian Bureau of Statistics):

Record keys
	Every record (a case, or a row of a review) has a record key from 0 to 255 that nobody can read: the
	first byte of HMAC-SHA256 of its name under a secret derived from the site's encryption key. No column
	stores it, and without the site's key it cannot be worked out from the name.

Cell keys
	A published count counts a set of records (a cell). Its cell key is the sum of their record keys,
	modulo 256. The same set of records always has the same cell key, whichever table or filter it comes
	from; a set with one record more or less has an unrelated one.

The perturbation table (p-table)
	PTABLE maps (true count, cell key) to the published count. Each row shares out the 256 cell keys
	among the counts it may publish; the cell key picks one. Every row takes the cell keys in an order of
	its own (key_order), so that the noise of a count and of the next one are unrelated even when their cell
	keys are close: a record whose key is 0, or small, leaves a cell key (nearly) as it was, and with the
	keys in the same order in every row the cell with it would publish the same noise as the cell without.
	Counts from LARGE_COUNT on get noise from -2 to +2, each about equally likely (0 slightly more often: 52
	keys against 51). Zero stays zero, nothing is ever negative or more than MAX_NOISE from the truth, and 1
	and 2 are never published: a true 1 or 2 shows as 0 or 3 or 4, so a published 0 may hide one or two
	doctors. A true 3 or 4 shows as 3 or 4, so at the default small-number threshold (5) every true count
	from 1 to 4 still shows as "<5" or 0.

Small-number suppression (lnb_casework/learning/suppression.py) then applies to the published counts, in
lnb_casework/learning/disclosure.py.
"""

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_SPACE = 256
MAX_NOISE = 2
PURPOSE = b"lnb_casework record keys for cell key perturbation v1"

# (published count, how many of the 256 cell keys publish it), for the true counts below LARGE_COUNT
PTABLE: dict[int, tuple[tuple[int, int], ...]] = {
	0: ((0, 256),),
	1: ((0, 171), (3, 85)),
	2: ((0, 96), (3, 128), (4, 32)),
	3: ((3, 192), (4, 64)),
	4: ((3, 64), (4, 192)),
}
LARGE_COUNT = 5
# (noise, how many cell keys give it), for every true count from LARGE_COUNT on
LARGE_COUNT_NOISE: tuple[tuple[int, int], ...] = ((-2, 51), (-1, 51), (0, 52), (1, 51), (2, 51))


def derive_secret(site_key: str | bytes) -> bytes:
	"""The secret for record keys, derived from the site's encryption key (HKDF-SHA256, with a label of its
	own, so that it is never a key used for anything else)."""
	if isinstance(site_key, str):
		site_key = site_key.encode()
	if not site_key:
		raise ValueError("The site has no encryption key.")
	return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(site_key)


def record_key(secret: bytes, record: str) -> int:
	"""The record's key, 0 to 255."""
	return hmac.new(secret, record.encode(), hashlib.sha256).digest()[0]


def cell_key(record_keys: Iterable[int]) -> int:
	"""The key of the cell that counts records with these keys."""
	return sum(record_keys) % KEY_SPACE


def ptable_row(count: int) -> tuple[tuple[int, int], ...]:
	"""(published count, number of cell keys) for a true count, in the order the cell keys are shared out."""
	if isinstance(count, bool) or not isinstance(count, int) or count < 0:
		raise ValueError(f"A count must be a whole number of at least 0, not {count!r}")
	if count < LARGE_COUNT:
		return PTABLE[count]
	return tuple((count + noise, keys) for noise, keys in LARGE_COUNT_NOISE)


@lru_cache(maxsize=4096)
def key_order(count: int) -> tuple[int, ...]:
	"""Where each cell key stands in the row of this true count: the keys sorted by SHA-256 of the count and
	the key, a fixed order of their own for every count (public: what keeps noise secret is the record
	keys)."""
	ordered = sorted(range(KEY_SPACE), key=lambda key: hashlib.sha256(f"{count}:{key}".encode()).digest())
	place = [0] * KEY_SPACE
	for position, key in enumerate(ordered):
		place[key] = position
	return tuple(place)


def published_count(count: int, key: int) -> int:
	"""What a cell with this true count and this cell key publishes."""
	if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < KEY_SPACE:
		raise ValueError(f"A cell key must be a whole number from 0 to {KEY_SPACE - 1}, not {key!r}")
	row = ptable_row(count)
	position = key_order(count)[key]
	start = 0
	for published, keys in row:
		start += keys
		if position < start:
			return published
	raise AssertionError("every p-table row shares out all the cell keys")


def publication_chances(count: int) -> dict[int, float]:
	"""{published count: its chance} for a true count, when the cell key is unknown (every key alike)."""
	return {published: keys / KEY_SPACE for published, keys in ptable_row(count)}


class Perturbation:
	"""Published counts of sets of records under one secret; keeps the record keys it has worked out, so
	reuse one for the cells of one report."""

	def __init__(self, secret: bytes):
		if len(secret) < 16:
			raise ValueError("The secret for record keys is too short.")
		self._secret = secret
		self._keys: dict[str, int] = {}

	def record_key(self, record: str) -> int:
		if record not in self._keys:
			self._keys[record] = record_key(self._secret, record)
		return self._keys[record]

	def count(self, records: Iterable[str]) -> int:
		"""The published number of distinct records: a record named twice counts once."""
		distinct = set(records)
		return published_count(len(distinct), cell_key(self.record_key(record) for record in distinct))

	def counts(self, cells: Mapping[str, Iterable[str]]) -> dict[str, int]:
		"""{cell: published count} for {cell: its records}, keys and order kept."""
		return {name: self.count(records) for name, records in cells.items()}
