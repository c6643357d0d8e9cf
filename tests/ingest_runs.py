"""Helpers for crash tests: a generated corpus, `newsbot ingest` as a killable process, snapshots.

Used by tests/test_crash_safety.py (a few kills, in make test) and
tests/stress/ (twenty kills over a large ingest, in make stress).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
_NAMES = ["Ann Tate", "Raj Patel", "Mia Chen", "Tom Reid", "Lena Fox", "Omar Said", "Eva Ruiz", "Sam Cole"]
_NOUNS = ["bridge", "school", "ferry", "hospital", "library", "harbour", "railway", "market", "stadium", "pool"]
_PLACES = ["Oban", "Leith", "Ayr", "Perth", "Wick", "Troon", "Elgin", "Largs", "Alloa", "Nairn"]
_VERBS = ["reopen", "close", "expand", "shrink", "move", "modernise", "merge", "rebuild"]
WIRE = "The regional council confirmed the figures in a statement on Friday."


def write_corpus(folder: Path, articles: int, seed: int = 7) -> list[str]:
    """Plain-text articles of 6-12 sentences each; every fifth repeats a wire sentence (embedded once)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(articles):
        place, noun = rng.choice(_PLACES), rng.choice(_NOUNS)
        body = []
        for s in range(rng.randint(6, 12)):
            body.append(f"{rng.choice(_NAMES)} said the {rng.choice(_NOUNS)} in {rng.choice(_PLACES)} would "
                        f"{rng.choice(_VERBS)} by {rng.randint(2, 99)} percent before {1990 + n % 40 + s}.")
        if n % 5 == 0:
            body.insert(1, WIRE)
        (folder / f"gen_{n:04d}.txt").write_text(
            f"Title: {noun.title()} plan for {place} number {n}\nOutlet: Generated Gazette\n"
            f"Date: 2025-{1 + n % 12:02d}-{1 + n % 28:02d}\n\n" + "\n\n".join(body) + "\n")
    return [str(folder)]


def newsbot_env(db: Path) -> dict[str, str]:
    # Flushes of 512 new texts, so kills land in several flushes of these corpora, not after a single one.
    return {**os.environ, "NEWSBOT_DB": str(db), "NEWSBOT_LOG_LEVEL": "INFO", "NEWSBOT_INGEST_BATCH": "512",
            "PYTHONPATH": str(ROOT)}


def newsbot_check(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", "check"], capture_output=True, text=True,
                          env=newsbot_env(db), timeout=300, cwd=ROOT)


def ingest_to_end(db: Path, sources: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", "ingest", *sources], capture_output=True, text=True,
                          env=newsbot_env(db), timeout=3600, cwd=ROOT)


class IngestProcess:
    """`newsbot ingest` in the background; ``ready`` is set once the model is loaded and ingest begins."""

    def __init__(self, db: Path, sources: list[str]):
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", *sources], env=newsbot_env(db),
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.ready = threading.Event()
        self.stderr: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line)
            if "loaded embedding model" in line:
                self.ready.set()
        self.ready.set()  # ended (or died) before saying so

    def kill_at(self, db: Path, articles: int, jitter: float) -> bool:
        """SIGKILL ``jitter`` seconds after ``articles`` articles are committed; False if it finished first."""
        if not self.ready.wait(300):
            raise TimeoutError("newsbot ingest did not start within 300 s")
        while self.proc.poll() is None and committed_articles(db) < articles:
            time.sleep(0.02)
        time.sleep(jitter)
        if self.proc.poll() is not None:
            return False
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._reader.join(10)
        return True

    def wait(self) -> int:
        code = self.proc.wait()
        self._reader.join(10)
        return code


def committed_articles(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0
    finally:
        conn.close()


def snapshot(db: Path) -> dict:
    """Everything an ingest decides, without timestamps: counts, articles, sentences, texts, vectors."""
    conn = sqlite3.connect(db)
    try:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("sources", "articles", "sentences", "texts")}
        articles = conn.execute("SELECT key, article_id, title, outlet, published, content_hash, sentence_count "
                                "FROM articles ORDER BY key").fetchall()
        sentences = conn.execute('SELECT a.key, s.ordinal, s.line, s.start, s."end", s.text, t.hash FROM sentences s '
                                 "JOIN articles a ON a.id = s.article_id JOIN texts t ON t.id = s.text_id "
                                 "ORDER BY a.key, s.ordinal").fetchall()
        texts = conn.execute("SELECT id, hash FROM texts ORDER BY id").fetchall()
        dim = int(conn.execute("SELECT value FROM meta WHERE key = 'dim'").fetchone()[0])
    finally:
        conn.close()
    vectors = db.with_suffix(".vectors.f32")  # absent if killed before the first article was embedded
    raw = np.fromfile(vectors, dtype="<f4") if vectors.exists() else np.zeros(0, dtype="<f4")
    return {"counts": counts, "articles": articles, "sentences": sentences, "texts": texts,
            "vectors": raw[: counts["texts"] * dim].reshape(-1, dim)}


def assert_same_index(got: dict, want: dict) -> None:
    for key in ("counts", "articles", "sentences", "texts"):
        assert got[key] == want[key], f"{key} differ from the uninterrupted run"
    # Same texts in the same rows. The floats themselves differ: a resumed run batches texts differently, and
    # bfloat16 rounding depends on a text's batch (padding), so each row must keep its direction: a vector in
    # the wrong row would be another sentence's, at cosine far below this.
    assert got["vectors"].shape == want["vectors"].shape
    assert (got["vectors"] * want["vectors"]).sum(axis=1).min(initial=1.0) >= 0.999


@dataclass
class KillLog:
    kills: int = 0
    finished_early: int = 0
    checks_passed: int = 0
    before_index: int = 0
    torn_tails: int = 0
    articles_at_kill: list[int] = field(default_factory=list)
    seconds: float = 0.0


def kill_repeatedly(db: Path, sources: list[str], targets: list[int], rng: random.Random,
                    max_jitter: float = 1.0) -> KillLog:
    """For each target: start an ingest, SIGKILL it a random 0-``max_jitter`` s after that many articles are
    committed (so inside embedding, the vector write or the transaction), then `newsbot check`.

    A run that finishes before its kill is counted, not a kill.
    """
    log = KillLog()
    started = time.monotonic()
    for target in targets:
        run = IngestProcess(db, sources)
        if not run.kill_at(db, target, rng.uniform(0, max_jitter)):
            assert run.proc.returncode == 0, "".join(run.stderr)
            log.finished_early += 1
            continue
        log.kills += 1
        if not db.exists():  # killed while the index was not yet created: nothing to check
            log.before_index += 1
            continue
        check = newsbot_check(db)
        assert check.returncode == 0, f"check failed after kill {log.kills}:\n{check.stdout}\n{check.stderr}"
        log.checks_passed += 1
        log.torn_tails += "uncommitted vector rows" in check.stdout
        log.articles_at_kill.append(committed_articles(db))
    log.seconds = time.monotonic() - started
    return log
