"""How an answer reads: plain text for the terminal, HTML for Telegram.

Every piece of article and user text passes through ``html.escape`` before it
reaches Telegram, so no article can inject markup or links.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from index.models import Answer, AnswerSet, SourceRef

NOT_FOUND = "I couldn't find that in the news I have."
NOT_FOUND_HINT = "Try other words, or see what I have read with /sources."
TELEGRAM_LIMIT = 4096


def display_date(published: str | None) -> str | None:
    """``2025-02-13T16:11`` → ``13 Feb 2025``; anything unparseable is shown as it is."""
    if not published:
        return None
    try:
        return datetime.fromisoformat(published[:19]).strftime("%-d %b %Y")
    except ValueError:
        return published


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


def source_line_html(answer: Answer) -> str:
    src = answer.source
    title = html.escape(src.title or (Path(src.path).name if src.path else src.article_id))
    if src.url:
        title = f'<a href="{html.escape(fragment_link(src.url, answer.quote), quote=True)}">{title}</a>'
    where = f"line {src.line}" if src.path else None
    parts = [html.escape(p) for p in (src.outlet,) if p] + [title] + \
        [html.escape(p) for p in (display_date(src.published), where) if p]
    line = "— " + " · ".join(parts)
    if answer.also_in:
        others = ", ".join(sorted({s.outlet or s.article_id for s in answer.also_in}))
        line += f" <i>(also in {html.escape(others)})</i>"
    return line


def answer_html(answer: Answer) -> str:
    """Telegram reply: the quote as a blockquote, the speaker in bold, then the source line."""
    speaker = f"<b>{html.escape(answer.speaker)}</b>\n" if answer.speaker else ""
    return f"{speaker}<blockquote>{html.escape(answer.quote)}</blockquote>\n{source_line_html(answer)}"


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cut a long reply at paragraph, then line, then word boundaries, never inside a tag's text."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit))
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks
