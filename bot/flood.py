"""Outgoing flood control, and retries that make a flaky Bot API survivable.

python-telegram-bot's ``AIORateLimiter`` keeps the bot under Telegram's
message rates and, on a 429, pauses every request for ``retry_after`` before
retrying.  It does not retry network failures or 5xx answers; this subclass
does, with exponential backoff for up to ``give_up_after`` seconds (long
enough to carry an answer across a Bot API outage of half a minute), but
only when the request cannot have been half-done in a way that a retry
would duplicate.  A read timeout may mean the message was already sent, and
the Bot API has no idempotency key to ask, so it is not retried: an answer
is delivered at most once, and exactly once unless the timed-out request
never reached Telegram.  Chat actions bypass it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)

# "typing…" is cosmetic and is not a message: it must not spend the 30-messages-a-second
# budget that answers need, nor wait behind them (its failures are only logged).
UNLIMITED = frozenset({"sendChatAction"})


def is_transient(error: Exception) -> bool:
    """Worth retrying: a 5xx, a dropped or refused connection, or a timeout before sending."""
    if isinstance(error, BadRequest):
        return False
    if isinstance(error, TimedOut):
        return isinstance(error.__cause__, (httpx.ConnectTimeout, httpx.PoolTimeout))
    return isinstance(error, NetworkError)


class RetryingRateLimiter(AIORateLimiter):
    """Flood control plus retries: ``retry_after`` on 429, backoff on network errors and 5xx."""

    def __init__(self, *, max_retries: int = 3, give_up_after: float = 60.0, backoff: float = 0.5,
                 max_backoff: float = 8.0):
        super().__init__(max_retries=max_retries)
        self.give_up_after = give_up_after
        self.backoff = backoff
        self.max_backoff = max_backoff

    async def process_request(self, callback, args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: int | None):
        if endpoint in UNLIMITED:
            return await callback(*args, **kwargs)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.give_up_after
        delay = self.backoff
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as error:
                if not is_transient(error) or loop.time() + delay > deadline:
                    raise
                attempt += 1
                logger.warning("%s failed (%s); retry %d in %.1fs", endpoint, error, attempt, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
