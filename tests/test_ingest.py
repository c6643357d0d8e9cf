"""Ingest against the real model and real SQLite in a temporary folder."""

import shutil
import threading

import pytest

from index.errors import IndexBusyError


def snapshot(index):
    store = index.store
    rows = store.db.execute('SELECT a.key, s.ordinal, s.line, s.start, s."end", s.text FROM sentences s '
                            "JOIN articles a ON a.id = s.article_id ORDER BY a.key, s.ordinal").fetchall()
    return store.counts(), rows, store.vectors.rows_on_disk()


def test_ingest_twice_changes_nothing(news_index, fixture_copy):
    sources = [str(fixture_copy("harbour.txt")), str(fixture_copy("articles.jsonl")), str(fixture_copy("feed.xml"))]
    first = news_index.ingest(sources)
    assert (first.added, first.failed) == (5, 0)
    before = snapshot(news_index)
    second = news_index.ingest(sources)
    assert (second.added, second.updated, second.skipped, second.embedded) == (0, 0, 5, 0)
    assert snapshot(news_index) == before


def test_changed_article_replaces_its_sentences(news_index, fixture_copy):
    path = fixture_copy("harbour.txt")
    news_index.ingest([str(path)])
    path.write_text(path.read_text().replace("before winter", "before the summer"))
    report = news_index.ingest([str(path)])
    assert (report.added, report.updated) == (0, 1)
    texts = [r[0] for r in news_index.store.db.execute("SELECT text FROM sentences")]
    assert any("before the summer" in t for t in texts)
    assert not any("before winter" in t for t in texts)
    assert news_index.store.counts()["articles"] == 1


def test_same_text_in_two_outlets_is_embedded_once(news_index, tmp_path):
    wire = "The central bank raised interest rates by a quarter point on Thursday."
    (tmp_path / "a.txt").write_text(f"Outlet: Paper A\n\n{wire}\nIt was the third rise this year.\n")
    (tmp_path / "b.txt").write_text(f"Outlet: Paper B\n\n{wire}\nMarkets fell on the news.\n")
    report = news_index.ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert report.sentences == 4 and report.embedded == 3
    answer = news_index.ask("Did the central bank raise interest rates?").answers[0]
    assert answer.quote == wire
    assert {answer.source.outlet} | {s.outlet for s in answer.also_in} == {"Paper A", "Paper B"}


def test_furniture_is_never_indexed(news_index, fixture_copy):
    news_index.ingest([str(fixture_copy("harbour.txt"))])
    texts = [r[0] for r in news_index.store.db.execute("SELECT text FROM sentences")]
    fts = [r[0] for r in news_index.store.db.execute(
        "SELECT rowid FROM texts_fts WHERE texts_fts MATCH 'ferry OR advertisement OR share'")]
    assert not any(t.startswith(("Read more", "Advertisement", "Share this", "Maria Lopez")) for t in texts)
    assert fts == []


@pytest.mark.parametrize("name, content", [
    ("empty.txt", b""),
    ("binary.txt", bytes(range(256)) * 16),
    ("broken.html", b"<html><body><div><p></p></div></html>"),
    ("blank.jsonl", b"{not json}\n"),
])
def test_bad_sources_give_a_message_and_leave_the_index_unchanged(news_index, fixture_copy, tmp_path,
                                                                  name, content):
    news_index.ingest([str(fixture_copy("harbour.txt"))])
    before = snapshot(news_index)
    bad = tmp_path / name
    bad.write_bytes(content)
    report = news_index.ingest([str(bad)])
    assert report.failed == 1 and report.added == 0
    assert report.errors and name in report.errors[0]
    assert snapshot(news_index) == before


def test_non_utf8_file_is_decoded_and_indexed(news_index, tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Le maire a déclaré que le café resterait ouvert.".encode("latin-1"))
    assert news_index.ingest([str(path)]).added == 1
    # Asked in its own language: an English paraphrase of a French sentence is below the calibrated
    # "not found" threshold, and this test is about decoding, not about cross-lingual search.
    assert "café" in news_index.ask("Le café resterait-il ouvert, a déclaré le maire?").answers[0].quote


def test_failure_while_saving_leaves_the_index_as_before(news_index, fixture_copy, monkeypatch):
    news_index.ingest([str(fixture_copy("harbour.txt"))])
    before = snapshot(news_index)
    original = news_index.store.db.conn.executemany

    class Boom(RuntimeError):
        pass

    def fail_on_sentences(sql, *args):
        if sql.startswith("INSERT INTO sentences"):
            raise Boom("disk full")
        return original(sql, *args)

    monkeypatch.setattr(news_index.store.db, "conn", _ConnProxy(news_index.store.db.conn, fail_on_sentences))
    with pytest.raises(Boom):
        news_index.ingest([str(fixture_copy("bakery.txt"))])
    monkeypatch.undo()
    assert snapshot(news_index) == before
    assert news_index.ingest([str(fixture_copy("bakery.txt"))]).added == 1


class _ConnProxy:
    """The real sqlite3 connection, with ``executemany`` replaced (sqlite3 objects refuse setattr)."""

    def __init__(self, conn, executemany):
        self._conn, self.executemany = conn, executemany

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def __enter__(self):
        return self._conn.__enter__()

    def __exit__(self, *exc):
        return self._conn.__exit__(*exc)


def test_second_writer_is_refused_while_one_runs(news_index, fixture_copy):
    with news_index.store.writer():
        with pytest.raises(IndexBusyError):
            news_index.ingest([str(fixture_copy("harbour.txt"))])


def test_folder_ingest_reads_every_article(news_index, tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    from tests.conftest import FIXTURES

    for name in ("harbour.txt", "bakery.txt", "harbour.html"):
        shutil.copy(FIXTURES / name, folder / name)
    report = news_index.ingest([str(folder)])
    assert report.added == 3 and report.failed == 0


def test_each_ingest_leaves_the_keyword_index_in_one_segment(news_index, fixture_copy):
    """Each article is its own transaction, so FTS5 gains a segment per article; keyword search looks every
    word up in each segment until the ingest merges them."""
    def segments() -> int:
        return news_index.store.db.execute("SELECT count(DISTINCT segid) FROM texts_fts_idx").fetchone()[0]

    def harbour_texts() -> list[int]:
        return [r[0] for r in news_index.store.db.execute(
            "SELECT rowid FROM texts_fts WHERE texts_fts MATCH 'harbour' ORDER BY rowid")]

    news_index.ingest([str(fixture_copy("harbour.txt")), str(fixture_copy("articles.jsonl"))])
    assert segments() == 1
    news_index.ingest([str(fixture_copy("feed.xml"))])
    assert segments() == 1
    news_index.store.db.execute("INSERT INTO texts_fts(texts_fts) VALUES ('integrity-check')")
    expected = [r[0] for r in news_index.store.db.execute(
        "SELECT id FROM texts WHERE text LIKE '%harbour%' ORDER BY id")]
    assert expected and harbour_texts() == expected


def test_questions_this_store_answers_never_wait_on_the_merge(news_index, fixture_copy):
    """The bot ingests a feed in the process that answers: the merge must not hold the store's lock,
    which every question takes, for the seconds it lasts at a million sentences."""
    news_index.ingest([str(fixture_copy("harbour.txt")), str(fixture_copy("articles.jsonl"))])
    merged = threading.Event()
    with news_index.store._lock:  # a question being answered in another thread
        threading.Thread(target=lambda: (news_index.store.merge_keyword_index(), merged.set()), daemon=True).start()
        assert merged.wait(10)


def test_quote_records_of_older_rules_are_remade_at_the_next_ingest(news_index, fixture_copy):
    """An index whose quote records older rules made gets the current rules' records when its sources are read
    again, without embedding anything again; after that, reading them again skips them."""
    import sqlite3

    path = fixture_copy("quotes_verbs.txt")
    news_index.ingest([str(path)])
    # As the rules before session 14 left this article: version 1, and the sighed quote given to Quinn.
    with sqlite3.connect(news_index.store.db_path) as conn:
        conn.execute("UPDATE articles SET attributed = 1")
        conn.execute("UPDATE quotes SET speaker = 'Quinn' WHERE text LIKE 'Not this year%'")
    report = news_index.ingest([str(path)])
    assert (report.added, report.updated, report.skipped, report.embedded) == (0, 1, 0, 0)
    speakers = news_index.store.db.execute("SELECT speaker FROM quotes WHERE text LIKE 'Not this year%'").fetchall()
    assert speakers == [("Tom Ellery",)]
    again = news_index.ingest([str(path)])
    assert (again.updated, again.skipped) == (0, 1)
