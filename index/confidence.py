"""How sure the bot is that a sentence answers: the number the "not found" threshold applies to.

The ranking score is no good for that: its keyword part is scaled to the
best hit of each question and its type bonuses reward any date or name, so
an unrelated question still scores well.  Confidence is absolute: the
cosine of question and sentence plus the rarity-weighted share of the
question's words the sentence holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from .hybrid import coverage
from .retrieve import Retrieval
from .store import Store

COVERAGE_WEIGHT = 0.5  # chosen on the dev splits with the threshold: `newsbot calibrate --split dev`


def confidence(store: Store, found: Retrieval, text_ids: Sequence[int], weight: float = COVERAGE_WEIGHT
               ) -> dict[int, float]:
    """Confidence of each of ``text_ids`` (ranked in ``found``) as the answer to ``found.query_text``, whose
    cosine to it the first stage has measured; ``weight`` is the coverage's, varied only by the
    calibration sweep (``newsbot calibrate``)."""
    covered = coverage(store, found.query_text, {t: found.texts[t] for t in text_ids}, found.term_counts)
    # A sentence that holds a "who said" quote word for word covers the question, whatever its words: a quote
    # made of stopwords ("It's about me") has no rare word for coverage to weigh.
    return {t: found.cosines[t] + weight * (1.0 if t in found.verbatim else covered[t]) for t in text_ids}
