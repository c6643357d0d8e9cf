"""Ingest: source → articles → sentences → new vectors → one transaction each.

Identity of an article is its URL, else its own id, else its file path.  The
same content seen again is skipped; changed content under the same identity
replaces the old sentences.  Sentence texts already in the index keep their
vector, so wire copy repeated across outlets is embedded once.

The pipeline has three steps: ``_prepare`` one article (dedupe, split),
``_flush`` the buffered articles (one attribution call and one embedding
call for all of them: full, length-sorted batches waste less on padding
than one article's thirty sentences of every length), then save each
article in its own transaction, its vectors durable before the commit.
The ANN graph catches up every ``ANN_SYNC_ROWS`` new rows and at the end.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .attribute import attribute_articles
from .embed import Embedder
from .errors import NewsbotError, SourceError
from .extract import expand, extract, is_url
from .fetch import Fetcher
from .models import Article, IngestReport, Sentence
from .split import split_sentences
from .store import Store, content_hash, text_hash

logger = logging.getLogger(__name__)

FLUSH_TEXTS = 2048
"""New texts gathered before one attribution and one embedding call, by default.  Larger flushes give
spaCy fuller batches and the embedder's token-count batches closer neighbours: on the benchmark corpus
512, 1,024, 2,048 and 4,096 ingested 305-316, 312-326, 331-332 and 337 sentences/s.  2,048 keeps what
a crash loses, and how long readers wait for new articles, to a few seconds of work."""
ANN_SYNC_ROWS = 50_000
"""New rows between ANN saves during a long ingest; readers scan the rows not yet in the graph exactly."""

Progress = Callable[[str, int, int], None]
"""Called with (location, done, total) after each file or URL."""


def article_key(article: Article) -> str:
    if article.url:
        return "url:" + article.url
    if article.source_id:
        return "id:" + article.source_id
    return "path:" + str(Path(article.path).resolve()) if article.path else "hash:" + content_hash(article.text)


@dataclass
class _Pending:
    """One article split and ready to save once its new texts have vectors."""

    key: str
    chash: str
    article: Article
    source: tuple[str, str]
    sentences: list[Sentence]
    hashes: dict[str, str]
    replace_rowid: int | None


def ingest(store: Store, embedder: Embedder, sources: Iterable[str], *, fetcher: Fetcher,
           flush_texts: int, outlet: str | None = None, progress: Progress | None = None) -> IngestReport:
    report = IngestReport()
    started = time.perf_counter()
    pending: list[_Pending] = []
    with store.writer():
        store.ann.sync(store.vectors, store.text_count())  # catch up after a crash or another writer's run
        try:
            for given in sources:
                locations = expand(given)
                if not locations:
                    report.failed += 1
                    report.errors.append(f"{given}: no readable files")
                source = (given, "url" if is_url(given) else "folder" if Path(given).is_dir() else "file")
                for done, location in enumerate(locations, start=1):
                    try:
                        extraction = extract(location, fetcher=fetcher, outlet=outlet)
                    except NewsbotError as exc:
                        logger.warning("skipping %s: %s", location, exc)
                        report.failed += 1
                        report.errors.append(str(exc))
                    else:
                        report.errors.extend(extraction.problems)
                        for article in extraction.articles:
                            key, chash = article_key(article), content_hash(article.text)
                            if any(p.key == key or p.chash == chash for p in pending):
                                _flush(store, embedder, pending, report)  # same article twice: save the first
                            item = _prepare(store, article, key, chash, source, report)
                            if item:
                                pending.append(item)
                            if sum(len(p.hashes) for p in pending) >= flush_texts:
                                _flush(store, embedder, pending, report)
                    if progress:
                        progress(location, done, len(locations))
            _flush(store, embedder, pending, report)
            store.ann.sync(store.vectors, store.text_count())
        finally:
            store.ann.release()
    report.seconds = time.perf_counter() - started
    return report


def _prepare(store: Store, article: Article, key: str, chash: str, source: tuple[str, str],
             report: IngestReport) -> _Pending | None:
    existing, same_content = store.find_article(key, chash)
    if same_content:
        report.skipped += 1
        return None
    sentences = split_sentences(article.text, article.skip_spans)
    if not sentences:
        report.failed += 1
        report.errors.append(str(SourceError(f"{article.path or article.url or key}: no sentences to index")))
        return None
    return _Pending(key=key, chash=chash, article=article, source=source, sentences=sentences,
                    hashes={text_hash(s.text): s.text for s in sentences}, replace_rowid=existing)


def _flush(store: Store, embedder: Embedder, pending: list[_Pending], report: IngestReport) -> None:
    """Attribute quotes and embed the unseen texts of the buffered articles, each step in one call, then save
    each article in its own transaction."""
    if not pending:
        return
    quotes = attribute_articles([(item.article.text, item.sentences) for item in pending])
    wanted: dict[str, str] = {}
    for item in pending:
        wanted.update(item.hashes)
    known = store.known_text_ids(wanted)
    new_texts = {h: t for h, t in wanted.items() if h not in known}
    vectors = dict(zip(new_texts, embedder.encode(list(new_texts.values()))))
    for item, found in zip(pending, quotes):
        mine = {h: t for h, t in item.hashes.items() if h in vectors}
        store.save_article(key=item.key, article=item.article, chash=item.chash, source=item.source,
                           sentences=item.sentences, quotes=found, new_texts=mine,
                           new_vectors=np.array([vectors.pop(h) for h in mine], np.float32).reshape(-1, embedder.dim),
                           replace_rowid=item.replace_rowid)
        report.updated += item.replace_rowid is not None
        report.added += item.replace_rowid is None
        report.sentences += len(item.sentences)
        report.embedded += len(mine)
    pending.clear()
    if store.text_count() - store.ann.covered() >= ANN_SYNC_ROWS:
        store.ann.sync(store.vectors, store.text_count())
