"""Shared fixtures: the real packaged model (loaded once), fresh indexes per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_ARTICLE = SHARED / "news" / "000_93e7a677f1d2b692.txt"

needs_shared = pytest.mark.skipif(not SEED_ARTICLE.exists(),
                                  reason=f"shared news material not found at {SHARED}")


@pytest.fixture(scope="session")
def embedder():
    from index.embed import Embedder

    return Embedder()


@pytest.fixture
def news_index(tmp_path, embedder):
    from index.engine import NewsIndex

    index = NewsIndex(tmp_path / "news.db", embedder=embedder)
    yield index
    index.close()


@pytest.fixture
def fixture_copy(tmp_path):
    """Copy a fixture into the test's folder, so tests may change it freely."""

    def copy(name: str) -> Path:
        target = tmp_path / "src" / name
        target.parent.mkdir(exist_ok=True)
        shutil.copy(FIXTURES / name, target)
        return target

    return copy


ADMIN_ID = 4242


@pytest.fixture
def fake_api():
    """A fake Telegram Bot API server on 127.0.0.1, driven by the test."""
    from tests.fakebotapi import FakeBotAPI

    with FakeBotAPI() as api:
        yield api


@pytest.fixture
def bot_index(tmp_path, embedder):
    """A small index of the fixture articles; fetching from 127.0.0.1 is allowed (test pages live there)."""
    from index.engine import NewsIndex
    from index.fetch import Fetcher

    index = NewsIndex(tmp_path / "bot" / "news.db", embedder=embedder, fetcher=Fetcher(allow_private=True))
    for sources, outlet in (([FIXTURES / "harbour.txt"], "LBC"),
                            ([FIXTURES / n for n in ("articles.jsonl", "bakery.txt", "markup.txt")], None)):
        report = index.ingest([str(s) for s in sources], outlet=outlet)
        assert not report.errors and not report.failed, report.errors
    yield index
    index.close()


@pytest.fixture
def start_bot(fake_api, bot_index):
    """Start the real bot against the fake server: ``start_bot(**settings)`` → RunningBot."""
    from bot.settings import Settings
    from tests.botrunner import RunningBot
    from tests.fakebotapi import TOKEN

    running = []

    def start(**overrides):
        values = {"db": bot_index.store.db_path, "telegram_bot_token": TOKEN,
                  "telegram_api_base_url": fake_api.base_url, "admins": frozenset({ADMIN_ID}),
                  "allow_private_urls": True, **overrides}
        bot = RunningBot(Settings(**values), bot_index, fake_api)
        running.append(bot)
        return bot.start()

    yield start
    for bot in running:
        bot.stop()
