"""The index as the bot uses it: every call runs off the event loop.

Encoding a question and scanning vectors take milliseconds of CPU each; on
the event loop they would stall every other chat.  Searches share a small
thread pool; ingests run one at a time on their own thread, so a long /add
or feed refresh never takes a search worker.  The searches waiting for a
worker are bounded: beyond ``max_pending`` a request is refused at once with
``Overloaded`` (the bot says "busy, ask again") rather than queued behind
minutes of work while memory grows.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from index.engine import NewsIndex
from index.errors import QuestionError
from index.ingest import Progress
from index.models import AnswerSet, IngestReport
from index.store import StoredSentence

from .examples import example_question

logger = logging.getLogger(__name__)

T = TypeVar("T")
Context = tuple[StoredSentence | None, StoredSentence, StoredSentence | None]


class Overloaded(Exception):
    """More searches are waiting than the bot queues; the person should ask again shortly."""


class IndexService:
    """A NewsIndex behind thread pools, with one ingest at a time and a bounded search queue."""

    def __init__(self, index: NewsIndex, *, search_workers: int | None = None, max_pending: int = 100):
        self.index = index
        self.max_pending = max_pending
        self.pending = 0  # searches submitted and not finished; only touched on the event loop
        self._search = ThreadPoolExecutor(search_workers or min(4, os.cpu_count() or 2),
                                          thread_name_prefix="newsbot-search")
        self._ingest = ThreadPoolExecutor(1, thread_name_prefix="newsbot-ingest")
        self._ingest_lock = asyncio.Lock()
        self._examples: list[str] = []  # recomputed while empty: the index may have grown

    async def _run(self, pool: ThreadPoolExecutor, fn: Callable[..., T], *args, **kwargs) -> T:
        return await asyncio.get_running_loop().run_in_executor(pool, functools.partial(fn, *args, **kwargs))

    async def _read(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run a read on the search pool, or raise Overloaded when too many are waiting already."""
        if self.pending >= self.max_pending:
            raise Overloaded(f"{self.pending} searches waiting")
        self.pending += 1
        try:
            return await self._run(self._search, fn, *args, **kwargs)
        finally:
            self.pending -= 1

    async def ask(self, question: str, k: int = 1) -> AnswerSet:
        return await self._read(self.index.ask, question, k)

    async def context(self, sentence_id: int) -> Context | None:
        return await self._read(self.index.context, sentence_id)

    async def articles(self, limit: int) -> list[dict]:
        return await self._read(self.index.articles, limit)

    @property
    def ingesting(self) -> bool:
        return self._ingest_lock.locked()

    async def ingest(self, sources: Sequence[str], *, outlet: str | None = None,
                     progress: Progress | None = None) -> IngestReport:
        async with self._ingest_lock:
            report = await self._run(self._ingest, self.index.ingest, list(sources), outlet=outlet,
                                     progress=progress)
        self._examples = []
        return report

    async def examples(self, n: int = 2) -> list[str]:
        """Up to ``n`` example questions from different articles, each answered by its own sentence."""
        if not self._examples:
            self._examples = await self._read(self._find_examples, n)
        return self._examples

    def _find_examples(self, n: int) -> list[str]:
        found: list[str] = []
        articles: set[int] = set()
        for sentence in self.index.speech_sentences(limit=8 * n):
            question = example_question(sentence.text)
            if question is None or sentence.article_rowid in articles:
                continue
            try:
                answers = self.index.ask(question, 1).answers
            except QuestionError:
                continue
            if answers and answers[0].quote == sentence.text:
                found.append(question)
                articles.add(sentence.article_rowid)
            if len(found) == n:
                break
        return found

    def close(self) -> None:
        self._search.shutdown(wait=True, cancel_futures=True)
        self._ingest.shutdown(wait=True)
