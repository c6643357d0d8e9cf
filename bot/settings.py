"""All settings, read once from the environment (and ``.env`` by the entry point).

One frozen object; every variable is listed, with a comment, in
``.env.example``, and a test keeps the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


class SettingsError(ValueError):
    """One or more settings hold values that cannot be used."""


@dataclass(frozen=True)
class Settings:
    db: Path = Path("data/news.db")
    model: str | None = None
    backend: str = "auto"
    sources: tuple[str, ...] = ()
    min_score: float | None = None
    ingest_batch: int | None = None
    telegram_bot_token: str | None = field(default=None, repr=False)
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str | None = None
    admins: frozenset[int] = frozenset()
    feeds: tuple[str, ...] = ()
    refresh_minutes: float = 30.0
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    questions_per_minute: int = 20
    max_search_wait: float = 30.0
    allow_private_urls: bool = False
    log_level: str = "INFO"


ENV_NAMES = {
    "db": "NEWSBOT_DB",
    "model": "NEWSBOT_MODEL",
    "backend": "NEWSBOT_BACKEND",
    "sources": "NEWSBOT_SOURCES",
    "min_score": "NEWSBOT_MIN_SCORE",
    "ingest_batch": "NEWSBOT_INGEST_BATCH",
    "telegram_bot_token": "TELEGRAM_BOT_TOKEN",
    "telegram_api_base_url": "TELEGRAM_API_BASE_URL",
    "telegram_api_file_url": "TELEGRAM_API_FILE_URL",
    "admins": "NEWSBOT_ADMINS",
    "feeds": "NEWSBOT_FEEDS",
    "refresh_minutes": "NEWSBOT_REFRESH_MINUTES",
    "webhook_url": "NEWSBOT_WEBHOOK_URL",
    "webhook_listen": "NEWSBOT_WEBHOOK_LISTEN",
    "webhook_port": "NEWSBOT_WEBHOOK_PORT",
    "questions_per_minute": "NEWSBOT_QUESTIONS_PER_MINUTE",
    "max_search_wait": "NEWSBOT_MAX_SEARCH_WAIT",
    "allow_private_urls": "NEWSBOT_ALLOW_PRIVATE_URLS",
    "log_level": "NEWSBOT_LOG_LEVEL",
}


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _backend(value: str) -> str:
    from index.embed import BACKENDS

    if value not in BACKENDS:
        raise ValueError(value)
    return value


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.replace("\n", ",").split(",") if part.strip())


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from ``environ``; every bad value is named in one error."""
    env = dict(os.environ if environ is None else environ)
    raw = {name: env[var] for name, var in ENV_NAMES.items() if env.get(var, "").strip()}
    values: dict = {}
    problems: list[str] = []
    converters = {
        "db": Path, "model": str, "backend": _backend, "sources": _split, "feeds": _split,
        "min_score": float, "refresh_minutes": float, "webhook_port": int, "questions_per_minute": int,
        "max_search_wait": float, "ingest_batch": _positive,
        "admins": lambda v: frozenset(int(x) for x in _split(v)),
        "allow_private_urls": lambda v: {"1": True, "true": True, "yes": True, "0": False, "false": False,
                                         "no": False}[v.strip().lower()],
    }
    for name, value in raw.items():
        try:
            values[name] = converters.get(name, str)(value.strip())
        except (ValueError, KeyError):
            problems.append(f"{ENV_NAMES[name]}={value!r} is not valid")
    if problems:
        raise SettingsError("; ".join(problems))
    return Settings(**values)
