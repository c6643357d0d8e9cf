"""How an answer reads: plain text for the terminal, HTML for Telegram.

Every piece of article and user text passes through ``html.escape`` before it
reaches Telegram, so no article can inject markup or links.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from index.models import Answer, AnswerSet, SourceRef

NOT_FOUND = "I couldn't find that in the news I have."
NOT_FOUND_HINT = "Try other words, or see what I have read with /sources."
TELEGRAM_LIMIT = 4096
SOURCES_SHOWN = 10  # articles a /sources reply lists, on Telegram and in the terminal chat


def display_date(published: str | None) -> str | None:
    """``2025-02-13T16:11`` → ``13 Feb 2025``; anything unparseable is shown as it is."""
    if not published:
        return None
    try:
        return datetime.fromisoformat(published[:19]).strftime("%-d %b %Y")
    except ValueError:
        return published


def linkable(url: str | None) -> bool:
    """Only web pages are linked: an article's URL is its publisher's text, and javascript:, tg:
    or data: links in a reply would let an article make the bot point people anywhere."""
    try:
        parts = urlsplit(url or "")
    except ValueError:  # e.g. an unclosed [IPv6 literal
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def fragment_link(url: str, quote_text: str) -> str:
    """The article URL with a text fragment that scrolls to (and highlights) the quote."""
    words = quote_text.split()
    if len(words) > 8:
        target = f"{quote(' '.join(words[:4]), safe='')},{quote(' '.join(words[-4:]), safe='')}"
    else:
        target = quote(" ".join(words), safe="")
    target = target.replace("-", "%2D")
    return f"{url.split('#')[0]}#:~:text={target}"


def location(source: SourceRef) -> str | None:
    if source.path:
        return f"{Path(source.path).name}, line {source.line}"
    return None


def source_line(answer: Answer) -> str:
    """``— LBC · title · 13 Feb 2025 · file.txt, line 14`` (plain text), with the URL when there is one."""
    src = answer.source
    parts = [p for p in (src.outlet, src.title, display_date(src.published), location(src)) if p]
    if src.url:
        parts.append(fragment_link(src.url, answer.quote))
    line = "— " + " · ".join(parts) if parts else "— (unknown source)"
    if answer.also_in:
        others = ", ".join(sorted({s.outlet or s.article_id for s in answer.also_in}))
        line += f" (also in {others})"
    return line


def answer_text(answer: Answer) -> str:
    speaker = f"{answer.speaker}: " if answer.speaker else ""
    return f"{speaker}“{answer.quote}”\n{source_line(answer)}"


def answers_text(result: AnswerSet) -> str:
    """The terminal and CLI reply: quotes with their source lines, or an honest not-found."""
    if result.abstained or not result.answers:
        return f"{NOT_FOUND} {NOT_FOUND_HINT}"
    return "\n\n".join(answer_text(a) for a in result.answers)


def source_line_html(source: SourceRef, quote: str, also_in: tuple[SourceRef, ...] = ()) -> str:
    """The plain source line for Telegram, with the title (else "article") linked to the quote."""
    outlet, title, date, where = (html.escape(p) if p else None for p in
                                  (source.outlet, source.title, display_date(source.published), location(source)))
    if linkable(source.url):
        title = f'<a href="{html.escape(fragment_link(source.url, quote), quote=True)}">{title or "article"}</a>'
    parts = [p for p in (outlet, title, date, where) if p]
    line = "— " + " · ".join(parts) if parts else "— (unknown source)"
    if also_in:
        others = ", ".join(sorted({s.outlet or s.article_id for s in also_in}))
        line += f" <i>(also in {html.escape(others)})</i>"
    return line


def answer_html(answer: Answer) -> str:
    """Telegram reply: the quote as a blockquote, the speaker in bold, then the source line."""
    speaker = f"<b>{html.escape(answer.speaker)}</b>\n" if answer.speaker else ""
    return f"{speaker}<blockquote>{html.escape(answer.quote)}</blockquote>\n{source_line_html(answer.source, answer.quote, answer.also_in)}"


# A tag, an entity, a line break or a space: the places a message may be cut, and the
# pieces that must never be cut through.
_HTML_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\n\n|\n| |[^<&\n ]{1,200}|[<&]")
_BREAK_RANK = {"\n\n": 3, "\n": 2, " ": 1}
# Room a part keeps for text inside its innermost tag: the longest entity ("&#1114111;") fits.
_TEXT_ROOM = 10


def _tag_name(tag: str) -> str:
    return tag.strip("</>").split()[0].lower() if tag.strip("</>").strip() else ""


def _closing(tag: str) -> str:
    """The tag that closes ``tag``: what a part appends for each tag still open at its cut."""
    return f"</{_tag_name(tag)}>"


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cut a long Telegram HTML reply at paragraph, then line, then word boundaries.

    Tags and entities are never cut through; tags open at a cut are closed at
    the end of one part and reopened at the start of the next, so every part
    is valid HTML on its own (Telegram refuses a message whose tags do not match).
    """
    if len(text) <= limit:
        return [text]
    tokens = _fitting_tags(_HTML_TOKEN.findall(text), limit)
    parts: list[str] = []
    open_tags: list[str] = []
    start = 0
    while start < len(tokens):
        prefix = "".join(open_tags)
        stack, size, end = list(open_tags), len(prefix), start
        breaks: list[tuple[int, int, list[str], int]] = []  # (rank, index after the break, open tags, size)
        while end < len(tokens):
            token = tokens[end]
            after = _apply_tag(stack, token)
            room = limit - size - sum(len(_closing(t)) for t in after)
            if len(token) > room:
                if not breaks and room > 0 and token[0] not in "<&" and token not in _BREAK_RANK:
                    tokens[end:end + 1] = [token[:room], token[room:]]  # a word longer than the space left
                    continue
                break
            stack, size, end = after, size + len(tokens[end]), end + 1
            if tokens[end - 1] in _BREAK_RANK:
                breaks.append((_BREAK_RANK[tokens[end - 1]], end, stack, size))
        if end < len(tokens) and breaks:
            # The strongest break in the second half of the part, so parts stay reasonably full.
            _, end, stack, _ = max((b for b in breaks if b[3] >= size / 2), key=lambda b: b[:2], default=breaks[-1])
        if end == start:  # not one token fits after the reopened tags: it goes in alone, over the limit
            stack, end = _apply_tag(stack, tokens[start]), start + 1
        body = "".join(tokens[start:end]).strip()
        if re.sub(r"<[^>]*>", "", body).strip():  # Telegram refuses a message with no visible text
            parts.append(prefix + body + "".join(_closing(t) for t in reversed(stack)))
        open_tags, start = stack, end
    return parts


def _fitting_tags(tokens: list[str], limit: int) -> list[str]:
    """``tokens`` without the tags (and their closing tags) that, nested where they stand, would leave
    a part less than ``_TEXT_ROOM`` for text: their text is kept, their formatting or link is lost.

    Every part reopens the tags open at its cut, so a deep enough nest of long tags (a link's
    ``<a href>`` inside a blockquote) cannot fit with any text in a small limit at all.
    """
    kept: list[str] = []
    open_tags: list[str] = []
    open_kept: list[bool] = []  # whether each of open_tags is kept
    for token in tokens:
        if token.startswith("</"):
            i = _opener(open_tags, token)
            if i is not None:
                del open_tags[i]
                if not open_kept.pop(i):
                    continue
        elif token.startswith("<") and len(token) >= 3:
            nest = [t for t, k in zip(open_tags, open_kept) if k] + [token]
            fits = sum(len(t) + len(_closing(t)) for t in nest) + _TEXT_ROOM <= limit
            open_tags.append(token)
            open_kept.append(fits)
            if not fits:
                continue
        kept.append(token)
    return kept


def _apply_tag(stack: list[str], token: str) -> list[str]:
    """The open tags after ``token``: an opening tag is pushed, a closing tag pops its match."""
    if not token.startswith("<") or len(token) < 3:
        return stack
    if token.startswith("</"):
        i = _opener(stack, token)
        return stack if i is None else stack[:i] + stack[i + 1:]
    return stack + [token]


def _opener(open_tags: list[str], closing: str) -> int | None:
    """Where in ``open_tags`` the tag that ``closing`` closes stands: the latest of its name, if any."""
    name = _tag_name(closing)
    return next((i for i in range(len(open_tags) - 1, -1, -1) if _tag_name(open_tags[i]) == name), None)
