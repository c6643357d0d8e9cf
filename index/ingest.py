"""Ingest: source → articles → sentences → new vectors → one transaction each.

Identity of an article is its URL, else its own id, else its file path.  The
same content seen again is skipped; changed content under the same identity
replaces the old sentences.  Sentence texts already in the index keep their
vector, so wire copy repeated across outlets is embedded once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .attribute import attribute_quotes
from .embed import Embedder
from .errors import NewsbotError, SourceError
from .extract import expand, extract, is_url
from .fetch import Fetcher
from .models import Article, IngestReport
from .split import split_sentences
from .store import Store, content_hash, text_hash

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Called with (location, done, total) after each file or URL."""


def article_key(article: Article) -> str:
    if article.url:
        return "url:" + article.url
    if article.source_id:
        return "id:" + article.source_id
    return "path:" + str(Path(article.path).resolve()) if article.path else "hash:" + content_hash(article.text)


def ingest(store: Store, embedder: Embedder, sources: Iterable[str], *, fetcher: Fetcher,
           outlet: str | None = None, progress: Progress | None = None) -> IngestReport:
    report = IngestReport()
    started = time.perf_counter()
    with store.writer():
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
                        _ingest_article(store, embedder, article, source, report)
                if progress:
                    progress(location, done, len(locations))
    report.seconds = time.perf_counter() - started
    return report


def _ingest_article(store: Store, embedder: Embedder, article: Article, source: tuple[str, str],
                    report: IngestReport) -> None:
    key = article_key(article)
    chash = content_hash(article.text)
    existing, same_content = store.find_article(key, chash)
    if same_content:
        report.skipped += 1
        return
    sentences = split_sentences(article.text, article.skip_spans)
    if not sentences:
        report.failed += 1
        report.errors.append(str(SourceError(f"{article.path or article.url or key}: no sentences to index")))
        return
    hashes = {text_hash(s.text): s.text for s in sentences}
    known = store.known_text_ids(hashes)
    new_texts = {h: t for h, t in hashes.items() if h not in known}
    vectors = embedder.encode(list(new_texts.values()))
    quotes = attribute_quotes(article.text, sentences)
    store.save_article(key=key, article=article, chash=chash, source=source, sentences=sentences, quotes=quotes,
                       new_texts=new_texts, new_vectors=vectors, replace_rowid=existing)
    report.updated += existing is not None
    report.added += existing is None
    report.sentences += len(sentences)
    report.embedded += len(new_texts)
