"""Keep secrets out of the logs, whatever a library decides to log.

python-telegram-bot logs the Bot API URL at DEBUG, and that URL contains the
bot token; an exception text may too.  File download URLs carry it
percent-encoded (``123%3AABC...``), so each secret is also matched in that
form.  A filter on every handler rewrites the record before it is written.
"""

from __future__ import annotations

import logging
from urllib.parse import quote


class RedactSecrets(logging.Filter):
    """Replace each secret in a record's message and traceback with ``[redacted]``."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        forms = {form for s in secrets if s for form in (s, quote(s, safe=""), quote(s))}
        self.secrets = sorted(forms, key=len, reverse=True)  # longest first: no form is left half-replaced

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


def redact_in_logs(*secrets: str | None) -> None:
    """Install the filter on every handler of the root logger (call after logging is configured)."""
    redactor = RedactSecrets([s for s in secrets if s])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
