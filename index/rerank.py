"""Second stage: reorder the fused candidates by what the question asks for.

"Who said ..." wants a sentence that carries a quotation or a reporting
verb, best one that holds the quote word for word; "what was agreed" wants
an agreement verb; "when", "how much" and "how many" want a date or a
number; "who is", "where" want a name the question does not already hold.
Each is an additive bonus on the fused score, so a clearly better match
still wins; the weights were chosen on the TrecQA and PolNeAR dev splits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .cues import AGREEMENT, DATE, NUMBER, QUOTE_MARK, has_reporting_word, names_outside
from .hybrid import Candidate

TYPE_WEIGHT = 0.15    # the sentence holds the kind of thing asked for (date, number, name, agreement)
QUOTE_WEIGHT = 0.1    # "who said": the sentence is attributed speech (a quote record or quotation marks)
# "Who said X" quotes X, so words matter more than for other questions: BM25 (0..1 of the pool's best)
# counts this much more on top of the first stage's weight.  Chosen on PolNeAR dev, where the other
# question kinds (TrecQA's) are unaffected.
WORDING_WEIGHT = 0.4
# "Who said X": the sentence holds X's opening or closing words in order (``hybrid.phrase_match``).  On
# PolNeAR dev 0.3 to 1.0 gave the same figures but a question or two; TrecQA's are unaffected.
VERBATIM_WEIGHT = 0.5

_REPORT = (r"said|says|say|told|tells|tweeted|wrote|writes|declared|added|claimed|stated|warned|argued|insisted|"
           r"announced|called|described|confirmed|asked|promised|vowed|remarked|noted|explained|suggested|posted|"
           r"predicted|admitted|thinks?|thought|believes?|believed")
_WHO_SAID = re.compile(rf"^\s*(?:who\s+(?:{_REPORT}|(?:is|was)\s+quoted|(?:has|had|did)\s+\w+)\b|"
                       r"who\s+(?:is|was)\s+(?:the\s+)?(?:speaker|source)\b|who\s+(?:was\s+it\s+)?that\s+said)",
                       re.IGNORECASE)
_SAID_ABOUT = re.compile(
    r"^\s*what\s+(?:did|does|do|has|have|had|is|was)\s+(?P<who>.+?)\s+(?:been\s+)?(?:say|said|saying|tell|told|"
    r"telling|think|thinks|thought|claim|claimed|write|wrote|tweet|tweeted|argue|argued|warn|warned)"
    r"(?:\s+(?:about|of|on|regarding|concerning|over)\s+(?P<topic>.+?))?\s*\??\s*$", re.IGNORECASE)
_AGREED = re.compile(r"^\s*(?:what|which)\b.*\b(?:agree[ds]?|decided?|deal|decision|approved?|settled?|signed|"
                     r"resolved?|commit(?:ted)?)\b", re.IGNORECASE)
_WHEN = re.compile(r"^\s*(?:when|since when|what\s+(?:year|date|day|month|time)|in\s+what\s+year|which\s+(?:year|"
                   r"day|month)|how\s+long\s+ago)\b", re.IGNORECASE)
_HOW_MUCH = re.compile(r"^\s*(?:how\s+(?:much|many|long|old|far|tall|big|large|high|fast|deep|often|heavy)|"
                       r"what\s+(?:percentage|percent|share|number|amount|price|cost|population|age|size|rate)|"
                       r"(?:what|which)\b.*\b(?:population|number|total)\b)", re.IGNORECASE)
_NAME = re.compile(r"^\s*(?:who|whom|whose|where|(?:what|which)\s+(?:country|city|state|town|county|province|"
                   r"continent|place|company|organi[sz]ation|team|party|group|newspaper|university))\b",
                   re.IGNORECASE)


@dataclass(frozen=True)
class Intent:
    """What a question asks for; ``speaker``/``topic`` only for "what did X say about Y", ``quote`` (the X)
    only for "who said X"."""

    kind: str  # "who_said", "said_about", "agreed", "when", "how_much", "name" or "other"
    speaker: str | None = None
    topic: str | None = None
    quote: str | None = None


def read_question(question: str) -> Intent:
    said = _SAID_ABOUT.match(question)
    if said and not said.group("who").lower().startswith(("you", "they", "it", "he", "she", "people")):
        return Intent("said_about", speaker=said.group("who").strip(), topic=(said.group("topic") or "").strip())
    if who := _WHO_SAID.search(question):
        return Intent("who_said", quote=question[who.end():])
    for kind, pattern in (("agreed", _AGREED), ("when", _WHEN), ("how_much", _HOW_MUCH), ("name", _NAME)):
        if pattern.search(question):
            return Intent(kind)
    return Intent("other")


def bonus(intent: Intent, question: str, candidate: Candidate, text: str, attributed: bool, verbatim: bool
          ) -> float:
    """The second-stage bonus of one candidate sentence for this question."""
    if intent.kind in ("who_said", "said_about"):
        speech = QUOTE_WEIGHT if attributed or QUOTE_MARK.search(text) or has_reporting_word(text) else 0.0
        if intent.kind == "said_about":
            return speech
        return speech + WORDING_WEIGHT * candidate.keyword + (VERBATIM_WEIGHT if verbatim else 0.0)
    if intent.kind == "agreed":
        return TYPE_WEIGHT if AGREEMENT.search(text) else 0.0
    if intent.kind == "when":
        return TYPE_WEIGHT if DATE.search(text) else 0.0
    if intent.kind == "how_much":
        return TYPE_WEIGHT if NUMBER.search(text) else 0.0
    if intent.kind == "name":
        asked = set(re.findall(r"\w+", question.lower()))
        return TYPE_WEIGHT if names_outside(text, asked) else 0.0
    return 0.0


def rerank(intent: Intent, question: str, candidates: Sequence[Candidate], texts: dict[int, str],
           attributed: set[int], verbatim: set[int]) -> list[tuple[int, float]]:
    """(text_id, final score) best first; ``texts`` maps text ids to their sentence, ``attributed`` holds
    the texts inside a quote record with a speaker, ``verbatim`` those that hold a "who said" quote's words."""
    scored = [(c.text_id, c.fused + bonus(intent, question, c, texts.get(c.text_id, ""), c.text_id in attributed,
                                          c.text_id in verbatim)) for c in candidates]
    return sorted(scored, key=lambda pair: -pair[1])
