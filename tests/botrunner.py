"""Run the real bot in a background thread, started exactly as ``newsbot run`` starts it.

``run_application`` is the production entry point; the only difference is
``stop_signals=None`` (signal handlers can only be installed on the main
thread) and stopping through ``Application.stop_running`` instead of SIGTERM.
"""

from __future__ import annotations

import asyncio
import threading
import time

from bot.settings import Settings
from bot.telegram_app import build_application, run_application
from tests.fakebotapi import FakeBotAPI


class RunningBot:
    def __init__(self, settings: Settings, index, api: FakeBotAPI):
        self.settings = settings
        self.api = api
        self.application = build_application(settings, index)
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="bot", daemon=True)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        try:
            run_application(self.application, self.settings, stop_signals=None)
        except BaseException as exc:  # reported by start() or stop()
            self.error = exc

    def start(self, timeout: float = 30.0) -> RunningBot:
        """Start, and return once the bot is serving (polling, or its webhook is set)."""
        started = time.monotonic()
        self._thread.start()
        ready = "setWebhook" if self.settings.webhook_url else "getUpdates"
        while not any(c.method == ready for c in self.api.calls) or not self.application.running:
            if self.error is not None or not self._thread.is_alive():
                raise RuntimeError("the bot stopped while starting") from self.error
            if time.monotonic() - started > timeout:
                raise TimeoutError("the bot did not start")
            time.sleep(0.02)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        if self._loop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self.application.stop_running)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError("the bot did not stop")
        if self.error is not None:
            raise self.error
