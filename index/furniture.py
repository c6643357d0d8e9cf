"""Page furniture: lines on a news page that are not the article's words.

"Read more: ..." teasers, "Watch Again: ..." promos, bylines, datelines, share
prompts and "Advertisement" slots would otherwise be indexed and could even be
quoted as answers, so they are recognised here and never split into sentences.
"""

from __future__ import annotations

import re
from datetime import datetime

_PROMPTS = re.compile(
    r"""^(?:read\s+more|read\s+next|read\s+also|also\s+read|more\s+on\s+this\s+story|see\s+also|related(?:\s+\w+)?
        |watch(?:\s+again|\s+now|\s+live|\s+more)?|listen(?:\s+again|\s+now|\s+live)?|live\s+updates?
        |advertisement|sponsored(?:\s+content)?|promoted|share(?:\s+this(?:\s+\w+)?|\s+on\s+\w+)?
        |follow\s+us|sign\s+up|subscribe|newsletter|click\s+here|tap\s+here
        |image|photo|picture|credit|copyright|getty\s+images|©)\b\s*[:|\-–—]?""",
    re.IGNORECASE | re.VERBOSE,
)

_SINGLE_WORDS = {
    "advertisement", "share", "tweet", "email", "print", "comments", "comment", "save",
    "facebook", "twitter", "whatsapp", "linkedin", "copy link", "share this article",
}

_MONTHS = ("january february march april may june july august september october november december"
           .split())
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_TIME = r"(?:,?\s*(?:at\s+)?(\d{1,2})[:.](\d{2})(?:\s*([ap])\.?m\.?)?(?:\s*[A-Z]{2,4})?)?"
_DATE_DMY = re.compile(rf"(\d{{1,2}})\s+({_MONTH})\s+(\d{{4}}){_TIME}", re.IGNORECASE)
_DATE_MDY = re.compile(rf"({_MONTH})\s+(\d{{1,2}}),?\s+(\d{{4}}){_TIME}", re.IGNORECASE)
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?()")
_DATELINE = re.compile(
    rf"^\s*(?:(?:published|updated|posted|last\s+updated)\s*:?\s*)?(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
    rf"(?:{_DATE_DMY.pattern}|{_DATE_MDY.pattern}|{_DATE_ISO.pattern})"
    rf"(?:\s*\|\s*(?:updated|last\s+updated)?\s*:?.*)?\s*$",
    re.IGNORECASE,
)
_SHOW_SLOT = re.compile(r"^(?P<name>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3})\s+\d{1,2}(?::\d{2})?\s*[ap]m\s*[-–—]\s*\d{1,2}(?::\d{2})?\s*[ap]m$")
_BY = re.compile(r"^(?:by|written\s+by|reporting\s+by)\s+(?P<name>[A-Z][\w'’.-]+(?:\s+(?:and\s+)?[A-Z][\w'’.-]+){0,5})(?:\s*[,|].*)?$",
                 re.IGNORECASE)


def is_furniture(line: str) -> bool:
    """Whether a whole line is page furniture rather than article text."""
    text = line.strip()
    if not text:
        return False
    lowered = text.lower().rstrip(":.!")
    if lowered in _SINGLE_WORDS:
        return True
    if _PROMPTS.match(text) and (":" in text[:25] or "|" in text or len(text.split()) <= 4):
        return True
    return parse_dateline(text) is not None or byline_name(text) is not None


def parse_dateline(line: str) -> str | None:
    """ISO date (with time when given) of a line that is only a dateline, else None."""
    if not _DATELINE.match(line.strip()):
        return None
    return find_date(line)


def find_date(text: str) -> str | None:
    """The first date in ``text`` as ISO 8601 (``2025-02-13T16:11`` or ``2025-02-13``)."""
    for pattern, order in ((_DATE_DMY, "dmy"), (_DATE_MDY, "mdy"), (_DATE_ISO, "iso")):
        match = pattern.search(text)
        if not match:
            continue
        g = match.groups()
        try:
            if order == "iso":
                year, month, day, hour, minute, half = int(g[0]), int(g[1]), int(g[2]), g[3], g[4], None
            else:
                day_s, month_s, year_s = (g[0], g[1], g[2]) if order == "dmy" else (g[1], g[0], g[2])
                month = _month_number(month_s)
                year, day, hour, minute, half = int(year_s), int(day_s), g[3], g[4], g[5]
            hours = int(hour or 0) % 12 + 12 if half and half.lower() == "p" else int(hour or 0)
            stamp = datetime(year, month, day, hours, int(minute or 0))
        except (ValueError, TypeError):
            continue
        return stamp.strftime("%Y-%m-%dT%H:%M" if hour is not None else "%Y-%m-%d")
    return None


def _month_number(name: str) -> int:
    prefix = name.lower().rstrip(".")[:3]
    for number, month in enumerate(_MONTHS, start=1):
        if month.startswith(prefix):
            return number
    raise ValueError(name)


def byline_name(line: str) -> str | None:
    """The author's name when the line is a byline ("By Jane Doe", "Ian Payne 4am - 7am")."""
    text = line.strip()
    if len(text) > 80 or text.endswith((".", "?", "!", '"', "”")):
        return None
    match = _SHOW_SLOT.match(text) or _BY.match(text)
    return match.group("name").strip() if match else None
