"""From a source as the user names it (file, folder, URL, feed) to articles.

The kind of a file is decided by its name and first bytes: JSON Lines, an
RSS/Atom feed, an HTML page, or else plain text.  Problems with one record
(a broken JSON line, a feed entry whose page is gone) are collected and the
rest kept; a source that yields nothing raises ``SourceError``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .decode import decode_text
from .errors import SourceError
from .feeds import looks_like_feed, parse_feed
from .fetch import Fetcher
from .furniture import find_date
from .models import Article
from .plaintext import parse_plain_text
from .split import split_lines
from .webpage import parse_html

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
_TEXT_SUFFIXES = {".txt", ".text", ".md", ".jsonl", ".ndjson", ".html", ".htm", ".xml", ".rss", ".atom", ""}


@dataclass
class Extraction:
    """Articles found in one source, and the problems met on the way."""

    location: str
    kind: str
    articles: list[Article] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def is_url(location: str) -> bool:
    """By the scheme alone: a malformed URL is still a URL, refused by the fetcher with a reason."""
    return location[:8].lower().startswith(("http://", "https://"))


def expand(location: str) -> list[str]:
    """A folder becomes its readable files (sorted, hidden ones skipped); anything else stays."""
    if is_url(location):
        return [location]
    path = Path(location)
    if path.is_dir():
        return [str(p) for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.suffix.lower() in _TEXT_SUFFIXES]
    return [location]


def extract(location: str, *, fetcher: Fetcher, outlet: str | None = None,
            max_bytes: int = MAX_FILE_BYTES) -> Extraction:
    """Read one file or URL into articles."""
    if is_url(location):
        fetched = fetcher.get(location)
        return _from_bytes(fetched.content, name=location, url=fetched.url, path=None,
                           fetcher=fetcher, outlet=outlet, content_type=fetched.content_type)
    path = Path(location)
    if not path.is_file():
        raise SourceError(f"{location}: no such file or folder")
    size = path.stat().st_size
    if size == 0:
        raise SourceError(f"{location} is empty")
    if size > max_bytes:
        raise SourceError(f"{location} is {size:,} bytes, over the {max_bytes:,}-byte limit")
    return _from_bytes(path.read_bytes(), name=location, url=None, path=location, fetcher=fetcher,
                       outlet=outlet, content_type="")


def _from_bytes(data: bytes, *, name: str, url: str | None, path: str | None, fetcher: Fetcher,
                outlet: str | None, content_type: str) -> Extraction:
    suffix = Path(urlsplit(name).path if url else name).suffix.lower()
    if not data.strip():
        raise SourceError(f"{name} is empty")
    if looks_like_feed(data) or suffix in (".rss", ".atom") or "rss" in content_type or "atom" in content_type:
        result = Extraction(name, "feed")

        def load_page(link: str) -> Article:
            page = fetcher.get(link)
            return parse_html(decode_text(page.content, link), url=page.url, path=None, outlet=None)

        result.articles = parse_feed(data, name=name, load_page=load_page, problems=result.problems)
        return result
    text = decode_text(data, name)
    if suffix in (".jsonl", ".ndjson"):
        result = Extraction(name, "jsonl")
        result.articles = list(_json_lines(text, name=name, path=path, problems=result.problems))
        if not result.articles:
            raise SourceError(f"{name}: no usable JSON Lines records ({'; '.join(result.problems[:3])})")
        return result
    if suffix in (".html", ".htm") or "html" in content_type or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return Extraction(name, "html", [parse_html(text, url=url, path=path, outlet=outlet)])
    article = parse_plain_text(text, path=path, outlet=outlet, source_id=Path(path).stem if path else None)
    if url and not article.url:
        article = Article(**{**article.__dict__, "url": url})
    return Extraction(name, "text", [article])


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _valid_unicode(record: dict) -> dict:
    """JSON may escape half a surrogate pair (``"\\ud800"``), which no UTF-8 store can hold: use U+FFFD."""
    return {key: _LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value
            for key, value in record.items()}


def _json_lines(text: str, *, name: str, path: str | None, problems: list[str]) -> Iterator[Article]:
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, object_hook=_valid_unicode)
            body = record["text"]
            if not isinstance(body, str) or not body.strip():
                raise ValueError("empty text")
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            problems.append(f"{name}: line {number} skipped ({type(exc).__name__}: {exc})")
            continue
        date = record.get("published") or record.get("date")
        rid = record.get("id")
        article = parse_plain_text(body, path=path, outlet=record.get("outlet") or record.get("source"),
                                   source_id=str(rid) if rid is not None else None)
        yield Article(
            text=body,
            source_id=article.source_id,
            title=record.get("title") or article.title,
            outlet=article.outlet,
            author=record.get("author") or article.author,
            url=record.get("url") or article.url,
            published=(find_date(str(date)) or str(date)) if date else article.published,
            path=path,
            skip_spans=article.skip_spans,
        )
