"""The ``newsbot`` command, run as a user runs it (a real subprocess)."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, SEED_ARTICLE, needs_shared

ANSWER_KEYS = {"quote", "speaker", "score", "source"}
SOURCE_KEYS = {"article_id", "title", "outlet", "published", "url", "path", "line"}


def newsbot(*args, db, stdin=None):
    env = {**os.environ, "NEWSBOT_DB": str(db), "NEWSBOT_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          input=stdin, env=env, timeout=300)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "news.db"
    sources = [str(FIXTURES / "harbour.txt"), str(FIXTURES / "articles.jsonl")]
    if SEED_ARTICLE.exists():
        sources.append(str(SEED_ARTICLE.parent))
    result = newsbot("ingest", "--outlet", "LBC", *sources, db=db)
    assert result.returncode == 0, result.stderr
    assert "added" in result.stdout and "sentences" in result.stdout
    return db


def check_shape(payload, question):
    assert set(payload) == {"question", "abstained", "answers"}
    assert payload["question"] == question
    assert isinstance(payload["abstained"], bool)
    for answer in payload["answers"]:
        assert set(answer) == ANSWER_KEYS and set(answer["source"]) == SOURCE_KEYS
        assert isinstance(answer["quote"], str) and isinstance(answer["score"], float)
        assert isinstance(answer["source"]["line"], int) and answer["source"]["line"] >= 1


def test_ask_json_shape_and_answer(db):
    question = "How much will the council borrow for the repairs?"
    result = newsbot("ask", "--json", "-k", "3", question, db=db)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    check_shape(payload, question)
    first = payload["answers"][0]
    assert first["quote"] == "The council agreed to borrow £4 million to pay for the repairs."
    assert first["source"]["line"] == 11 and first["source"]["path"].endswith("harbour.txt")
    assert first["source"]["outlet"] == "LBC" and first["source"]["published"] == "2025-03-03T09:30"


def test_ask_prints_quote_and_source_line(db):
    result = newsbot("ask", "Who said the rail deal was fair for drivers?", db=db)
    assert result.returncode == 0, result.stderr
    assert '“"This is a fair deal for drivers," she said.”' in result.stdout
    assert "— Metro Wire · Rail strike called off · 2 Apr 2025 · articles.jsonl, line 5" in result.stdout


def test_ask_from_stdin_answers_each_line(db):
    questions = ["When will the central station reopen?", "What did the judges say about the crust?"]
    result = newsbot("ask", "--json", "-", db=db, stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(l) for l in result.stdout.splitlines()]
    assert [l["question"] for l in lines] == questions
    assert lines[0]["answers"][0]["source"]["url"] == "https://metro.example/station"


def test_nonsense_question_is_refused_politely(db):
    result = newsbot("ask", "?!?!", db=db)
    assert result.returncode == 0 and "ask a question in words" in result.stdout


def test_sources_and_stats(db):
    listing = newsbot("sources", db=db)
    assert "rail-1 · Metro Wire · Rail strike called off · 2 Apr 2025 · 3 sentences" in listing.stdout
    stats = newsbot("stats", db=db)
    assert "model: all-MiniLM-L6-v2" in stats.stdout and "sentences:" in stats.stdout


def test_missing_source_is_a_clear_error(db):
    result = newsbot("ingest", "/no/such/file.txt", db=db)
    assert "no such file" in result.stderr


@needs_shared
def test_seed_article_who_said_question_returns_line_14(db):
    question = "Who said there can be no talk about Ukraine without Ukraine?"
    payload = json.loads(newsbot("ask", "--json", question, db=db).stdout)
    check_shape(payload, question)
    source = payload["answers"][0]["source"]
    assert (source["article_id"], source["line"]) == ("000_93e7a677f1d2b692", 14)
    assert payload["answers"][0]["quote"].startswith('"There can be no talk about Ukraine without Ukraine"')


def test_answering_loads_neither_torch_nor_spacy(db):
    """Start-up to the first answer: a process that only answers must not pay for torch (1.1 s to
    import), spaCy or OpenVINO's document graph, which only ingest needs."""
    script = ("import json, sys; from index.engine import NewsIndex; "
              f"answers = NewsIndex({str(db)!r}).ask('How much will the council borrow?').answers; "
              "print(json.dumps([bool(answers), sorted({'torch', 'spacy', 'thinc', 'openvino'} & set(sys.modules))]))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [True, []]


def chat(db, typed: str) -> str:
    """``newsbot run`` without a Telegram token: the terminal chat, fed ``typed``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "TELEGRAM_"))}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "run"], capture_output=True, text=True, input=typed,
                            env={**env, "NEWSBOT_DB": str(db), "NEWSBOT_LOG_LEVEL": "WARNING"}, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_terminal_chat_lists_sources_as_its_not_found_reply_suggests(db):
    out = chat(db, "Who won the 1966 world cup?\n/sources\n\n")
    assert "see what I have read with /sources" in out
    assert "rail-1 · Metro Wire · Rail strike called off · 2 Apr 2025 · 3 sentences" in out
    assert "I have not read any news yet" not in out


def test_terminal_chat_on_an_empty_index_says_how_to_add_news(tmp_path):
    out = chat(tmp_path / "empty.db", "/sources\n\n")
    assert out.count("I have not read any news yet. Add some with /add SOURCE") == 2


def test_terminal_chat_adds_news_then_answers_from_it(tmp_path):
    """/add at the terminal reads a source there and then; a missing one, a bare /add or an unknown
    command each get a clear line, and the chat goes on."""
    typed = (f"/add {tmp_path / 'absent.txt'}\n/add\n/frobnicate\n/add {FIXTURES / 'harbour.txt'}\n"
             "How much will the council borrow?\n/sources\n\n")
    lines = chat(tmp_path / "news.db", typed).splitlines()
    # run_ingest's own line, as after `newsbot ingest` (whose "no such file" warning goes to stderr: above)
    assert any(line.startswith("> 0 added, 0 updated, 0 skipped, 1 failed") for line in lines)
    assert any(line.startswith("> Say what to read: /add SOURCE") for line in lines)
    assert any(line.startswith("> I don't know /frobnicate here.") for line in lines)
    assert any("1 added" in line for line in lines)
    reply = "\n".join(lines[next(i for i, line in enumerate(lines) if "1 added" in line) + 1:])
    assert "The council agreed to borrow £4 million to pay for the repairs." in reply
    assert "harbour.txt" in reply
