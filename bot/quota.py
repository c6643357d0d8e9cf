"""How many requests one person may make per minute.

Searching costs CPU that every chat shares, and every reply spends the
30-messages-a-second budget Telegram gives the whole bot; a sliding window
per user keeps one busy (or hostile) user from slowing everyone else down.
A refused user is told so once per window and then ignored: replying
"slow down" to every message of a flood would spend the budget all the same.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """Over the limit: ``wait`` seconds until the next request is allowed; ``tell`` for the first refusal."""

    wait: float
    tell: bool


class QuestionQuota:
    """A sliding window of request times per user id."""

    def __init__(self, per_minute: int, *, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.window = window
        self.clock = clock
        self._asked: dict[int, deque[float]] = {}
        self._told: dict[int, float] = {}  # when each refused user was last told to wait

    def take(self, user_id: int) -> Refusal | None:
        """Count a request; ``None`` when allowed, else how long to wait and whether to say so."""
        if self.per_minute <= 0:
            return None
        now = self.clock()
        times = self._asked.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.per_minute:
            told = self._told.get(user_id)
            tell = told is None or now - told >= self.window
            if tell:
                self._told[user_id] = now
            return Refusal(self.window - (now - times[0]), tell)
        times.append(now)
        if len(self._asked) > 10_000:
            self._forget_idle(now)
        return None

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, t in self._asked.items() if not t or now - t[-1] >= self.window]:
            del self._asked[user_id]
            self._told.pop(user_id, None)
