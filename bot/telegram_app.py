"""The Telegram bot: build the python-telegram-bot Application and run it.

``newsbot run`` calls ``build_application`` then ``run_application``, and
the end-to-end tests do exactly the same against a fake Bot API server, so
what is tested is what runs.  Long polling by default; a webhook server when
NEWSBOT_WEBHOOK_URL is set.  SIGINT and SIGTERM stop it cleanly.
"""

from __future__ import annotations

import logging
import secrets
import signal
from collections.abc import Sequence
from urllib.parse import urlsplit

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, Defaults

from index.engine import NewsIndex

from .flood import RetryingRateLimiter
from .handlers import add_handlers, refresh_feeds
from .quota import QuestionQuota
from .service import IndexService
from .settings import Settings
from .state import BotState, install, uninstall

logger = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("start", "What I do, with example questions"),
    BotCommand("ask", "Ask a question about the news"),
    BotCommand("sources", "The latest articles I have read"),
    BotCommand("add", "Read a web page or feed (admins)"),
    BotCommand("help", "How to use me"),
]


def file_url(settings: Settings) -> str:
    """The Bot API file URL: as set, else derived from the base URL the way Telegram lays them out."""
    if settings.telegram_api_file_url:
        return settings.telegram_api_file_url
    base = settings.telegram_api_base_url
    return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base


def build_application(settings: Settings, index: NewsIndex) -> Application:
    """The bot with its handlers, flood control, defaults and (with NEWSBOT_FEEDS) the refresh job."""

    async def post_init(application: Application) -> None:
        service = IndexService(index, max_wait=settings.max_search_wait)
        install(application.bot_data, BotState(settings, service, QuestionQuota(settings.questions_per_minute)))
        await application.bot.set_my_commands(COMMANDS)
        logger.info("bot @%s is up", application.bot.username)

    async def post_shutdown(application: Application) -> None:
        state = uninstall(application.bot_data)
        if state is not None:
            state.service.close()

    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url(settings))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(RetryingRateLimiter())
        .concurrent_updates(True)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    add_handlers(application)
    if settings.feeds:
        application.job_queue.run_repeating(refresh_feeds, interval=settings.refresh_minutes * 60, first=0,
                                            name="refresh feeds")
    return application


def run_application(application: Application, settings: Settings, *,
                    stop_signals: Sequence[int] | None = (signal.SIGINT, signal.SIGTERM)) -> None:
    """Serve until SIGINT/SIGTERM (or ``stop_running``), then shut down cleanly.

    ``stop_signals=None`` is for running in a thread other than the main one.
    """
    if settings.webhook_url:
        application.run_webhook(
            listen=settings.webhook_listen, port=settings.webhook_port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"), webhook_url=settings.webhook_url,
            secret_token=secrets.token_urlsafe(32), allowed_updates=Update.ALL_TYPES, stop_signals=stop_signals)
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=stop_signals)
