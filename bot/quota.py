"""How many questions one person may ask per minute.

Searching costs CPU that every chat shares; a sliding window per user keeps
one busy user from slowing everyone else down.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class QuestionQuota:
    """A sliding window of question times per user id."""

    def __init__(self, per_minute: int, *, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.window = window
        self.clock = clock
        self._asked: dict[int, deque[float]] = {}

    def take(self, user_id: int) -> float:
        """Count a question; returns 0, or the seconds to wait when the user is over the limit."""
        if self.per_minute <= 0:
            return 0.0
        now = self.clock()
        times = self._asked.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.per_minute:
            return self.window - (now - times[0])
        times.append(now)
        if len(self._asked) > 10_000:
            self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, t in self._asked.items() if not t or now - t[-1] >= self.window]:
            del self._asked[user_id]
