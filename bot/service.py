"""The index as the bot uses it: every call runs off the event loop.

Encoding a question and scanning vectors take milliseconds of CPU each; on
the event loop they would stall every other chat.  Searches share a small
thread pool; ingests run one at a time on their own thread, so a long /add
or feed refresh never takes a search worker.

The search queue is bounded by time, not by count: a request is refused at
once with ``Overloaded`` (the bot says "busy, ask again") when the searches
already waiting would keep it from a worker for more than ``max_wait``
seconds, judged from how long searches have recently taken.  A count would
either turn people away while searches take milliseconds (every reply, busy
or not, costs the same slot of Telegram's 30 messages a second, so refusing
gains nothing then) or let minutes of work queue up once the index is big.
The default is half a minute because the busy reply asks people to come back
in a minute: refusing anyone who would be answered sooner helps nobody.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
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
    """The search queue is longer than the bot lets anyone wait; the person should ask again shortly."""


class IndexService:
    """A NewsIndex behind thread pools, with one ingest at a time and a search queue bounded in seconds."""

    def __init__(self, index: NewsIndex, *, search_workers: int | None = None, max_wait: float = 30.0):
        self.index = index
        self.max_wait = max_wait
        self.workers = search_workers or min(4, os.cpu_count() or 2)
        self.pending = 0  # reads submitted and not finished; only touched on the event loop
        self.mean_seconds = 0.05  # per read, exponentially averaged; a guess until the first reads finish
        self._search = ThreadPoolExecutor(self.workers, thread_name_prefix="newsbot-search")
        self._ingest = ThreadPoolExecutor(1, thread_name_prefix="newsbot-ingest")
        self._ingest_lock = asyncio.Lock()
        self._examples: list[str] = []  # recomputed while empty: the index may have grown

    async def _run(self, pool: ThreadPoolExecutor, fn: Callable[..., T], *args, **kwargs) -> T:
        return await asyncio.get_running_loop().run_in_executor(pool, functools.partial(fn, *args, **kwargs))

    @property
    def expected_wait(self) -> float:
        """Seconds a read submitted now would wait for a worker."""
        return self.pending * self.mean_seconds / self.workers

    async def _read(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run a read on the search pool, or raise Overloaded when it would wait longer than ``max_wait``."""
        if self.expected_wait > self.max_wait:
            raise Overloaded(f"{self.pending} reads waiting, about {self.expected_wait:.1f} s")
        self.pending += 1
        try:
            result, seconds = await self._run(self._search, _timed, fn, *args, **kwargs)
        finally:
            self.pending -= 1
        self.mean_seconds += 0.1 * (seconds - self.mean_seconds)
        return result

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


def _timed(fn: Callable[..., T], *args, **kwargs) -> tuple[T, float]:
    """Run ``fn`` and measure it on the worker thread, so time spent queueing is not counted."""
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started
