"""Keyword side of search: terms stemmed as the index stems, stored counts, the cost budget, coverage.

Real SQLite and FTS5 throughout; the vectors are random (no model needed), since only words matter here.
"""

import math
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from sqlite_utils import Database

from index.check import check_index
from index.hybrid import coverage, keyword_match, keywords, search_words
from index.models import Article, Sentence
from index.schema import migrations
from index.store import Store, content_hash, text_hash

DIM = 8
LINES = ["The council is borrowing money to mend the harbour wall.",
         "Harbour fees rose twice this year, the council said.",
         "Fishermen said the harbour was busier than ever.",
         "A ferry strike closed the harbour on Monday.",
         "The e_mail from the mayor's office mentioned the ferry.",
         "Bakers in the old town sold out of bread by noon."]


def add_article(store: Store, tag: str, lines: list[str], replace_rowid: int | None = None) -> None:
    text = "\n".join(lines)
    sentences, start = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(ordinal=i, line=i + 1, start=start, end=start + len(line), text=line))
        start += len(line) + 1
    known = store.known_text_ids(text_hash(t) for t in lines)
    new = {text_hash(t): t for t in lines if text_hash(t) not in known}
    vectors = np.random.default_rng(len(tag)).standard_normal((len(new), DIM)).astype(np.float32)
    with store.writer():
        store.save_article(key="id:" + tag, article=Article(text=text, source_id=tag), chash=content_hash(text),
                           source=(tag, "file"), sentences=sentences, new_texts=new,
                           new_vectors=vectors / np.linalg.norm(vectors, axis=1, keepdims=True),
                           replace_rowid=replace_rowid)


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "words.db", "synthetic", DIM)
    add_article(store, "a", LINES)
    yield store
    store.close()


def fts_count(db_path: Path, word: str) -> int:
    """The reference: FTS5 itself counting the texts that match the word."""
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT count(*) FROM texts_fts WHERE texts_fts MATCH ?", [f'"{word}"']).fetchone()[0]


def test_terms_are_the_index_own_terms(store):
    stored = {}
    with sqlite3.connect(store.db_path) as db:
        db.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, texts_fts, 'instance')")
        for term, doc in db.execute("SELECT term, doc FROM temp.v"):
            stored.setdefault(doc, set()).add(term)
        ids = [row[0] for row in db.execute("SELECT id FROM texts ORDER BY id")]
    assert store.terms.of(LINES) == [frozenset(stored[i]) for i in ids]
    # Each call starts empty: nothing of the lines above is left in the scratch index.
    assert store.terms.of(["borrowing"]) == [frozenset({"borrow"})]


def test_term_counts_match_fts5_and_follow_every_writer(store, tmp_path):
    words = ["harbour", "ferry", "borrowed", "council", "e_mail", "zeppelin"]
    total, counts = store.term_counts(words)
    assert total == len(LINES)
    assert counts == {w: fts_count(store.db_path, w) for w in words} | {"e_mail": 1}
    assert counts["harbour"] == 4 and counts["borrowed"] == 1 and counts["zeppelin"] == 0

    other = Store(store.db_path, "synthetic", DIM)  # another process's connection adds an article
    add_article(other, "b", ["A zeppelin flew over the harbour.", "The ferry waited."])
    other.close()
    total, counts = store.term_counts(words)
    assert total == len(LINES) + 2 and counts["zeppelin"] == 1 and counts["harbour"] == 5

    add_article(store, "c", ["Another zeppelin landed."])  # and this store's own write
    assert store.term_counts(["zeppelin"]) == (len(LINES) + 3, {"zeppelin": 2})
    add_article(store, "a", LINES[:5] + ["The zeppelin bakery opened."], replace_rowid=1)
    # The replaced sentence's text stays in the keyword index (texts are never deleted), and in the counts.
    assert store.term_counts(["zeppelin", "bakers"]) == (len(LINES) + 4, {"zeppelin": 3, "bakers": 1})
    assert check_index(store.db_path).ok  # every stored count is FTS5's own


def test_a_syndicated_text_is_one_keyword_row(store):
    copy = [LINES[0], LINES[3], "Ferry passengers were stranded overnight."]
    add_article(store, "wire", copy)
    found = store.keyword_search('"ferry" OR "harbour"', 100)
    texts = dict(store.db.execute("SELECT text, id FROM texts").fetchall())
    assert sorted(t for t, _ in found) == sorted(texts[line] for line in [*LINES[:5], copy[2]])
    assert store.term_counts(["harbour", "ferry"]) == (len(LINES) + 1, {"harbour": 4, "ferry": 3})


def test_a_replaced_sentence_leaves_no_keyword_hit(store):
    changed = LINES[:5] + ["Bakers in the old town kept their prices."]
    add_article(store, "a", changed, replace_rowid=1)
    hits = {t for t, _ in store.keyword_search('"bakers"', 10)}
    assert hits == {dict(store.db.execute("SELECT text, id FROM texts").fetchall())[changed[5]]}


def index_before(path: Path, migration: str) -> Database:
    """A database as an older version left it: the migrations before ``migration``, and its meta rows."""
    old = Database(path)
    migrations.apply(old, stop_before=migration)
    old.execute("INSERT INTO meta(key, value) VALUES ('model', 'synthetic'), ('dim', ?)", [str(DIM)])
    return old


def old_index(path: Path, migration: str) -> Database:
    """Two articles over three texts (the second repeats the first's opening line), written as a version
    from before ``migration`` wrote them; committed, and left open for the caller's own checks."""
    old = index_before(path, migration)
    old.execute("INSERT INTO articles(id, key, article_id, content_hash, ingested_at, sentence_count) "
                "VALUES (1, 'id:a', 'a', 'h', 'now', 3), (2, 'id:b', 'b', 'h2', 'now', 1)")
    old.execute("INSERT INTO texts(id, hash, text) VALUES (0, 'h0', ?), (1, 'h1', ?), (2, 'h2', ?)", LINES[:3])
    old.execute('INSERT INTO sentences(article_id, ordinal, line, start, "end", text_id, text) VALUES '
                "(1, 0, 1, 0, 1, 0, ?), (1, 1, 2, 0, 1, 1, ?), (1, 2, 3, 0, 1, 2, ?), (2, 0, 1, 0, 1, 0, ?)",
                [*LINES[:3], LINES[0]])
    old.conn.commit()
    np.random.default_rng(0).standard_normal((3, DIM)).astype("<f4").tofile(path.with_suffix(".vectors.f32"))
    return old


def test_an_index_from_before_m004_moves_its_keywords_to_texts(tmp_path):
    path = tmp_path / "old.db"
    old = old_index(path, "m004_keyword_index_of_texts")
    assert old.execute("SELECT count(*) FROM sentences_fts").fetchone()[0] == 4
    old.close()

    store = Store(path, "synthetic", DIM)
    tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
    assert "sentences_fts" not in tables and {"texts_fts", "texts_ai"} <= tables
    assert sorted(t for t, _ in store.keyword_search('"harbour"', 10)) == [0, 1, 2]
    assert store.term_counts(["council"]) == (3, {"council": 2})
    store.db.execute("INSERT INTO texts_fts(texts_fts, rank) VALUES ('integrity-check', 1)")  # raises if not
    store.close()


def test_an_index_from_before_m006_counts_its_terms_from_the_keyword_index(tmp_path):
    path = tmp_path / "old.db"
    old_index(path, "m006_term_texts").close()

    store = Store(path, "synthetic", DIM)
    assert store.term_counts(["harbour", "council", "borrowed", "zeppelin"]) == (
        3, {"harbour": 3, "council": 2, "borrowed": 1, "zeppelin": 0})
    add_article(store, "c", ["A zeppelin flew over the harbour."])
    assert store.term_counts(["harbour", "zeppelin"]) == (4, {"harbour": 4, "zeppelin": 1})
    store.close()


def test_keyword_match_takes_the_rarest_words_within_the_budgets(store):
    def match(question: str, **budgets) -> str | None:
        words = search_words(question)
        return keyword_match(words, store.term_counts(words)[1], **budgets)

    question = "Did the harbour ferry strike close the council office?"
    everything = match(question, budget=100)
    assert everything == '"harbour" OR "ferry" OR "strike" OR "close" OR "council" OR "office"'
    # strike, close, office (1 sentence each), ferry (2) fit in 5; council (2) and harbour (4) no longer do.
    # The words keep the question's order.
    assert match(question, budget=5) == '"ferry" OR "strike" OR "close" OR "office"'
    assert match(question, budget=100, terms=2) == '"strike" OR "close"'  # rarest, ties in order
    assert match("harbour harbour", budget=3) is None
    assert match("zeppelin", budget=100) == '"zeppelin"'  # counted absent: free to search


def test_coverage_is_the_rarity_weighted_share_of_words_held(store):
    question = "Is the council borrowing for the harbour?"
    texts = dict(enumerate(LINES))
    covered = coverage(store, question, texts, store.term_counts(search_words(question)))
    total, counts = store.term_counts(keywords(question))
    idf = {w: math.log(1 + (total - counts[w] + 0.5) / (counts[w] + 0.5)) for w in keywords(question)}
    assert covered[0] == pytest.approx(1.0)  # council, borrowing (as "borrow"), harbour
    assert covered[1] == pytest.approx((idf["council"] + idf["harbour"]) / sum(idf.values()))
    assert covered[5] == 0.0
    assert coverage(store, "the of and", texts, store.term_counts(search_words("the of and"))) == {
        i: 0.0 for i in texts}


def test_a_question_reads_its_term_counts_once(news_index, fixture_copy):
    """The keyword match and confidence weigh the same words by the same counts: one lookup serves both."""
    news_index.ingest([str(fixture_copy("harbour.txt"))])
    statements: list[str] = []
    news_index.store.db.conn.set_trace_callback(statements.append)
    found = news_index.ask("How much is the council borrowing for the harbour?")
    news_index.store.db.conn.set_trace_callback(None)
    assert found.answers[0].quote == "The council agreed to borrow £4 million to pay for the repairs."
    assert len([s for s in statements if "FROM term_texts" in s]) == 1
