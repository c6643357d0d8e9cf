"""Is an index whole?  The checks an ingest killed at any moment must pass.

Like fsck, this looks at the stored tables and the vector file from outside:
it opens the database without running migrations or writing meta, and rolls
back the one statement that needs a write transaction (FTS5's
``integrity-check`` is spelled as an INSERT).  A finding is either a
*problem* (the index is damaged: a sentence without its vector, an FTS entry
that does not match its sentence, an orphan row) or a *note* (a harmless,
expected state, such as vector rows an interrupted ingest wrote but never
committed, which the next ingest cuts off).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from .errors import IndexBusyError, NewsbotError
from .schema import migrations
from .store import text_hash
from .vectors import VectorFile

logger = logging.getLogger(__name__)

_SAMPLE = 5  # ids shown per problem, so a broken million-row index gives a readable list


@dataclass
class CheckReport:
    db_path: Path
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_index(db_path: Path | str) -> CheckReport:
    db_path = Path(db_path)
    if not db_path.is_file():
        raise NewsbotError(f"no index at {db_path}")
    report = CheckReport(db_path)
    conn = sqlite3.connect(str(db_path), timeout=30)
    try:
        _check_sqlite(conn, report)
        if report.problems:  # a damaged file makes the finer checks meaningless
            return report
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if "dim" not in meta or "model" not in meta:
            report.problems.append("meta table does not record the model and vector size")
            return report
        conn.execute("CREATE VIRTUAL TABLE temp.check_vocab USING fts5vocab(main, texts_fts, 'row')")
        conn.execute("BEGIN")  # one snapshot for every count below, even while an ingest runs
        report.counts = {name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                         for name in ("sources", "articles", "sentences", "texts")}
        texts = _check_texts(conn, report)
        _check_vectors(VectorFile(db_path.with_suffix(".vectors.f32"), int(meta["dim"])), texts, report)
        _check_sentences(conn, report)
        _check_articles(conn, report)
        _check_fts_rows(conn, report)
        _check_term_counts(conn, report)
        conn.rollback()
        _check_fts_content(conn, report)
    finally:
        conn.close()
    return report


def _ids(rows: list[tuple]) -> str:
    shown = ", ".join(str(r[0]) for r in rows[:_SAMPLE])
    return shown + (f" and {len(rows) - _SAMPLE} more" if len(rows) > _SAMPLE else "")


def _check_sqlite(conn: sqlite3.Connection, report: CheckReport) -> None:
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        report.problems.append(f"not a readable SQLite database: {exc}")
        return
    if result != ["ok"]:
        report.problems.extend(f"sqlite integrity_check: {line}" for line in result[:20])
    db = Database(conn)  # sqlite-utils reads its migrations table only: nothing here writes
    if migrations.applied(db) and (behind := [m.name for m in migrations.pending(db)]):
        report.problems.append(f"built by an older newsbot (not yet upgraded: {', '.join(behind)}); any newsbot "
                               "command that opens it, such as `newsbot stats`, upgrades it in place")
        return
    missing = {"meta", "articles", "sentences", "texts", "texts_fts"} - {
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if missing:
        report.problems.append(f"not a newsbot index: tables missing ({', '.join(sorted(missing))})")


def _check_texts(conn: sqlite3.Connection, report: CheckReport) -> int:
    """Texts must be numbered 0..n-1, since the id is the row in the vector file; returns n."""
    count, low, high = conn.execute("SELECT count(*), min(id), max(id) FROM texts").fetchone()
    if count and (low != 0 or high != count - 1):
        report.problems.append(f"texts ids are not 0..{count - 1} without gaps (they run {low}..{high})")
    unused = conn.execute("SELECT count(*) FROM texts t WHERE NOT EXISTS "
                          "(SELECT 1 FROM sentences s WHERE s.text_id = t.id)").fetchone()[0]
    if unused:
        report.notes.append(f"{unused} texts belong to no sentence (left by replaced articles; "
                            "their vector rows are kept because the file is append-only)")
    return 0 if high is None else high + 1


def _check_vectors(vectors: VectorFile, texts: int, report: CheckReport) -> None:
    rows, size = vectors.rows_on_disk(), vectors.bytes_on_disk()
    if rows < texts:
        report.problems.append(f"vector file {vectors.path.name} has {rows} rows but texts need {texts}: "
                               f"texts {rows}..{texts - 1} have no vector")
        return
    extra = size - texts * vectors.dim * 4
    if extra:
        report.notes.append(f"{extra / (vectors.dim * 4):g} uncommitted vector rows at the tail of "
                            f"{vectors.path.name} (an interrupted ingest; the next ingest cuts them off)")
    matrix = vectors.matrix(texts)
    bad: list[tuple[int]] = []
    for start in range(0, texts, 65536):
        block = np.asarray(matrix[start:start + 65536])
        broken = ~np.isfinite(block).all(axis=1) | ~block.any(axis=1)
        bad.extend((start + int(i),) for i in np.flatnonzero(broken))
    if bad:
        report.problems.append(f"{len(bad)} vector rows are zero or not finite (texts {_ids(bad)})")


def _check_sentences(conn: sqlite3.Connection, report: CheckReport) -> None:
    orphans = conn.execute("SELECT s.id FROM sentences s LEFT JOIN articles a ON a.id = s.article_id "
                           "WHERE a.id IS NULL").fetchall()
    if orphans:
        report.problems.append(f"{len(orphans)} sentences belong to no article (sentences {_ids(orphans)})")
    rows = conn.execute("SELECT s.id, s.text, t.hash FROM sentences s LEFT JOIN texts t ON t.id = s.text_id")
    no_text, wrong = [], []
    for sid, text, stored_hash in rows:
        if stored_hash is None:
            no_text.append((sid,))
        elif text_hash(text) != stored_hash:
            wrong.append((sid,))
    if no_text:
        report.problems.append(f"{len(no_text)} sentences point at no text row, so have no vector "
                               f"(sentences {_ids(no_text)})")
    if wrong:
        report.problems.append(f"{len(wrong)} sentences point at the text row (and vector) of another "
                               f"sentence (sentences {_ids(wrong)})")
    misflagged = conn.execute(
        "SELECT s.id FROM sentences s WHERE s.in_speech != EXISTS (SELECT 1 FROM quotes q "
        "WHERE q.article_id = s.article_id AND q.first_ordinal <= s.ordinal AND s.ordinal <= q.last_ordinal "
        "AND q.speaker IS NOT NULL AND q.act = 'speech')").fetchall()
    if misflagged:
        report.problems.append(f"{len(misflagged)} sentences are flagged in_speech against their article's quote "
                               f"records (sentences {_ids(misflagged)})")


def _check_articles(conn: sqlite3.Connection, report: CheckReport) -> None:
    miscounted = conn.execute(
        "SELECT a.article_id, a.sentence_count, count(s.id) FROM articles a "
        "LEFT JOIN sentences s ON s.article_id = a.id GROUP BY a.id HAVING count(s.id) != a.sentence_count"
    ).fetchall()
    if miscounted:
        shown = "; ".join(f"{aid}: {want} recorded, {have} stored" for aid, want, have in miscounted[:_SAMPLE])
        report.problems.append(f"{len(miscounted)} articles do not have the sentences they record ({shown})")
    sourceless = conn.execute("SELECT a.article_id FROM articles a LEFT JOIN sources src ON src.id = a.source_id "
                              "WHERE a.source_id IS NOT NULL AND src.id IS NULL").fetchall()
    if sourceless:
        report.problems.append(f"{len(sourceless)} articles name a source that is not stored ({_ids(sourceless)})")


def _check_fts_rows(conn: sqlite3.Connection, report: CheckReport) -> None:
    """The FTS index holds exactly the texts' rowids."""
    unindexed = conn.execute("SELECT id FROM texts EXCEPT SELECT id FROM texts_fts_docsize").fetchall()
    stale = conn.execute("SELECT id FROM texts_fts_docsize EXCEPT SELECT id FROM texts").fetchall()
    if unindexed:
        report.problems.append(f"{len(unindexed)} texts are missing from the keyword index "
                               f"(texts {_ids(unindexed)})")
    if stale:
        report.problems.append(f"{len(stale)} keyword index entries have no text (rowids {_ids(stale)})")


def _check_term_counts(conn: sqlite3.Connection, report: CheckReport) -> None:
    """The count of texts kept for each term (``term_texts``, written at ingest) is FTS5's own."""
    wrong = conn.execute(
        "SELECT term FROM (SELECT term, doc FROM temp.check_vocab EXCEPT SELECT term, texts FROM term_texts) "
        "UNION SELECT term FROM (SELECT term, texts FROM term_texts EXCEPT SELECT term, doc FROM temp.check_vocab)"
    ).fetchall()
    if wrong:
        report.problems.append(f"{len(wrong)} terms are counted in more or fewer texts than the keyword index "
                               f"holds them in (terms {_ids(wrong)})")


def _check_fts_content(conn: sqlite3.Connection, report: CheckReport) -> None:
    """Each FTS entry was built from its text's current words.

    FTS5 spells the check as an INSERT, so it runs in its own write
    transaction (waiting for an ingest's article to commit, not failing on a
    stale snapshot) and is rolled back.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise IndexBusyError(f"{report.db_path} stayed locked by a writer: {exc}") from exc
    try:
        conn.execute("INSERT INTO texts_fts(texts_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:  # SQLITE_CORRUPT_VTAB: "database disk image is malformed"
        report.problems.append(f"keyword index does not match the texts (FTS5 integrity-check: {exc})")
    finally:
        conn.rollback()
