"""``sentences.in_speech``: the flag "who said" ranking reads instead of joining every candidate to the quotes.

It must say exactly what the quote records say, after an ingest, after an article is replaced, and after an
index from before the flag is upgraded.
"""

from index.store import Store
from tests.test_keywords import DIM, LINES, index_before

RANGE_JOIN = ("SELECT DISTINCT s.text_id FROM sentences s JOIN quotes q ON q.article_id = s.article_id "
              "AND q.first_ordinal <= s.ordinal AND s.ordinal <= q.last_ordinal "
              "WHERE q.speaker IS NOT NULL AND q.act = 'speech'")


def all_text_ids(store: Store) -> list[int]:
    return [r[0] for r in store.db.execute("SELECT id FROM texts")]


def test_the_flag_is_the_quote_records_after_an_ingest(news_index, fixture_copy):
    news_index.ingest([str(fixture_copy(name)) for name in ("quotes_pronoun.txt", "quotes_title.txt",
                                                             "quotes_none.txt", "harbour.txt")])
    store = news_index.store
    reference = {r[0] for r in store.db.execute(RANGE_JOIN)}
    assert reference and len(reference) < len(all_text_ids(store))
    assert store.attributed_texts(all_text_ids(store)) == reference


def test_a_replaced_article_takes_its_flags_with_it(news_index, fixture_copy):
    path = fixture_copy("quotes_pronoun.txt")
    news_index.ingest([str(path)])
    store = news_index.store
    middle = store.db.execute("SELECT text_id FROM sentences WHERE text = 'It will be finished by 2027.'").fetchone()[0]
    assert middle in store.attributed_texts([middle])

    path.write_text(path.read_text().replace('," she said.', '."'))
    assert news_index.ingest([str(path)]).updated == 1
    assert store.texts_of([middle])  # the sentence still stands, now in a quotation nobody is named for
    assert store.attributed_texts([middle]) == set()


def test_an_index_from_before_the_flag_is_flagged_from_its_quotes(tmp_path):
    path = tmp_path / "old.db"
    old = index_before(path, "m005_sentences_in_speech")
    old.execute("INSERT INTO articles(id, key, article_id, content_hash, ingested_at, sentence_count, attributed) "
                "VALUES (1, 'id:a', 'a', 'h', 'now', 4, 1)")
    old.execute("INSERT INTO texts(id, hash, text) VALUES (0, 'h0', ?), (1, 'h1', ?), (2, 'h2', ?), (3, 'h3', ?)",
                LINES[:4])
    old.execute('INSERT INTO sentences(article_id, ordinal, line, start, "end", text_id, text) VALUES '
                "(1, 0, 1, 0, 1, 0, ?), (1, 1, 2, 0, 1, 1, ?), (1, 2, 3, 0, 1, 2, ?), (1, 3, 4, 0, 1, 3, ?)", LINES[:4])
    old.execute("INSERT INTO quotes(article_id, first_ordinal, last_ordinal, line, speaker, mention, cue, act, kind, "
                "resolved_by, text) VALUES "
                "(1, 1, 2, 2, 'Ann Lee', 'she', 'said', 'speech', 'direct', 'pronoun', 'q'), "
                "(1, 3, 3, 4, 'Ann Lee', 'she', 'wants', 'stance', 'indirect', 'pronoun', 'q'), "
                "(1, 0, 0, 1, NULL, 'officials', 'said', 'speech', 'indirect', 'none', 'q')")
    old.conn.commit()
    old.close()

    store = Store(path, "synthetic", DIM)
    assert store.attributed_texts([0, 1, 2, 3]) == {1, 2}
    store.close()
