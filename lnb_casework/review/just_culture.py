"""The NHS Just Culture guide (2018), as a review applies it (docs/just-culture.md).

Each question is answered Yes, No or Unknown. The tests are taken in order 1 to 5 and the first decisive
answer decides. Within a test every question counts at once (any Yes to test 2 is decisive, whichever
question it is); a test with no decisive answer but an Unknown stops the walk with "insufficient
evidence", naming that test's unanswered questions. Whatever outcome the guide reaches, the system needs
reviewing; while the evidence is insufficient (a blank review included) the guide has reached none yet.
"""

from collections.abc import Mapping
from dataclasses import dataclass

YES, NO, UNKNOWN = "Yes", "No", "Unknown"

DELIBERATE_HARM = "Deliberate harm: management action may be justified"
HEALTH_ROUTE = "Health route: occupational health and support, not discipline"
SYSTEM_FAILURE = "System failure: singling out the individual is unlikely to be appropriate"
MITIGATING_CIRCUMSTANCES = "Mitigating circumstances: senior HR advice, supportive and proportionate response"
INDIVIDUAL_LEARNING = "Individual learning: training, supervision or performance support, proportionate"
INSUFFICIENT_EVIDENCE = "Insufficient evidence"

QUESTIONS = {
	"1a": "Was there any intention to cause harm?",
	"2a": "Are there indications of substance abuse?",
	"2b": "Are there indications of physical ill health?",
	"2c": "Are there indications of mental ill health?",
	"3a": "Were there agreed protocols or accepted practice in place?",
	"3b": "Were the protocols workable and in routine use?",
	"3c": "Did the individual knowingly depart from them?",
	"4a": "Would peers with comparable experience and training have acted the same way in similar circumstances?",
	"4b": "Was the individual missed out of training that peers had?",
	"4c": "Did seniors fail to provide normal supervision?",
	"5a": "Were there significant mitigating circumstances?",
}

# (questions, the answer that decides, outcome when one of them is given it, outcome when none is)
TESTS = (
	(("1a",), YES, DELIBERATE_HARM),
	(("2a", "2b", "2c"), YES, HEALTH_ROUTE),
	(("3a", "3b", "3c"), NO, SYSTEM_FAILURE),
	(("4a", "4b", "4c"), YES, SYSTEM_FAILURE),
	(("5a",), YES, MITIGATING_CIRCUMSTANCES),
)


@dataclass(frozen=True)
class Assessment:
	outcome: str
	decided_by: tuple[str, ...]
	needs_evidence: tuple[str, ...]

	@property
	def system_review_needed(self) -> bool:
		return self.outcome != INSUFFICIENT_EVIDENCE


def assess(answers: Mapping[str, str | None]) -> Assessment:
	"""The outcome the guide points to for answers keyed "1a" … "5a"; a missing answer counts as Unknown."""

	def answer(question: str) -> str:
		given = answers.get(question)
		return given if given in (YES, NO) else UNKNOWN

	for questions, decisive, outcome in TESTS:
		deciding = tuple(q for q in questions if answer(q) == decisive)
		if deciding:
			return Assessment(outcome, deciding, ())
		unknown = tuple(q for q in questions if answer(q) == UNKNOWN)
		if unknown:
			return Assessment(INSUFFICIENT_EVIDENCE, (), unknown)
	return Assessment(INDIVIDUAL_LEARNING, ("5a",), ())
