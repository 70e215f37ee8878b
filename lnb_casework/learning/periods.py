"""Fixed reporting periods for figures about who the doctors are (docs/disclosure-control.md).

Pure: no database and no Frappe.

A period is a calendar year that has ended. Its figures count the cases received in it (whatever became
of them later), so nothing that happens after it ends (a new intake, a withdrawal, a case moving on)
changes them, and no two runs of a closed period can be compared to single out one doctor. A year still
running is never shown. Periods never overlap: quarters beside years would let a year be compared with
its quarters, and with cell key perturbation the cells that differ point at the few cases in the rest of
the year (lnb_casework/learning/test_perturbation.py measures how often).
"""

import datetime
import re
from dataclasses import dataclass

YEAR_PATTERN = re.compile(r"\d{4}", re.ASCII)


@dataclass(frozen=True)
class Period:
	label: str
	first_day: datetime.date
	last_day: datetime.date

	@property
	def day_after(self) -> datetime.date:
		return self.last_day + datetime.timedelta(days=1)

	def has_ended(self, today: datetime.date) -> bool:
		return self.last_day < today


def calendar_year(year: int) -> Period:
	return Period(str(year), datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def parse_period(value: object) -> Period:
	"""The period a filter names ("2025"); ValueError for anything else."""
	if isinstance(value, int) and not isinstance(value, bool):
		value = str(value)
	if not isinstance(value, str) or not YEAR_PATTERN.fullmatch(value) or not 1900 < int(value) < 10_000:
		raise ValueError(f"Not a calendar year: {value!r}")
	return calendar_year(int(value))


def last_closed_period(today: datetime.date) -> Period:
	return calendar_year(today.year - 1)
