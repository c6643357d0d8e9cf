"""Stance records ("she wants", "he opposes"): who holds a position, kept apart from what anyone said."""

import pytest

from tests.conftest import FIXTURES
from tests.test_attribute import quotes_of

STANCE = FIXTURES / "quotes_stance.txt"


def records():
    """Every record covering the sentence that holds some words (test_attribute's ``covering`` takes the first)."""
    sentences, quotes = quotes_of(STANCE)

    def covering(words):
        ordinal = next(s.ordinal for s in sentences if words in s.text)
        return [q for q in quotes if q.first <= ordinal <= q.last]
    return covering


def test_pronoun_stance_is_resolved_like_speech():
    covering = records()
    [ferries] = covering("double the number of night ferries")
    assert (ferries.act, ferries.speaker, ferries.mention, ferries.resolved_by) == (
        "stance", "Ingrid Solberg", "She", "pronoun")
    [wall] = covering("opposes any new spending")
    assert (wall.act, wall.speaker, wall.cue) == ("stance", "Daniel Brooks", "opposes")


def test_speech_stays_speech_and_a_sentence_without_a_position_has_no_record():
    covering = records()
    [nurses] = covering("only way home for hundreds of nurses")
    assert (nurses.act, nurses.speaker, nurses.kind) == ("speech", "Ingrid Solberg", "direct")
    [patched] = covering("patched three times")
    assert (patched.act, patched.speaker) == ("speech", "Daniel Brooks")
    assert covering("sat through the meeting in silence") == []


@pytest.fixture(scope="module")
def stance_index(tmp_path_factory, embedder):
    from index.engine import NewsIndex

    index = NewsIndex(tmp_path_factory.mktemp("stance") / "news.db", embedder=embedder)
    assert index.ingest([str(STANCE)]).failed == 0
    yield index
    index.close()


def test_who_holds_a_stance_is_answered(stance_index):
    answer = stance_index.ask("Who wants to double the number of night ferries before the winter storms?").answers[0]
    assert "double the number of night ferries" in answer.quote
    assert answer.speaker == "Ingrid Solberg"


def test_what_did_x_say_never_returns_a_stance(stance_index):
    said = stance_index.ask("What did Daniel Brooks say about the harbour sea wall?", 5)
    assert said.answers and all(a.speaker == "Daniel Brooks" for a in said.answers)
    assert not any("opposes any new spending" in a.quote for a in said.answers)
    assert any("patched three times" in a.quote for a in said.answers)
    # Solberg's one line of speech is about nurses; her stance on ferries is not something she said.
    ferries = stance_index.ask("What did Ingrid Solberg say about night ferries?", 5)
    assert not any("double the number" in a.quote for a in ferries.answers)


def test_an_index_from_before_stance_records_reads_its_quotes_as_speech(tmp_path, embedder):
    from sqlite_utils import Database

    from index.engine import NewsIndex
    from index.schema import migrations

    db_path = tmp_path / "old.db"
    old = Database(db_path)
    migrations.apply(old, stop_before="m003_quote_act")
    old.execute("INSERT INTO articles(key, article_id, content_hash, ingested_at, sentence_count) "
                "VALUES ('k', 'a', 'h', '2025-01-01', 1)")
    old.execute("INSERT INTO quotes(article_id, first_ordinal, last_ordinal, line, speaker, mention, cue, kind, "
                "resolved_by, text) VALUES (1, 0, 0, 1, 'Ann Lee', 'Ann Lee', 'said', 'direct', 'name', 'Hi')")
    old.conn.commit()
    old.close()
    index = NewsIndex(db_path, embedder=embedder)
    try:
        assert index.store.db.execute("SELECT act FROM quotes").fetchall() == [("speech",)]
    finally:
        index.close()
