"""`newsbot check` finds each kind of damage, and only damage."""

import shutil
import sqlite3

import numpy as np
import pytest

from index.check import check_index
from index.errors import NewsbotError
from index.store import Store
from index.vectors import VectorFile
from tests.conftest import FIXTURES
from tests.test_cli import newsbot


@pytest.fixture(scope="module")
def built(tmp_path_factory, embedder):
    from index.engine import NewsIndex

    folder = tmp_path_factory.mktemp("built")
    index = NewsIndex(folder / "news.db", embedder=embedder)
    index.ingest([str(FIXTURES / "harbour.txt"), str(FIXTURES / "articles.jsonl"), str(FIXTURES / "bakery.txt")])
    index.close()
    return folder / "news.db"


@pytest.fixture
def db(built, tmp_path):
    """A private copy of the built index, free to damage."""
    target = tmp_path / "news.db"
    shutil.copy(built, target)
    shutil.copy(built.with_suffix(".vectors.f32"), target.with_suffix(".vectors.f32"))
    return target


def damage(db, *statements):
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys=OFF")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def vectors(db) -> VectorFile:
    return VectorFile(db.with_suffix(".vectors.f32"), 384)


def test_a_fresh_index_passes(db):
    report = check_index(db)
    assert report.ok, report.problems
    assert report.counts["articles"] == 4 and report.counts["sentences"] > 10
    assert report.counts["texts"] == vectors(db).rows_on_disk()


def test_uncommitted_tail_rows_are_a_note_not_damage(db):
    row_bytes = 384 * 4
    with open(db.with_suffix(".vectors.f32"), "ab") as fh:
        fh.write(b"\x01" * (2 * row_bytes + 100))  # two rows and a torn third, as a kill mid-write leaves
    report = check_index(db)
    assert report.ok, report.problems
    assert any("uncommitted vector rows" in n for n in report.notes)


def test_torn_tail_row_is_cut_and_the_next_append_works(db):
    file = vectors(db)
    rows = file.rows_on_disk()
    with open(file.path, "ab") as fh:
        fh.write(b"\x01" * 100)
    file.append(np.ones((1, 384), dtype=np.float32), at_row=rows)
    assert file.bytes_on_disk() == (rows + 1) * 384 * 4


@pytest.mark.parametrize("statements, expected", [
    (["DELETE FROM articles WHERE id = 1"], "belong to no article"),
    (["UPDATE articles SET sentence_count = sentence_count + 1 WHERE id = 2"], "do not have the sentences"),
    (["DELETE FROM texts WHERE id = 1"], "point at no text row"),
    (["DELETE FROM texts WHERE id = 1"], "texts ids are not 0.."),
    (["UPDATE sentences SET text_id = (text_id + 1) % (SELECT count(*) FROM texts) WHERE id = 3"],
     "point at the text row (and vector) of another"),
    (["INSERT INTO texts_fts(texts_fts, rowid, text) SELECT 'delete', id, text FROM texts WHERE id = 4"],
     "missing from the keyword index"),
    (["DELETE FROM texts WHERE id = 5"], "keyword index entries have no text"),
    (["DELETE FROM texts WHERE id = 5"], "FTS5 integrity-check"),
    (["UPDATE texts SET text = 'The zeppelin landed.' WHERE id = 6"], "FTS5 integrity-check"),
    (["UPDATE term_texts SET texts = texts + 1 WHERE term = (SELECT min(term) FROM term_texts)"],
     "terms are counted in more or fewer texts"),
    (["DELETE FROM term_texts WHERE term = (SELECT max(term) FROM term_texts)"],
     "terms are counted in more or fewer texts"),
    (["UPDATE sentences SET in_speech = 1 - in_speech WHERE id = 2"], "flagged in_speech"),
    (["DELETE FROM quotes WHERE id = (SELECT min(id) FROM quotes WHERE speaker IS NOT NULL AND act = 'speech')"],
     "flagged in_speech"),
    (["DELETE FROM sources"], "name a source that is not stored"),
    (["DELETE FROM meta"], "meta table"),
])
def test_each_kind_of_damage_is_named(db, statements, expected):
    damage(db, *statements)
    report = check_index(db)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems


def test_missing_and_zeroed_vector_rows_are_named(db):
    path = db.with_suffix(".vectors.f32")
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.write(b"\x00" * 384 * 4)  # row 0 zeroed
    assert any("texts 0" in p and "zero" in p for p in check_index(db).problems)
    with open(path, "r+b") as fh:
        fh.truncate(size - 384 * 4)
    assert any("have no vector" in p for p in check_index(db).problems)


def test_a_file_that_is_not_a_database_is_a_problem_and_a_missing_one_an_error(db, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    assert not check_index(junk).ok
    with pytest.raises(NewsbotError, match="no index"):
        check_index(tmp_path / "absent.db")


def test_an_index_an_older_newsbot_built_is_named_so_and_passes_once_opened(db):
    damage(db, "ALTER TABLE sentences DROP COLUMN in_speech",
           "DELETE FROM _sqlite_migrations WHERE name = 'm005_sentences_in_speech'")
    older = check_index(db)
    assert older.problems == [older.problems[0]] and "older newsbot" in older.problems[0]
    assert "m005_sentences_in_speech" in older.problems[0]

    with sqlite3.connect(db) as conn:
        model = dict(conn.execute("SELECT key, value FROM meta").fetchall())["model"]
    Store(db, model, 384).close()  # what any command does on opening it
    report = check_index(db)
    assert report.ok, report.problems


def test_check_command_exit_codes(db):
    good = newsbot("check", db=db)
    assert good.returncode == 0 and "index ok" in good.stdout, good.stderr
    damage(db, "UPDATE articles SET sentence_count = 99 WHERE id = 1")
    bad = newsbot("check", db=db)
    assert bad.returncode == 1
    assert "problem: 1 articles do not have the sentences they record" in bad.stderr
