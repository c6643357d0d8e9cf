"""RSS and Atom feeds, parsed safely, each entry becoming an article.

Feeds are checked with defusedxml first, so a document that declares
entities (the "billion laughs" expansion) is refused before feedparser sees
it.  An entry that carries its full text is used as it is; one that carries
only a summary has its linked page fetched and extracted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

from .errors import NewsbotError, SourceError
from .models import Article
from .webpage import parse_html

logger = logging.getLogger(__name__)

PageLoader = Callable[[str], Article]


def looks_like_feed(head: bytes) -> bool:
    sample = head[:2048].lstrip().lower()
    return sample.startswith(b"<?xml") and (b"<rss" in sample or b"<feed" in sample or b"<rdf" in sample) \
        or sample.startswith((b"<rss", b"<feed", b"<rdf:rdf"))


def parse_feed(data: bytes, *, name: str, load_page: PageLoader, problems: list[str]) -> list[Article]:
    """Articles of a feed; entries that fail are named in ``problems`` and skipped."""
    try:
        SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SourceError(f"{name}: feed declares XML entities; refused ({type(exc).__name__})") from exc
    except SafeET.ParseError as exc:
        raise SourceError(f"{name}: malformed feed XML ({exc})") from exc
    parsed = feedparser.parse(data)
    if not parsed.entries:
        raise SourceError(f"{name}: no entries in the feed")
    outlet = parsed.feed.get("title")
    articles: list[Article] = []
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            articles.append(_entry_article(entry, outlet=outlet, load_page=load_page))
        except NewsbotError as exc:
            problems.append(f"{name}: entry {number} ({entry.get('link') or entry.get('title')}): {exc}")
    return articles


def _entry_article(entry: feedparser.FeedParserDict, *, outlet: str | None, load_page: PageLoader) -> Article:
    link = entry.get("link")
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    published = time.strftime("%Y-%m-%dT%H:%M", stamp) if stamp else None
    content = entry.get("content")
    if content:
        html = "".join(part.get("value", "") for part in content)
        article = parse_html(f"<html><body><article>{html}</article></body></html>", url=link, path=None,
                             outlet=outlet, source_id=entry.get("id"))
    elif link:
        article = load_page(link)
    else:
        raise SourceError("entry has neither content nor a link")
    return Article(
        text=article.text,
        source_id=entry.get("id") or link,
        title=entry.get("title") or article.title,
        outlet=outlet or article.outlet,
        author=entry.get("author") or article.author,
        url=link or article.url,
        published=published or article.published,
        path=None,
        skip_spans=article.skip_spans,
    )
