"""Outgoing flood control, and retries that make a flaky Bot API survivable.

python-telegram-bot's ``AIORateLimiter`` keeps the bot under Telegram's
message rates and, on a 429, pauses every request for ``retry_after`` before
retrying.  It does not retry network failures or 5xx answers; this subclass
does, with exponential backoff, but only when the request cannot have been
half-done in a way that a retry would duplicate (a read timeout may mean the
message was already sent, so it is not retried).  Chat actions bypass it.
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

    def __init__(self, *, max_retries: int = 3, network_retries: int = 4, backoff: float = 0.5):
        super().__init__(max_retries=max_retries)
        self.network_retries = network_retries
        self.backoff = backoff

    async def process_request(self, callback, args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: int | None):
        if endpoint in UNLIMITED:
            return await callback(*args, **kwargs)
        delay = self.backoff
        for attempt in range(self.network_retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as error:
                if attempt == self.network_retries or not is_transient(error):
                    raise
                logger.warning("%s failed (%s); retry %d in %.1fs", endpoint, error, attempt + 1, delay)
                await asyncio.sleep(delay)
                delay *= 2
