"""One handler per thing a person can do with the bot, and the order they are tried in.

Handlers choose a reply from ``replies`` and send it; searching and
ingesting go through the ``IndexService`` so they run off the event loop.
Every handler that does work or replies first spends one of the sender's
requests (``admitted``), so a flood from one person costs everyone else
nothing.  Expected failures of the index become polite replies here;
anything else reaches ``on_error``, which logs it and apologises, and the
bot carries on.  Updates no handler takes (edited messages, group chatter,
channel posts, membership changes) are ignored.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from telegram import (Bot, InlineKeyboardMarkup, InlineQueryResultsButton, Message, MessageEntity, ReplyParameters,
                      Update)
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import (Application, CallbackQueryHandler, CommandHandler, ContextTypes, InlineQueryHandler,
                          MessageHandler, filters)

from index.errors import IndexBusyError, NewsbotError, QuestionError

from . import replies
from .addressing import is_addressed, question_text
from .format import SOURCES_SHOWN, TELEGRAM_LIMIT, split_message
from .service import Overloaded
from .state import BotState, bot_state

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
TYPING_REFRESH = 4.5  # Telegram shows "typing…" for 5 s per action
PROGRESS_EVERY = 3.0
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit


async def send_html(bot: Bot, chat_id: int, text: str, *, reply_to: int | None = None,
                    keyboard: InlineKeyboardMarkup | None = None) -> Message:
    """Send in as many parts as needed: the first replies to ``reply_to``, the last carries the buttons."""
    parts = split_message(text)
    for i, part in enumerate(parts):
        sent = await bot.send_message(
            chat_id, part, reply_markup=keyboard if i == len(parts) - 1 else None,
            reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and i == 0 else None)
    return sent


async def reply(message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None) -> Message:
    return await send_html(message.get_bot(), message.chat_id, text, reply_to=message.message_id, keyboard=keyboard)


@asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" while the block runs.

    The first action is sent alongside the work, not before it, and awaited
    before the block ends, so it always lands before the answer (a client
    that got the action after the answer would show "typing…" for 5 s more).
    """
    first_sent = asyncio.Event()

    async def keep_typing() -> None:
        while True:
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as exc:
                logger.debug("chat action failed: %s", exc)
            finally:
                first_sent.set()
            await asyncio.sleep(TYPING_REFRESH)

    task = asyncio.create_task(keep_typing())
    try:
        yield
        await first_sent.wait()
    finally:
        task.cancel()


async def tell(update: Update, text: str) -> None:
    """Say plain ``text`` the way this kind of update allows: an alert, an inline button, or a reply."""
    if update.callback_query:
        await update.callback_query.answer(text[:200], show_alert=True)
    elif update.inline_query:
        await update.inline_query.answer([], cache_time=0, button=InlineQueryResultsButton(
            text=text[:64], start_parameter="help"))
    elif update.effective_message:
        await reply(update.effective_message, html.escape(text))


async def admitted(update: Update, context: Context) -> bool:
    """Count the request against the sender's quota; over it, say so once a window and drop it.

    Button presses and inline queries are always answered (that is free and
    stops the client's spinner); messages only with the first refusal, since
    every message spends the bot's shared 30-a-second budget.
    """
    state = bot_state(context)
    user = update.effective_user
    if user is None or state.is_admin(user.id):
        return True
    refusal = state.quota.take(user.id)
    if refusal is None:
        return True
    if refusal.tell:
        logger.info("user %s is over %d requests a minute; told to wait %.0f s", user.id,
                    state.quota.per_minute, refusal.wait)
    if refusal.tell or update.callback_query or update.inline_query:
        await tell(update, replies.slow_down(refusal.wait))
    return False


async def answer_question(update: Update, context: Context, question: str) -> None:
    """Search for ``question`` and reply with the best quote, or say plainly that nothing answers."""
    state = bot_state(context)
    message = update.effective_message
    try:
        async with typing(context.bot, message.chat_id):
            result = await state.service.ask(question, 1 + replies.MORE_ANSWERS)
    except QuestionError as exc:
        await reply(message, html.escape(str(exc)))
        return
    if result.abstained and not await state.service.articles(1):  # "not found" would hide the reason
        await reply(message, replies.NO_NEWS)
        return
    await reply(message, *replies.answer(result))


async def on_private_text(update: Update, context: Context) -> None:
    """Any text in a private chat is a question."""
    if await admitted(update, context):
        await answer_question(update, context, update.effective_message.text)


async def on_not_text(update: Update, context: Context) -> None:
    """A sticker, photo, voice message or the like in a private chat: say what the bot can read."""
    if await admitted(update, context):
        await reply(update.effective_message, replies.TEXT_ONLY)


async def on_group_text(update: Update, context: Context) -> None:
    """Answer a group message that mentions the bot or replies to it; ignore the rest."""
    message = update.effective_message
    if not is_addressed(message, context.bot.id, context.bot.username) or not await admitted(update, context):
        return
    question = question_text(message, context.bot.username)
    if not question:
        await reply(message, replies.ASK_USAGE)
        return
    await answer_question(update, context, question)


async def on_ask(update: Update, context: Context) -> None:
    """/ask QUESTION, mainly for groups."""
    if not await admitted(update, context):
        return
    question = question_text(update.effective_message, context.bot.username)
    if not question:
        await reply(update.effective_message, replies.ASK_USAGE)
        return
    await answer_question(update, context, question)


async def on_start(update: Update, context: Context) -> None:
    """/start: what the bot does, with two example questions from what is indexed."""
    if not await admitted(update, context):
        return
    if context.args == ["sources"]:  # from the inline "nothing found" button
        await send_sources(update, context)
        return
    examples = await bot_state(context).service.examples(2)
    await reply(update.effective_message, replies.start(examples, context.bot.username))


async def on_help(update: Update, context: Context) -> None:
    """/help: the commands."""
    if await admitted(update, context):
        await reply(update.effective_message, replies.HELP)


async def on_sources(update: Update, context: Context) -> None:
    """/sources: the latest indexed articles."""
    if await admitted(update, context):
        await send_sources(update, context)


async def send_sources(update: Update, context: Context) -> None:
    articles = await bot_state(context).service.articles(SOURCES_SHOWN)
    await reply(update.effective_message, replies.sources(articles))


async def on_more(update: Update, context: Context) -> None:
    """The "More" button: re-ask the question the answer replied to and show the next answers."""
    query = update.callback_query
    message = query.message
    original = message.reply_to_message if isinstance(message, Message) else None
    question = question_text(original, context.bot.username) if original else ""
    if not question:
        await query.answer(replies.STALE, show_alert=True)
        return
    if not await admitted(update, context):
        return
    result = await bot_state(context).service.ask(question, 1 + replies.MORE_ANSWERS)
    if len(result.answers) <= 1:
        await query.answer(replies.ONLY_ANSWER)
        await message.edit_reply_markup(replies.context_buttons(result.answers) if result.answers else None)
        return
    await query.answer()
    text, keyboard = replies.more(result)
    if len(text) <= TELEGRAM_LIMIT:
        try:
            await message.edit_text(text, reply_markup=keyboard)
        except BadRequest as exc:  # a second tap before the first edit arrived: already shown
            if "not modified" not in exc.message:
                raise
    else:
        await message.edit_reply_markup(None)
        await reply(message, text, keyboard)


async def on_context(update: Update, context: Context) -> None:
    """The "Context" button: the sentences before and after the quote, from the same article."""
    query = update.callback_query
    if not isinstance(query.message, Message):  # too old to reply to, or a forged press
        await query.answer(replies.STALE, show_alert=True)
        return
    if not await admitted(update, context):
        return
    found = await bot_state(context).service.context(int(query.data.split(":", 1)[1]))
    await query.answer(None if found else replies.GONE)
    if found:
        await send_html(context.bot, query.message.chat.id, replies.context(*found),
                        reply_to=query.message.message_id)


async def on_inline(update: Update, context: Context) -> None:
    """Inline mode: the top answers as results that post the quote with its source line."""
    query = update.inline_query
    if not query.query.strip():
        await query.answer([], cache_time=300)
        return
    if not await admitted(update, context):
        return
    try:
        result = await bot_state(context).service.ask(query.query, replies.INLINE_ANSWERS)
    except QuestionError:
        await query.answer([], cache_time=300)
        return
    button = None if result.answers else InlineQueryResultsButton(text=replies.INLINE_NOTHING,
                                                                  start_parameter="sources")
    await query.answer(replies.inline_results(result), cache_time=60, button=button)


async def _refused(update: Update, context: Context, state: BotState, what: str) -> bool:
    """Log every non-admin attempt; tell them politely (within their quota) that adding is for admins."""
    user = update.effective_user
    if state.is_admin(user.id if user else None):
        return False
    logger.warning("refused %s from user %s (not in NEWSBOT_ADMINS)", what, user.id if user else None)
    if await admitted(update, context):
        await reply(update.effective_message, replies.ADD_REFUSED)
    return True


async def on_add(update: Update, context: Context) -> None:
    """/add SOURCE (admins): read a web page, feed or server path into the index."""
    state = bot_state(context)
    message = update.effective_message
    if await _refused(update, context, state, "/add"):
        return
    if not context.args:
        await reply(message, replies.ADD_USAGE)
        return
    await ingest_and_report(message, state, [" ".join(context.args)])


async def on_document(update: Update, context: Context) -> None:
    """A document sent to the bot (admins): save it beside the index and ingest it."""
    state = bot_state(context)
    message = update.effective_message
    if await _refused(update, context, state, "a document"):
        return
    document = message.document
    name = re.sub(r"[^\w.-]", "_", Path(document.file_name or "upload.txt").name)
    if not name.lower().endswith(replies.DOCUMENT_SUFFIXES):
        await reply(message, replies.DOCUMENT_TYPES)
        return
    if (document.file_size or 0) > MAX_DOCUMENT_BYTES:
        await reply(message, replies.DOCUMENT_TOO_BIG)
        return
    target = state.settings.db.parent / "uploads" / document.file_unique_id / name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        await (await document.get_file()).download_to_drive(target)
    except TelegramError as exc:  # expired or too big for getFile; the text may hold the file URL, never logged raw
        logger.warning("could not download document %s from user %s: %s", document.file_unique_id,
                       update.effective_user.id, type(exc).__name__)
        await reply(message, replies.DOWNLOAD_FAILED)
        return
    await ingest_and_report(message, state, [str(target)], outlet=message.caption or None)


async def ingest_and_report(message: Message, state: BotState, sources: list[str], *,
                            outlet: str | None = None) -> None:
    """Ingest with a progress message that is edited as files are read, and finally shows the counts."""
    status = await reply(message, replies.ingest_started(sources))
    latest: list[tuple[str, int, int]] = []  # appended by the ingest thread

    async def show_progress() -> None:
        shown = None
        while True:
            await asyncio.sleep(PROGRESS_EVERY)
            if latest and latest[-1] != shown:
                shown = latest[-1]
                with suppress(TelegramError):
                    await status.edit_text(replies.ingest_progress(*shown))

    ticker = asyncio.create_task(show_progress())
    try:
        report = await state.service.ingest(sources, outlet=outlet, progress=lambda *p: latest.append(p))
    except IndexBusyError:
        await status.edit_text(replies.BUSY)
        return
    except NewsbotError as exc:
        await status.edit_text(html.escape(str(exc)))
        return
    finally:
        ticker.cancel()
    logger.info("ingested %s: %s", sources, report.summary())
    await status.edit_text(replies.ingest_done(report))


async def refresh_feeds(context: Context) -> None:
    """Job: re-read NEWSBOT_FEEDS so new articles become answerable without a restart."""
    state = bot_state(context)
    if state.service.ingesting:
        logger.info("feed refresh skipped: an ingest is running")
        return
    try:
        report = await state.service.ingest(state.settings.feeds)
    except IndexBusyError:
        logger.info("feed refresh skipped: another process is ingesting")
        return
    logger.info("feeds refreshed: %s", report.summary())


async def on_unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have, in a private chat."""
    if await admitted(update, context):
        await reply(update.effective_message, "I don't know that command. " + replies.HELP)


async def on_stale_button(update: Update, context: Context) -> None:
    """Button data this bot does not make (an old version's, or forged): stop the spinner, say so."""
    await update.callback_query.answer(replies.STALE, show_alert=True)


async def on_error(update: object, context: Context) -> None:
    """Log the failure (the token never reaches the log) and tell the user something went wrong.

    Not when the Bot API itself failed: after a read timeout the reply may
    well have been delivered, so an apology would be a second, contradicting
    message, and after retries ran out it would not get through either.
    """
    error = context.error
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        logger.warning("Bot API unreachable, retrying: %s", error)
        return
    if not isinstance(update, Update):
        logger.error("background job failed", exc_info=error)
        return
    if isinstance(error, Overloaded):
        logger.warning("update %s refused: busy (%s)", update.update_id, error)
        with suppress(TelegramError):
            await tell(update, replies.OVERLOADED)
        return
    if isinstance(error, Forbidden) or (isinstance(error, NetworkError) and not isinstance(error, BadRequest)):
        logger.warning("update %s: the Bot API request failed (%s: %s); not repeated", update.update_id,
                       type(error).__name__, error)
        return
    logger.error("failed to handle update %s", update.update_id, exc_info=error)
    with suppress(TelegramError):
        await tell(update, replies.SORRY)


def add_handlers(application: Application) -> None:
    new = filters.UpdateType.MESSAGE  # edited messages are not asked again
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    for name, callback in (("start", on_start), ("help", on_help), ("ask", on_ask), ("sources", on_sources),
                           ("add", on_add)):
        application.add_handler(CommandHandler(name, callback, filters=new))
    # After the known commands, so only unknown ones land here.
    application.add_handler(MessageHandler(new & private & filters.COMMAND, on_unknown_command))
    application.add_handler(MessageHandler(new & private & filters.Document.ALL, on_document))
    application.add_handler(MessageHandler(new & private & filters.TEXT & ~filters.COMMAND, on_private_text))
    application.add_handler(MessageHandler(new & private & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_not_text))
    application.add_handler(MessageHandler(
        new & groups & filters.TEXT & ~filters.COMMAND & (filters.Entity(MessageEntity.MENTION) | filters.REPLY),
        on_group_text))
    application.add_handler(CallbackQueryHandler(on_more, pattern=f"^{replies.MORE}$"))
    application.add_handler(CallbackQueryHandler(on_context, pattern=rf"^{replies.CONTEXT}:\d{{1,18}}$"))
    application.add_handler(CallbackQueryHandler(on_stale_button))  # any other data
    application.add_handler(InlineQueryHandler(on_inline))
    application.add_error_handler(on_error)
