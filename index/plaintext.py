"""Plain-text articles: a header of title, byline and dateline, then paragraphs.

Wire and radio-site exports put the byline and a dateline such as
"13 February 2025, 16:11 | Updated: ..." in the first lines.  Those give the
article's author and date and are marked as furniture, as are "Read more:"
teasers anywhere in the body.  An optional front matter of ``Key: value``
lines (Title, Outlet, Author, Date, URL, Id) overrides what is guessed.
"""

from __future__ import annotations

import re

from .furniture import byline_name, find_date, is_furniture, parse_dateline
from .models import Article
from .split import line_starts, split_lines

_FRONT_MATTER = re.compile(r"^(title|outlet|source|author|date|published|url|id)\s*:\s*(.+)$", re.IGNORECASE)
_HEADER_LINES = 6


def parse_plain_text(text: str, *, path: str | None, outlet: str | None, source_id: str | None) -> Article:
    starts = line_starts(text)
    lines = split_lines(text)
    fields: dict[str, str] = {}
    skip: list[tuple[int, int]] = []
    header_seen = 0
    title: str | None = None
    for number, line in enumerate(lines):
        span = (starts[number], starts[number] + len(line))
        stripped = line.strip()
        if not stripped:
            continue
        in_header = header_seen < _HEADER_LINES
        header_seen += 1
        front = _FRONT_MATTER.match(stripped) if in_header and header_seen <= len(fields) + 1 else None
        if front and not (front.group(1).lower() == "source" and len(front.group(2)) > 60):
            fields[front.group(1).lower()] = front.group(2).strip()
            skip.append(span)
            continue
        if in_header and (date := parse_dateline(stripped)):
            fields.setdefault("date", date)
            skip.append(span)
            continue
        if in_header and (name := byline_name(stripped)):
            fields.setdefault("author", name)
            skip.append(span)
            continue
        if is_furniture(stripped):
            skip.append(span)
            continue
        if title is None and in_header and header_seen == 1 and _is_headline(stripped, lines[number + 1:]):
            title = stripped
    date = fields.get("date") or fields.get("published")
    return Article(
        text=text,
        source_id=fields.get("id") or source_id,
        title=fields.get("title") or title,
        outlet=fields.get("outlet") or fields.get("source") or outlet,
        author=fields.get("author"),
        url=fields.get("url"),
        published=(find_date(date) or date) if date else None,
        path=path,
        skip_spans=tuple(skip),
    )


def _is_headline(line: str, following: list[str]) -> bool:
    """A first line without a full stop, followed by a byline or dateline."""
    if line.endswith((".", "!", '"', "”")) or len(line) > 200:
        return False
    nxt = [l.strip() for l in following if l.strip()][:2]
    return any(parse_dateline(l) or byline_name(l) for l in nxt)
