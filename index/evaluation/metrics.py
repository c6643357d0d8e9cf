"""Ranking and speaker metrics, as the published tables compute them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from statistics import fmean


def average_precision(ranking: Sequence[int], gold: set[int]) -> float:
    """AP of a full ranking of candidate indices against the positive ones."""
    hits, total = 0, 0.0
    for rank, item in enumerate(ranking, start=1):
        if item in gold:
            hits += 1
            total += hits / rank
    return total / len(gold) if gold else 0.0


def reciprocal_rank(hits: Sequence[bool]) -> float:
    """1/rank of the first hit; 0 when no hit in the list."""
    return next((1.0 / rank for rank, hit in enumerate(hits, start=1) if hit), 0.0)


_TITLES = {"mr", "mrs", "ms", "dr", "sen", "senator", "gov", "governor", "president", "rep", "the", "former"}


def _name_words(name: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", re.sub(r"(?:'s|’s)\b", "", name.lower()))
    return [w for w in words if w not in _TITLES]


def speaker_matches(predicted: str | None, gold: str) -> bool:
    """Case-insensitive: the answer holds the full gold name, or ends with its surname.  A first name alone
    ("Donald" for Donald Trump) is neither."""
    if not predicted:
        return False
    p, g = _name_words(predicted), _name_words(gold)
    if not p or not g:
        return False
    return f" {' '.join(g)} " in f" {' '.join(p)} " or p[-1] == g[-1]


def mean(values: Sequence[float]) -> float:
    return round(fmean(values), 4) if values else 0.0
