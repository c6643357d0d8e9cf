"""The index's own words for text outside it: FTS5's tokenizer and Porter stemmer, run in memory.

Keyword search and the "not found" confidence both ask which of a question's
words a sentence holds.  Asking the big full-text index that for a handful
of sentences walks each word's whole posting list (tens of milliseconds for a
common word at a million sentences); tokenizing the handful of sentences
here costs microseconds and stems exactly as the index does, so "borrowing"
still finds "borrow".
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

# Must stay the tokenizer of ``texts_fts`` (schema.m004_keyword_index_of_texts).
TOKENIZE = "porter unicode61"
_MAX_WORDS = 100_000


class Terms:
    """Terms of texts as the full-text index would store them."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        # Contentless, without positions or sizes: only the terms are read back, and keeping nothing else
        # halves the cost of a call (70 against 130 µs for a question).
        self._db.execute(f"CREATE VIRTUAL TABLE scratch USING fts5(text, tokenize='{TOKENIZE}', content='', "
                         "detail=none, columnsize=0)")
        self._db.execute("CREATE VIRTUAL TABLE scratch_terms USING fts5vocab(scratch, 'instance')")
        self._lock = threading.Lock()
        self._words: dict[str, frozenset[str]] = {}

    def of_words(self, words: Sequence[str]) -> list[frozenset[str]]:
        """``of`` for single words, remembered: a question's words are looked up several times per
        question, and the same words come back across questions."""
        found = {w: terms for w in dict.fromkeys(words) if (terms := self._words.get(w)) is not None}
        unknown = [w for w in dict.fromkeys(words) if w not in found]
        if unknown:
            fresh = dict(zip(unknown, self.of(unknown)))
            found.update(fresh)
            with self._lock:
                if len(self._words) + len(fresh) > _MAX_WORDS:
                    self._words.clear()
                self._words.update(fresh)
        return [found[w] for w in words]

    def of(self, texts: Sequence[str]) -> list[frozenset[str]]:
        """The set of index terms in each text, in order."""
        if not texts:  # an article whose every sentence is already stored (wire copy) brings none
            return []
        with self._lock, self._db:
            self._db.executemany("INSERT INTO scratch(rowid, text) VALUES (?, ?)", enumerate(texts))
            rows = self._db.execute("SELECT doc, term FROM scratch_terms").fetchall()
            self._db.execute("INSERT INTO scratch(scratch) VALUES ('delete-all')")
        found: list[set[str]] = [set() for _ in texts]
        for doc, term in rows:
            found[doc].add(term)
        return [frozenset(terms) for terms in found]
