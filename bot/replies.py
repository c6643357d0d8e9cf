"""What the bot says on Telegram: HTML texts and the buttons under them.

Every piece of article, user and source text is escaped here or in
``format``; handlers only choose which reply to send.  The wording of an
answer and of "not found" is the terminal chat's, plus markup.
"""

from __future__ import annotations

import html
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent

from index.models import Answer, AnswerSet, IngestReport
from index.store import StoredSentence

from .format import NOT_FOUND, NOT_FOUND_HINT, answer_html, display_date, linkable, source_line_html

MORE_ANSWERS = 3
INLINE_ANSWERS = 5
MORE, CONTEXT = "more", "ctx"

SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
STALE = "I can no longer see the question this answered; please ask again."
OVERLOADED = "I have a lot of questions to answer right now; please ask again in a minute."
TEXT_ONLY = ("I can only read questions typed as text, not photos, stickers, voice messages or other media. "
             "Type your question and I will look for the sentence that answers it.")
ONLY_ANSWER = "That was the only answer good enough to show."
GONE = "That article is no longer in my index."
ASK_USAGE = "Ask me like this: <code>/ask who said the work starts in April?</code>"
ADD_USAGE = "Send <code>/add SOURCE</code>: a web page, an RSS or Atom feed, or a file path on the server."
ADD_REFUSED = ("Sorry, only the people who run this bot can add sources. "
               "If there is news I should read, please tell them.")
DOCUMENT_SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".xml", ".rss", ".atom")
DOCUMENT_TYPES = "I can read .txt, .html, .jsonl and RSS/Atom .xml files."
DOWNLOAD_FAILED = "I could not download that file from Telegram; please send it again."
DOCUMENT_TOO_BIG = "That file is over 20 MB, the most Telegram lets a bot download; nothing was added."
BUSY = "Another ingest is running on this index; please try again in a minute."
INLINE_NOTHING = "Nothing found; see what I have read"
NO_NEWS = "I have not read any news yet; an admin can /add a source."

HELP = (
    "Ask me about the news and I answer with the exact sentence from an article, "
    "who said it when I know, and where it was published.\n\n"
    "/ask QUESTION: ask (in groups, or mention me, or reply to me)\n"
    "/sources: the latest articles I have read\n"
    "/add SOURCE: read a web page or feed (admins; documents too)\n"
    "/help: this message\n\n"
    "<b>More</b> under an answer shows the next best quotes; <b>Context</b> shows the sentences around one."
)


def not_found() -> str:
    return html.escape(f"{NOT_FOUND} {NOT_FOUND_HINT}", quote=False)


def answer(result: AnswerSet) -> tuple[str, InlineKeyboardMarkup | None]:
    """The best answer with More (when there are others) and Context buttons, or an honest not-found."""
    if result.abstained or not result.answers:
        return not_found(), None
    best = result.answers[0]
    buttons = [InlineKeyboardButton("More", callback_data=MORE)] if len(result.answers) > 1 else []
    buttons.append(InlineKeyboardButton("Context", callback_data=f"{CONTEXT}:{best.sentence_id}"))
    return answer_html(best), InlineKeyboardMarkup([buttons])


def more(result: AnswerSet) -> tuple[str, InlineKeyboardMarkup]:
    """All answers, numbered, each with its own Context button."""
    heading = f"<b>Answers to</b> {html.escape(result.question)}"
    body = "\n\n".join(f"<b>{i}.</b> {answer_html(a)}" for i, a in enumerate(result.answers, start=1))
    return f"{heading}\n\n{body}", context_buttons(result.answers)


def context_buttons(answers: tuple[Answer, ...]) -> InlineKeyboardMarkup:
    if len(answers) == 1:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Context", callback_data=f"{CONTEXT}:{answers[0].sentence_id}")]])
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"Context {i}", callback_data=f"{CONTEXT}:{a.sentence_id}")
                                  for i, a in enumerate(answers, start=1)]])


def context(before: StoredSentence | None, sentence: StoredSentence, after: StoredSentence | None) -> str:
    """The quote in bold between the sentences around it, from the same article."""
    lines = [html.escape(before.text)] if before else []
    lines.append(f"<b>{html.escape(sentence.text)}</b>")
    lines += [html.escape(after.text)] if after else []
    return f"<blockquote>{chr(10).join(lines)}</blockquote>\n{source_line_html(sentence.source, sentence.text)}"


def start(examples: list[str], bot_username: str) -> str:
    lines = ["I answer questions about the news with the exact sentence from an article, "
             "who said it when I know, and where it was published."]
    if examples:
        lines += ["", "Try asking:"] + [f"• <code>{html.escape(q)}</code>" for q in examples]
    else:
        lines += ["", NO_NEWS]
    lines += ["", f"In groups, mention @{html.escape(bot_username)} or use /ask. In any chat, type "
              f"<code>@{html.escape(bot_username)} your question</code> to share an answer.",
              "/sources shows what I have read; /help lists everything."]
    return "\n".join(lines)


def sources(articles: list[dict]) -> str:
    if not articles:
        return NO_NEWS
    lines = ["<b>Latest articles I have read</b>"]
    for row in articles:
        title = html.escape(row["title"] or (Path(row["path"]).name if row["path"] else row["id"]))
        if linkable(row["url"]):
            title = f'<a href="{html.escape(row["url"], quote=True)}">{title}</a>'
        parts = [html.escape(row["outlet"])] if row["outlet"] else []
        parts += [title] + ([html.escape(display_date(row["published"]))] if row["published"] else [])
        lines.append("• " + " · ".join(parts))
    return "\n".join(lines)


def slow_down(seconds: float) -> str:
    return f"You are asking faster than I can read. Please wait {max(1, round(seconds))} s and ask again."


def ingest_started(sources: list[str]) -> str:
    return "Reading " + ", ".join(f"<code>{html.escape(Path(s).name if '://' not in s else s)}</code>"
                                  for s in sources) + "…"


def ingest_progress(location: str, done: int, total: int) -> str:
    return f"Reading… {done}/{total}: <code>{html.escape(Path(location).name[:60])}</code>"


def ingest_done(report: IngestReport) -> str:
    text = f"Done: {html.escape(report.summary())}."
    if report.errors:
        shown = report.errors[:5]
        text += "\n\nProblems:\n" + "\n".join(f"• {html.escape(e)}" for e in shown)
        if len(report.errors) > len(shown):
            text += f"\n… and {len(report.errors) - len(shown)} more."
    return text


def inline_results(result: AnswerSet) -> list[InlineQueryResultArticle]:
    """Each answer as an inline result that posts the quote with its source line."""
    return [
        InlineQueryResultArticle(
            id=str(a.sentence_id),
            title=(f"{a.speaker}: " if a.speaker else "") + a.quote[:120],
            description=" · ".join(p for p in (a.source.outlet, a.source.title, display_date(a.source.published)) if p),
            input_message_content=InputTextMessageContent(answer_html(a)),
        )
        for a in result.answers
    ]
