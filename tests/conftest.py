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


@pytest.fixture(scope="session")
def bot_index_files(tmp_path_factory, embedder):
    """The fixture articles indexed once per session; each test gets its own copy."""
    from index.engine import NewsIndex

    folder = tmp_path_factory.mktemp("bot-index")
    index = NewsIndex(folder / "news.db", embedder=embedder)
    for sources, outlet in (([FIXTURES / "harbour.txt"], "LBC"),
                            ([FIXTURES / n for n in ("articles.jsonl", "bakery.txt", "markup.txt")], None)):
        report = index.ingest([str(s) for s in sources], outlet=outlet)
        assert not report.errors and not report.failed, report.errors
    index.close()
    return folder


@pytest.fixture
def bot_index(tmp_path, embedder, bot_index_files):
    """A fresh copy of the small fixture index; fetching from 127.0.0.1 is allowed (test pages live there)."""
    from index.engine import NewsIndex
    from index.fetch import Fetcher

    folder = tmp_path / "bot"
    shutil.copytree(bot_index_files, folder)
    index = NewsIndex(folder / "news.db", embedder=embedder, fetcher=Fetcher(allow_private=True))
    yield index
    index.close()


@pytest.fixture
def start_bot(fake_api, bot_index):
    """Start the real bot against the fake server: ``start_bot(**settings)`` → RunningBot, on the fixture
    index or on ``start_bot(index=...)`` (which the test closes after this fixture's teardown)."""
    from bot.settings import Settings
    from tests.botrunner import RunningBot
    from tests.fakebotapi import TOKEN

    running = []

    def start(index=None, **overrides):
        index = index or bot_index
        values = {"db": index.store.db_path, "telegram_bot_token": TOKEN,
                  "telegram_api_base_url": fake_api.base_url, "admins": frozenset({ADMIN_ID}),
                  "allow_private_urls": True, **overrides}
        bot = RunningBot(Settings(**values), index, fake_api)
        running.append(bot)
        return bot.start()

    yield start
    for bot in running:
        bot.stop()


@pytest.fixture
def page_server(tmp_path):
    """A plain web server on 127.0.0.1 serving a folder: ``(base URL, folder)``."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    folder = tmp_path / "site"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()

@pytest.fixture(scope="module")
def local_server():
    """A misbehaving HTTP server on 127.0.0.1 (see tests/local_server.py)."""
    from tests.local_server import LocalServer

    with LocalServer() as server:
        yield server
