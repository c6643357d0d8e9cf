"""Example questions for /start, written from sentences that are really in the index.

A sentence that quotes someone becomes "Who said "…"?"; one that reports
speech becomes "Who said …?".  The service keeps only examples the index
answers with the very sentence they came from, so /start never suggests a
question the bot cannot answer.
"""

from __future__ import annotations

import re

_QUOTED = re.compile(r'["“]([^"“”]{12,}?)[,.!?]?["”]')
_REPORTED = re.compile(r"\b(?:said|says|told \w+)(?: that)? (.{12,}?)[.!?]*$")
_MAX_WORDS = 14  # longer ones read badly as questions, and cutting them leaves "…than the?"


def example_question(sentence: str) -> str | None:
    """A "who said" question about ``sentence``, or None when it quotes nobody (or too long a clause)."""
    quoted = _QUOTED.search(sentence)
    if quoted:
        words = quoted.group(1).split()
        return f'Who said "{" ".join(words)}"?' if len(words) <= _MAX_WORDS else None
    reported = _REPORTED.search(sentence)
    if reported:
        words = reported.group(1).split()
        return f"Who said {' '.join(words)}?" if 3 <= len(words) <= _MAX_WORDS else None
    return None
