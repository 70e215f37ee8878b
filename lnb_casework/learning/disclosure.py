"""Disclosure control: the one module through which every count about doctors that a coordinator or a policy
lead sees is published (docs/disclosure-control.md).

Callers gather the records each figure counts (case names, rows of reviews), hand them to a Disclosure and
lay out what it returns; they never count, perturb or suppress on their own. A Disclosure is pure (no
database): site_disclosure() is the only part that reads the site, for its key and its small-number
threshold. The steps, in the order they are applied:

1. Cell key perturbation (the engine: perturbation.py). A set of records publishes a count within
   MAX_NOISE of the true one, never 1 or 2, and the same wherever the same records are counted.
2. Small-number suppression of the published counts (the engine: suppression.py). A count from 1 to the
   threshold less one shows as "<5"; a figure that could be worked out from a total and the figures shown
   beside it is held back as SECONDARY_MARKER, "[c]".
3. Holding back whole. The figures of a group whose cases are too few to show anything of (a period or a
   question with fewer cases than the threshold), or whose suppression would need the period's total
   hidden, all show "[c]"; a share or a ratio worked out from a hidden count is hidden too.

The figures a report shows for its own records that the viewer may list anyway (cases on the workspace's
cards and charts, issue counts, advocacy actions) are not about doctors' answers and are not published
here: see "Where each control applies" in docs/disclosure-control.md.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import cint
from frappe.utils.password import get_encryption_key

from lnb_casework.learning.perturbation import MAX_NOISE, Perturbation, derive_secret
from lnb_casework.learning.suppression import (
	DEFAULT_THRESHOLD,
	SECONDARY_MARKER,
	Figure,
	is_suppressed,
	suppress_counts,
	suppress_linked_lines,
	suppress_table,
	suppressed_marker,
)

__all__ = [
	"DEFAULT_THRESHOLD",
	"MAX_NOISE",
	"SECONDARY_MARKER",
	"Disclosure",
	"Figure",
	"QuestionFigures",
	"held_back",
	"is_suppressed",
	"perturbation_note",
	"ratio",
	"site_disclosure",
	"site_perturbation",
	"small_number_threshold",
	"suppressed_marker",
	"suppression_note",
]

Records = Iterable[str]


@dataclass(frozen=True)
class QuestionFigures:
	"""One question's figures as shown: each answer's count and its share (a percentage of the cases that
	answered, None when none did), then the cases that answered, preferred not to say, did not answer, and
	all of them."""

	answers: dict[str, Figure]
	shares: dict[str, Figure | float | None]
	answered: Figure
	prefer_not_to_say: Figure
	not_answered: Figure
	total: Figure


def held_back(figures: Mapping[str, object]) -> dict[str, Figure]:
	"""Every figure hidden, keys and order kept: for a group of cases too small to show anything of."""
	return dict.fromkeys(figures, SECONDARY_MARKER)


def ratio(share: Figure | float | None, reference_share: float | None) -> Figure | float | None:
	"""Disproportionality: a share among cases divided by the group's share of the reference population,
	hidden with its share; None when either is missing."""
	if share is None or not reference_share:
		return None
	if is_suppressed(share):
		return SECONDARY_MARKER
	return round(share / reference_share, 2)


@dataclass(frozen=True)
class Disclosure:
	"""Publishes counts of sets of records under one secret (its perturbation) and one small-number
	threshold. Use one for all the figures of one report or summary, so record keys are worked out once."""

	perturbation: Perturbation
	threshold: int = DEFAULT_THRESHOLD

	def small(self, published: int) -> bool:
		"""Whether a published count is above zero and below the threshold."""
		return 0 < published < self.threshold

	def count(self, records: Records) -> Figure:
		"""A count shown on its own, beside nothing it adds up with."""
		return self.counts({"": records})[""]

	def counts(self, cells: Mapping[str, Records]) -> dict[str, Figure]:
		"""Counts shown side by side that add up to nothing shown (a record may be in several cells)."""
		return suppress_counts(self.perturbation.counts(cells), self.threshold, total_shown=False)

	def counts_with_total(
		self, cells: Mapping[str, Records], everyone: Records | None = None
	) -> tuple[dict[str, Figure], Figure]:
		"""({cell: its count as shown}, the total as shown): the total counts `everyone`, by default every
		record of the cells once. The cells and the total are suppressed together, as if they added up."""
		cells = {name: list(records) for name, records in cells.items()}
		if everyone is None:
			everyone = [record for records in cells.values() for record in records]
		values = [*self.perturbation.counts(cells).values(), self.perturbation.count(everyone)]
		shown = suppress_linked_lines(values, [(range(len(cells)), len(cells))], self.threshold)
		return dict(zip(cells, shown[:-1], strict=True)), shown[-1]

	def breakdown(self, labelled: Iterable[tuple[str, str]]) -> dict:
		"""{"counts": {label: its records' count}, "total": all the records' count}, from (label, record)
		pairs, labels in sorted order, shown together (a learning summary's section)."""
		records_of: dict[str, list[str]] = {}
		for label, record in labelled:
			records_of.setdefault(label, []).append(record)
		counts, total = self.counts_with_total(dict(sorted(records_of.items())))
		return {"counts": counts, "total": total}

	def table(self, rows: Mapping[str, Mapping[str, Records]]) -> dict[str, dict[str, Figure]]:
		"""A table of counts shown without totals ({row: {column: records}}); a missing cell counts 0."""
		return suppress_table(
			{row: self.perturbation.counts(cells) for row, cells in rows.items()},
			self.threshold,
			row_totals=False,
			column_totals=False,
		)

	# ---- a period's figures (the equality report: docs/disclosure-control.md, "Fixed reporting periods")

	def period_total(self, cases: Records) -> Figure:
		"""The number of cases in a period, shown the same in every line and view that repeats it: it is
		never held back to protect one group (the group is held back whole instead)."""
		published = self.perturbation.count(cases)
		return suppressed_marker(self.threshold) if self.small(published) else published

	def period_breakdown(self, cells: Mapping[str, Records], cases: Records) -> dict[str, Figure]:
		"""Counts of the period's cases that add up to all of them ({cell: its count as shown}), held back
		whole when the period has too few cases or its total would have to be hidden."""
		cases = list(cases)
		shown, total = self.counts_with_total(cells, cases)
		if self.small(self.perturbation.count(cases)) or is_suppressed(total):
			return held_back(shown)
		return shown

	def period_counts(self, cells: Mapping[str, Records], cases: Records) -> dict[str, Figure]:
		"""Counts of the period's cases that add up to nothing shown (a case may be in several), held back
		whole when the period has too few cases."""
		shown = self.counts(cells)
		return held_back(shown) if self.small(self.perturbation.count(cases)) else shown

	def question(
		self,
		answers: Mapping[str, Records],
		prefer_not_to_say: Records,
		not_answered: Records,
		cases: Records,
	) -> QuestionFigures:
		"""One monitoring question over the period's cases: {answer: its cases}, those who preferred not to
		say, those who did not answer, and all the cases.

		The answers add up to the cases that answered; those, "Prefer not to say" and "Not answered" add up
		to all the cases. Both lines are suppressed together, so no hidden count can be worked out from
		either. The question is held back whole when the period or the cases that answered are too few, or
		the period's total would have to be hidden. A share is hidden with its count or with the count of
		cases that answered."""
		answers = {answer: list(records) for answer, records in answers.items()}
		cases = list(cases)
		counts = self.perturbation.counts(answers)
		answered = self.perturbation.count(record for records in answers.values() for record in records)
		total = self.perturbation.count(cases)
		k = len(counts)
		shown = suppress_linked_lines(
			[
				*counts.values(),
				answered,
				self.perturbation.count(prefer_not_to_say),
				self.perturbation.count(not_answered),
				total,
			],
			[(range(k), k), ([k, k + 1, k + 2], k + 3)],
			self.threshold,
		)
		total_shown = self.period_total(cases)
		if self.small(total) or self.small(answered) or is_suppressed(shown[-1]):
			# with so few cases even a zero tells something about them
			return QuestionFigures(
				held_back(counts),
				held_back(counts),
				SECONDARY_MARKER,
				SECONDARY_MARKER,
				SECONDARY_MARKER,
				total_shown,
			)
		answer_figures = dict(zip(counts, shown[:k], strict=True))
		answered_shown = shown[k]
		shares: dict[str, Figure | float | None] = {}
		for answer, figure in answer_figures.items():
			if is_suppressed(figure) or is_suppressed(answered_shown):
				shares[answer] = SECONDARY_MARKER
			else:
				shares[answer] = 100 * figure / answered if answered else None
		return QuestionFigures(
			answer_figures, shares, answered_shown, shown[k + 1], shown[k + 2], total_shown
		)


def site_disclosure() -> Disclosure:
	"""The site's Disclosure: its perturbation and the small-number threshold of LNB Settings."""
	return Disclosure(site_perturbation(), small_number_threshold())


def site_perturbation() -> Perturbation:
	"""Perturbation under the secret derived from the site's encryption key: no column stores a record
	key, and another site (a copy restored elsewhere with a new key) publishes other noise."""
	return Perturbation(derive_secret(get_encryption_key()))


def small_number_threshold() -> int:
	"""The small-number threshold set in LNB Settings (its field declares the default). One that is not set,
	or is 0, would hide nothing, so the engine's own default stands in: disclosure control fails closed."""
	return cint(frappe.db.get_single_value("LNB Settings", "small_number_threshold")) or DEFAULT_THRESHOLD


def suppression_note(threshold: int) -> str:
	"""What the markers mean, for a footnote."""
	return _(
		"{0} means fewer than {1}; {2} is held back so that a small number cannot be worked out from a total."
	).format(suppressed_marker(threshold), threshold, SECONDARY_MARKER)


def perturbation_note() -> str:
	"""What perturbation does to the figures, for a footnote."""
	return _(
		"Every count is within {0} of the true number, and the same whenever the same cases are counted; "
		"1 and 2 are never shown (a true 1 or 2 shows as 0, 3 or 4), and figures need not add up exactly."
	).format(MAX_NOISE)
