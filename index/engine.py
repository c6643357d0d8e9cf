"""The one object the command line and the bot talk to.

It loads the model and opens the index once, then answers, ingests and
describes.  It reads no environment: settings arrive as arguments.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from .answer import build_answers
from .confidence import confidence
from .embed import Embedder
from .errors import QuestionError
from .fetch import Fetcher
from .ingest import FLUSH_TEXTS, Progress, ingest
from .models import AnswerSet, IngestReport
from .retrieve import retrieve
from .store import StoredSentence, Store

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
# Below this confidence (see confidence.py) the bot says it found nothing.  Chosen on the dev splits only (PolNeAR dev
# who-said questions must be answered, TrecQA dev questions asked of the PolNeAR index must not) by
# `newsbot calibrate --split dev`: see README "Answer quality".
DEFAULT_MIN_SCORE = 0.71
_WORD = re.compile(r"\w")


def clean_question(question: str) -> str:
    """Collapse whitespace, drop invisible characters; refuse what has no words."""
    text = "".join(ch for ch in question if ch.isprintable() or ch.isspace())
    text = " ".join(text.split())
    # A question pasted many times over is asked once: repeats only dilute its embedding.
    text = " ".join(dict.fromkeys(re.split(r"(?<=[.?!])\s+", text)))
    if len(text) > MAX_QUESTION_CHARS:  # cut at a word boundary: a torn last word would match nothing
        text = text[:MAX_QUESTION_CHARS + 1].rsplit(" ", 1)[0]
    if not _WORD.search(text):
        raise QuestionError("Please ask a question in words, for example: who said there can be no talk "
                            "about Ukraine without Ukraine?")
    return text


class NewsIndex:
    def __init__(self, db_path: Path | str, model_path: str | None = None, *,
                 fetcher: Fetcher | None = None, min_score: float = DEFAULT_MIN_SCORE,
                 embedder: Embedder | None = None, flush_texts: int = FLUSH_TEXTS):
        self.embedder = embedder or Embedder(model_path)
        self.store = Store(Path(db_path), self.embedder.name, self.embedder.dim)
        self.fetcher = fetcher or Fetcher()
        self.min_score = min_score
        self.flush_texts = flush_texts

    def close(self) -> None:
        self.store.close()

    def ingest(self, sources: Iterable[str], *, outlet: str | None = None,
               progress: Progress | None = None) -> IngestReport:
        return ingest(self.store, self.embedder, sources, fetcher=self.fetcher, outlet=outlet, progress=progress,
                      flush_texts=self.flush_texts)

    def ask(self, question: str, k: int = 1) -> AnswerSet:
        text = clean_question(question)
        found = retrieve(self.store, self.embedder, text)
        top = [t for t, _ in found.ranked[:k]]
        sure = confidence(self.store, found, top)
        answers = build_answers(self.store, [(t, sure[t]) for t in top if sure[t] >= self.min_score], k)
        return AnswerSet(question=question, answers=tuple(answers), abstained=not answers)

    def context(self, sentence_id: int) -> tuple[StoredSentence | None, StoredSentence, StoredSentence | None] | None:
        sentence = self.store.sentence(sentence_id)
        if sentence is None:
            return None
        before, after = self.store.neighbours(sentence)
        return before, sentence, after

    def articles(self, limit: int | None = None) -> list[dict]:
        return self.store.articles(limit)

    def stats(self) -> dict:
        return {**self.store.counts(), "bytes_on_disk": self.store.size_on_disk(),
                "model": self.embedder.name, "dim": self.embedder.dim, "db": str(self.store.db_path)}

    def speech_sentences(self, limit: int = 20) -> list[StoredSentence]:
        """Sentences that report speech, newest articles first: material for example questions."""
        ranked = self.store.keyword_search("said OR says OR told", limit * 4)
        by_text = self.store.sentences_for_texts([text_id for text_id, _ in ranked])
        found = [places[0] for places in by_text.values()]
        found.sort(key=lambda s: (s.source.published or "", s.article_rowid), reverse=True)
        return found[:limit]
