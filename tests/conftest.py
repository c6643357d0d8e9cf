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


@pytest.fixture(scope="module")
def local_server():
    """A misbehaving HTTP server on 127.0.0.1 (see tests/local_server.py)."""
    from tests.local_server import LocalServer

    with LocalServer() as server:
        yield server
