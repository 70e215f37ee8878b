"""One group's share of a reference population, entered by a coordinator in LNB Settings.

The Discrimination and Disproportionality report divides a group's share among cases by this share. The
questions are named as in lnb_casework/intake/equality.py (QUESTION_LABELS) and the answers are read from
Equality Monitoring's own options, so the settings can never name an answer the form does not offer.
"""

from collections.abc import Iterable

from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, getdate, today

from lnb_casework.intake.equality import PREFER_NOT_TO_SAY, question_answers, question_with_label

EARLIEST_YEAR = 1900
# Percent values are stored with 9 decimals; shares entered to 1 or 2 decimals may add up to 100.000000001.
TOLERANCE = 1e-6


class ReferencePopulationShare(Document):
	pass


def reference_share_problems(rows: Iterable[Document]) -> list[str]:
	"""What is wrong with the reference shares, one message per problem naming its row; [] when none.

	Answers given in another case or with stray spaces are put into the form's spelling.
	"""
	problems: list[str] = []
	seen: dict[tuple[str, str], int] = {}
	totals: dict[str, float] = {}
	latest_year = getdate(today()).year
	for row in rows:
		where = _("Row {0}").format(row.idx)
		question = question_with_label(row.question or "")
		if not question:
			problems.append(_("{0}: choose the monitoring question the share is for.").format(where))
			continue
		label = _(row.question)
		answers = question_answers(question)
		given = (row.answer or "").strip()
		answer = next((a for a in answers if a.casefold() == given.casefold()), None)
		if not given:
			problems.append(_('{0}: give the answer to "{1}" the share is for.').format(where, label))
		elif given.casefold() == PREFER_NOT_TO_SAY.casefold():
			problems.append(
				_(
					'{0}: "{1}" has no reference share: shares are compared among the doctors who answered.'
				).format(where, _(PREFER_NOT_TO_SAY))
			)
		elif answer is None:
			problems.append(
				_('{0}: "{1}" is not an answer to "{2}". Its answers are: {3}.').format(
					where, given, label, "; ".join(_(a) for a in answers)
				)
			)
		else:
			row.answer = answer
			if (question, answer) in seen:
				problems.append(
					_('{0}: "{1}" for "{2}" is already given in row {3}.').format(
						where, _(answer), label, seen[(question, answer)]
					)
				)
			else:
				seen[(question, answer)] = row.idx

		share = flt(row.share)
		if share < 0 or share > 100:
			problems.append(_("{0}: the share must be between 0 and 100%.").format(where))
		totals[row.question] = totals.get(row.question, 0.0) + share
		if not (row.source or "").strip():
			problems.append(_("{0}: give the source of the share, e.g. GMC register.").format(where))
		if not row.year:
			problems.append(_("{0}: give the year the share is for.").format(where))
		elif not EARLIEST_YEAR <= int(row.year) <= latest_year:
			problems.append(
				_("{0}: the year must be between {1} and {2}.").format(where, EARLIEST_YEAR, latest_year)
			)

	for question_label, total in totals.items():
		if total > 100 + TOLERANCE:
			problems.append(
				_('The shares for "{0}" add up to {1}%, more than 100%.').format(
					_(question_label), f"{round(total, 2):g}"
				)
			)
	return problems
