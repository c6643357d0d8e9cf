"""HTML pages: the article body and its metadata, via trafilatura.

trafilatura is the maintained, benchmarked boilerplate remover for news
pages; it drops navigation, comments and most furniture, and reads title,
author, date and site name from the page's own metadata.  Furniture lines
that survive it ("Read more: ...") are marked as skip spans here.
"""

from __future__ import annotations

import logging

import trafilatura

from .errors import SourceError
from .furniture import find_date, is_furniture
from .models import Article
from .split import line_starts, split_lines

logger = logging.getLogger(__name__)


def parse_html(html: str, *, url: str | None, path: str | None, outlet: str | None,
               source_id: str | None = None) -> Article:
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=True)
    except Exception as exc:  # trafilatura raises assorted lxml errors on broken markup
        raise SourceError(f"{path or url}: could not parse the HTML ({type(exc).__name__})") from exc
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise SourceError(f"{path or url}: no article text found in the HTML page")
    starts = line_starts(text)
    skip = tuple((starts[n], starts[n] + len(line)) for n, line in enumerate(split_lines(text))
                 if is_furniture(line))
    date = getattr(doc, "date", None)
    return Article(
        text=text,
        source_id=source_id,
        title=getattr(doc, "title", None),
        outlet=outlet or getattr(doc, "sitename", None),
        author=getattr(doc, "author", None),
        url=url or getattr(doc, "url", None),
        published=find_date(date) if date else None,
        path=path,
        skip_spans=skip,
    )
