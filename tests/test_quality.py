"""Hybrid search, speakers in answers and honest refusals, on a real index with the real model."""

import re

import pytest

from index.errors import QuestionError
from index.hybrid import fts_query
from index.rerank import read_question
from tests.conftest import FIXTURES, SEED_ARTICLE, needs_shared


@pytest.fixture(scope="module")
def filled(tmp_path_factory, embedder):
    from index.engine import NewsIndex

    index = NewsIndex(tmp_path_factory.mktemp("quality") / "news.db", embedder=embedder)
    sources = [FIXTURES / n for n in ("harbour.txt", "bakery.txt", "articles.jsonl", "quotes_pronoun.txt",
                                      "quotes_title.txt")]
    report = index.ingest([str(p) for p in sources])
    assert report.failed == 0
    yield index
    index.close()


HOSTILE = ['"', '"unbalanced', "NEAR(", "NEAR(harbour wall, 2)", "harbour AND OR NOT", "(((", "bridge)",
           "*", "bread*", "title:bakery", "-minus", "^start", "a + b", "AND", "'; DROP TABLE sentences; --",
           "what did she say about \"the bridge", "who said )(*&^%$#@!"]


@pytest.mark.parametrize("question", HOSTILE)
def test_fts5_syntax_in_questions_never_raises(filled, question):
    if not re.search(r"\w", question):  # nothing to search: the polite refusal, never an SQLite error
        with pytest.raises(QuestionError):
            filled.ask(question, 3)
        return
    result = filled.ask(question, 3)
    assert isinstance(result.abstained, bool) and len(result.answers) <= 3


def test_fts_query_quotes_every_word():
    assert fts_query('NEAR(harbour "wall" AND') == '"near" OR "harbour" OR "wall"'
    assert fts_query("???") is None


def test_who_said_names_the_speaker(filled):
    answer = filled.ask("Who said the rail deal was fair for drivers?").answers[0]
    assert answer.quote == '"This is a fair deal for drivers," she said.'
    assert answer.speaker == "Priya Shah"


def test_who_said_a_multi_sentence_quote(filled):
    answer = filled.ask("Who said nobody will have to drive the long way round again?").answers[0]
    assert "Nobody will have to drive the long way round again" in answer.quote
    assert answer.speaker == "Helen Ortiz"


def test_what_did_x_say_about_y_keeps_to_x(filled):
    result = filled.ask("What did Peter Walsh say about the money and the schools?", 3)
    assert result.answers and all(a.speaker == "Peter Walsh" for a in result.answers)
    assert "schools" in result.answers[0].quote
    assert filled.ask("What did Angela Merkel say about the bridge?").abstained


def test_unrelated_question_is_refused(filled):
    result = filled.ask("What is the boiling point of liquid nitrogen in kelvin?")
    assert result.abstained and result.answers == ()


def test_question_types():
    assert read_question("Who said there can be no talk about Ukraine without Ukraine?").kind == "who_said"
    assert read_question("What was agreed at the council meeting?").kind == "agreed"
    assert read_question("How much will the council borrow?").kind == "how_much"
    assert read_question("When will the station reopen?").kind == "when"
    intent = read_question("What did Mark Rutte say about Ukraine?")
    assert (intent.kind, intent.speaker, intent.topic) == ("said_about", "Mark Rutte", "Ukraine")



def test_who_said_prefers_the_sentence_worded_like_the_question():
    from index.hybrid import Candidate
    from index.rerank import rerank

    # A is nearer in meaning, B holds the question's words (BM25 at the pool's best); both report speech.
    a, b = Candidate(1, 0.75, 0.2, 0.77), Candidate(2, 0.66, 1.0, 0.76)
    texts = {1: "She said the plan was sound.", 2: "He said the plan was sound."}
    who = read_question("Who said the plan was sound?")
    other = read_question("Is the plan sound?")
    assert [t for t, _ in rerank(who, "Who said the plan was sound?", [a, b], texts, set(), set())] == [2, 1]
    assert [t for t, _ in rerank(other, "Is the plan sound?", [a, b], texts, set(), set())] == [1, 2]

def test_quotes_are_replaced_with_their_article(news_index, fixture_copy):
    path = fixture_copy("quotes_pronoun.txt")
    news_index.ingest([str(path)])
    before = news_index.store.db.execute("SELECT speaker FROM quotes").fetchall()
    assert ("Helen Ortiz",) in before
    path.write_text(path.read_text().replace("Mayor Helen Ortiz", "Mayor Joan Ruiz"))
    assert news_index.ingest([str(path)]).updated == 1
    after = [r[0] for r in news_index.store.db.execute("SELECT speaker FROM quotes")]
    assert "Joan Ruiz" in after and "Helen Ortiz" not in after and len(after) == len(before)



def test_a_replaced_sentence_is_never_a_candidate(news_index, fixture_copy):
    from index.retrieve import retrieve

    path = fixture_copy("harbour.txt")
    news_index.ingest([str(path)])
    old = "The council agreed to borrow £4 million to pay for the repairs."
    path.write_text(path.read_text().replace(old, "Repairs will be paid for from the reserve fund."))
    assert news_index.ingest([str(path)]).updated == 1
    # The old sentence's vector row stays in the file, nearer to this question than any sentence left.
    found = retrieve(news_index.store, news_index.embedder, old)
    standing = news_index.store.sentences_for_texts([t for t, _ in found.ranked])
    assert found.ranked and all(t in standing for t, _ in found.ranked)
    assert not any("£4 million" in a.quote for a in news_index.ask(old, 3).answers)


@needs_shared
def test_seed_who_said_answers_with_zelensky(news_index):
    news_index.ingest([str(SEED_ARTICLE)])
    answer = news_index.ask("Who said there can be no talk about Ukraine without Ukraine?").answers[0]
    assert (answer.source.line, answer.speaker) == (14, "Zelensky")
    healey = news_index.ask("Who said Ukrainians are fighting bravely?").answers[0]
    assert (healey.source.line, healey.speaker) == (24, "John Healey")


def test_who_said_finds_a_quote_of_stopwords_word_for_word(news_index, fixture_copy):
    # Every word of this quote is a stopword: keyword search has nothing rare to look for and the question's
    # meaning is near other sentences ("going into every warehouse"), so it was refused or answered wrongly.
    news_index.ingest([str(fixture_copy("quotes_verbatim.txt"))])
    answer = news_index.ask("Who said “Not going to go into that.”?").answers[0]
    assert '"Not going to go into that."' in answer.quote and answer.speaker == "Dara Quinn"
    assert news_index.ask("Who said they were not going anywhere?").answers[0].speaker == "Owen Pryce"


def test_phrase_match_looks_for_the_quotes_opening_and_closing_words():
    from index.hybrid import phrase_match

    assert phrase_match("“Not going to go into that.”") == '"not going to go into that"'
    assert phrase_match("“No.”") is None
    words = [f"w{i}" for i in range(20)]
    assert phrase_match(" ".join(words)) == f'"{" ".join(words[:12])}" OR "{" ".join(words[-12:])}"'
