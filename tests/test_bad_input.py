"""Hostile and broken input: a clear message or an honest answer, never a crash, index unchanged.

Questions go through ``NewsIndex.ask`` and the ``newsbot ask`` command;
sources through ``NewsIndex.ingest``, with URLs served by a real server on
127.0.0.1 (the fetcher's ``allow_private`` switched on explicitly).
"""

import hashlib
import json
import re
import time

import pytest

from index.errors import QuestionError
from index.fetch import Fetcher
from tests.conftest import FIXTURES
from tests.test_cli import newsbot

REFUSED = {
    "empty": "",
    "whitespace": " \t\n\r\u00a0\u3000 ",
    "emoji only": "🚢🌊🔥👍🏽🇬🇧",
    "punctuation only": "?!...;;--(((\"'*",
    "zero-width only": "\u200b\u200c\u200d\ufeff\u2060",
    "direction marks only": "\u202e\u202d\u200f\u200e\u2066\u2069",
    "control characters only": "\x00\x01\x1b\x7f",
    "fts quote only": '"',
}
ANSWERABLE = {
    "10,000 characters": "Who will borrow money for the harbour repairs? " * 213,
    "one 10,000-character word": "harbour" * 1430,
    "zero-width inside words": "How much will the coun\u200bcil bor\u200drow for the repairs?",
    "right-to-left override": "\u202eWho said the rail deal was fair?\u202c",
    "arabic": "من قال إن الصفقة عادلة؟",
    "hebrew with marks": "\u200fמי אמר שהעסקה הוגנת?",
    "chinese": "谁说铁路协议是公平的？",
    "russian": "Кто сказал, что сделка справедлива?",
    "hindi": "किसने कहा कि सौदा उचित था?",
    "html": "<script>alert('x')</script><b>Who</b> said the <a href='http://evil'>deal</a> was fair?",
    "markdown": "**Who** said the _deal_ was [fair](http://evil.example) `drivers`?",
    "fts unbalanced quote": 'who said "fair deal',
    "fts star": "harb* *",
    "fts near": "NEAR(harbour wall",
    "fts near complete": "NEAR(harbour wall, 2)",
    "fts and": "harbour AND",
    "fts bare operators": "AND OR NOT",
    "fts unbalanced parentheses": "((harbour) wall))(",
    "fts column filter": "text:harbour {text}: ^wall",
    "fts minus and plus": "harbour - wall + council",
    "sql injection": "'; DROP TABLE articles; --",
    "sql tautology": "1' OR '1'='1",
    "sql select": "SELECT * FROM sentences WHERE 1=1 UNION SELECT hash FROM texts",
    "nul inside": "harbour\x00wall repairs",
    "escape sequences": "\x1b[31mWho said\x1b[0m the deal was fair?",
    "lone surrogate": "Who said\ud800 the deal was fair?",
    "newlines": "Who\nsaid\n\nthe deal\r\nwas fair?",
    "numbers only": "2025 4 20",
    "mixed scripts and emoji": "Who 说 the deal был fair 👍?",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory, embedder):
    from index.engine import NewsIndex

    index = NewsIndex(tmp_path_factory.mktemp("bad") / "news.db", embedder=embedder,
                      fetcher=Fetcher(allow_private=True, max_bytes=2_000_000, timeout=2))
    index.ingest([str(FIXTURES / n) for n in ("harbour.txt", "articles.jsonl", "bakery.txt", "feed.xml")])
    yield index
    index.close()


def fingerprint(index):
    """Every row (a dump, so a checkpoint moving pages from the WAL changes nothing), the vectors, the counts."""
    digest = hashlib.sha256()
    for line in index.store.db.conn.iterdump():
        digest.update(line.encode("utf-8", "surrogatepass"))
    digest.update(index.store.vectors.path.read_bytes())
    return digest.hexdigest(), index.store.counts(), index.store.db.conn.total_changes


def stored_sentences(index):
    return {r[0] for r in index.store.db.execute("SELECT text FROM sentences")}


def test_questions_that_have_no_words_are_refused_with_a_message(index):
    before = fingerprint(index)
    for name, question in REFUSED.items():
        with pytest.raises(QuestionError, match="ask a question in words"):
            index.ask(question)
    assert fingerprint(index) == before


def test_hostile_questions_get_a_verbatim_answer_or_an_honest_abstention(index):
    before = fingerprint(index)
    sentences = stored_sentences(index)
    outcomes = {}
    for name, question in ANSWERABLE.items():
        result = index.ask(question, k=3)
        assert result.question == question, name
        assert result.abstained == (not result.answers), name
        assert all(a.quote in sentences for a in result.answers), name
        outcomes[name] = result.abstained
    assert fingerprint(index) == before
    assert not outcomes["10,000 characters"] and not outcomes["zero-width inside words"]


def test_ask_command_takes_every_hostile_question(index):
    """One process, questions on stdin one per line (as JSON), plus the empty one as an argument."""
    singles = {n: q for n, q in {**REFUSED, **ANSWERABLE}.items()
               if "\n" not in q and "\r" not in q and "\x00" not in q and "\ud800" not in q and q.strip()}
    db = index.store.db_path
    before = fingerprint(index)
    result = newsbot("ask", "--json", "-", db=db, stdin="\n".join(singles.values()) + "\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(singles)
    for name, payload in zip(singles, lines):
        if name in REFUSED:
            assert payload["abstained"] and "ask a question in words" in payload["error"], name
        else:
            assert "error" not in payload and payload["abstained"] == (not payload["answers"]), name
    empty = newsbot("ask", "", db=db)
    assert empty.returncode == 0 and "ask a question in words" in empty.stdout
    assert fingerprint(index) == before


SOURCES = {
    "empty.txt": (b"", "is empty"),
    "blank.txt": (b" \n\t\n", "is empty"),
    "binary.txt": (bytes(range(256)) * 64, "binary"),
    "image.jpg.txt": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(3000), "binary"),
    "garbage.html": (b"<<<>>><</<html<<body>>", "no sentences to index"),
    "truncated.xml": (b"<?xml version='1.0'?><rss><channel><title>x</title><item><title>y", "malformed feed XML"),
    "mismatched.rss": (b"<rss><channel><item></channel></item></rss>", "malformed feed XML"),
    "laughs.xml": (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                   + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                              for i in range(1, 10))
                   + b"]><rss><channel><title>&lol9;</title><item><title>x</title></item></channel></rss>",
                   "entities"),
    "xxe.xml": (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b"<rss><channel><item><title>&x;</title><description>d</description></item></channel></rss>",
                "entities"),
    "allbroken.jsonl": (b"{oops\n[1,2]\n\"text\"\n{\"id\": 1}\n", "no usable JSON Lines records"),
}


@pytest.mark.parametrize("name", list(SOURCES))
def test_bad_source_files_are_named_and_leave_the_index_unchanged(index, tmp_path, name):
    content, message = SOURCES[name]
    path = tmp_path / name
    path.write_bytes(content)
    before = fingerprint(index)
    started = time.monotonic()
    report = index.ingest([str(path)])
    assert (report.added, report.failed) == (0, 1)
    assert len(report.errors) == 1 and name in report.errors[0] and message in report.errors[0], report.errors
    assert time.monotonic() - started < 5
    assert fingerprint(index)[:2] == before[:2]


def test_a_200_mb_file_is_refused_by_size_without_reading_it(index, tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: costs no disk and no time
    (tmp_path / "fine.txt").write_text("The ferry to Islay will run twice a day from May, the operator said.\n")
    before = fingerprint(index)
    started = time.monotonic()
    report = index.ingest([str(tmp_path)])
    assert time.monotonic() - started < 5
    assert (report.added, report.failed) == (1, 1)
    assert any("huge.txt is 209,715,200 bytes, over the" in e for e in report.errors), report.errors
    assert fingerprint(index)[1]["articles"] == before[1]["articles"] + 1


@pytest.mark.parametrize("encoding, text", [
    ("cp1252", "The minister said the café’s “fair” fee was €5 — and no more.\n"),
    ("latin-1", "Le maire a déclaré que la crêperie resterait ouverte à Noël.\n"),
])
def test_cp1252_and_latin1_text_is_decoded_not_crashed(index, tmp_path, encoding, text):
    path = tmp_path / f"old-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    report = index.ingest([str(path)])
    assert report.added == 1 and not report.errors
    assert text.strip() in stored_sentences(index)


@pytest.mark.parametrize("page", [
    "<html><head><title>Bridge</title><body><article><p>{0}<p>{1}<div></span></article></td>",
    "<p>{0}<p>{1}</b></i>",
    "<html><body><div><p>{0}</div></p><p><b><i>{1}</b></i>",
])
def test_malformed_html_with_an_article_is_read(index, tmp_path, page):
    first = f"The council said the Tay bridge would reopen on the {len(page)}th of May after repairs."
    path = tmp_path / "broken.html"
    path.write_text(page.format(first, "Drivers were told to expect delays on the approach roads for weeks."))
    report = index.ingest([str(path)])
    assert (report.added, report.failed) == (1, 0), report.errors
    assert first in stored_sentences(index)


def test_json_lines_keep_good_records_and_name_bad_line_numbers(index, tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = [json.dumps({"id": f"m{i}", "text": f"The museum opened gallery number {i} to visitors on Sunday."})
            for i in range(3)]
    path.write_text("\n".join([good[0], "{broken", good[1], '{"id": "no-text"}', "", good[2], "[]", "null"]) + "\n")
    report = index.ingest([str(path)])
    assert report.added == 3
    named = {int(n) for n in re.findall(r"mixed.jsonl: line (\d+) skipped", " ".join(report.errors))}
    assert named == {2, 4, 7, 8}


def test_endless_and_stalled_urls_end_with_a_message(index, local_server):
    before = fingerprint(index)
    started = time.monotonic()
    report = index.ingest([local_server.url("/endless"), local_server.url("/stall"),
                           local_server.url("/drip-headers")])
    assert time.monotonic() - started < 10
    assert report.failed == 3 and report.added == 0
    assert "more than 2,000,000 bytes" in report.errors[0]
    assert "took longer than 2s" in report.errors[1] and "took longer than 2s" in report.errors[2]
    assert fingerprint(index)[:2] == before[:2]


def test_feed_entry_whose_page_is_gone_is_named_and_the_others_kept(index, local_server):
    local_server.pages["/story.html"] = ("text/html", (FIXTURES / "harbour.html").read_bytes())
    items = "".join(f"<item><title>{title}</title><link>{local_server.url(path)}</link></item>"
                    for title, path in (("Harbour", "/story.html"), ("Gone", "/gone.html")))
    local_server.pages["/feed.rss"] = ("application/rss+xml",
                                       f"<rss><channel><title>Local</title>{items}</channel></rss>".encode())
    report = index.ingest([local_server.url("/feed.rss")])
    assert report.added == 1 and report.failed == 0
    assert len(report.errors) == 1
    assert "entry 2" in report.errors[0] and "gone.html" in report.errors[0] and "HTTP 404" in report.errors[0]


def test_ingest_command_names_every_bad_source(tmp_path):
    for name in ("empty.txt", "binary.txt", "laughs.xml"):
        (tmp_path / name).write_bytes(SOURCES[name][0])
    good = tmp_path / "good.txt"
    good.write_text("The lifeboat crew rescued two walkers from the cliffs on Saturday.\n")
    result = newsbot("ingest", *(str(tmp_path / n) for n in ("empty.txt", "binary.txt", "laughs.xml", "good.txt")),
                     "http://127.0.0.1:9/", "ftp://example.com/x", db=tmp_path / "cli.db")
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout and "5 failed" in result.stdout
    for fragment in ("empty.txt is empty", "binary.txt looks like a binary", "laughs.xml: feed declares XML entities",
                     "refusing to fetch 127.0.0.1", "ftp://example.com/x: no such file"):
        assert fragment in result.stderr, result.stderr


def test_json_lines_with_lone_surrogates_and_nul_are_kept(index, tmp_path):
    """Found broken: ``"\\ud800"`` in one record crashed the whole ingest with UnicodeEncodeError."""
    from index.check import check_index

    path = tmp_path / "escapes.jsonl"
    path.write_text('{"id": "e1", "title": "bad \\ud800", "text": "The pier at Largs \\udc00 will close in June."}\n'
                    '{"id": "e2", "text": "The ferry\\u0000 to Cumbrae runs hourly in summer."}\n')
    report = index.ingest([str(path)])
    assert (report.added, report.failed) == (2, 0), report.errors
    assert {"The pier at Largs \ufffd will close in June.", "The ferry\x00 to Cumbrae runs hourly in summer."} \
        <= stored_sentences(index)
    assert check_index(index.store.db_path).ok


def test_form_feeds_and_unicode_line_separators_keep_lines_exact(index, tmp_path):
    """Found broken: str.splitlines breaks at \\f and U+2028 but line numbers do not, so such a file
    crashed ingest with IndexError, and a JSON record holding a raw U+2028 was cut in two."""
    text = tmp_path / "exported.txt"
    text.write_text("Page one of the council minutes.\fThe council met on Monday.\nIt voted\u2028to close the pool.\n"
                    "The vote was 7 to 2.\n")
    lines = tmp_path / "sep.jsonl"
    lines.write_text(json.dumps({"id": "sep", "text": "The lido will reopen in July.\u2028Tickets cost £5."},
                                ensure_ascii=False) + "\n")
    report = index.ingest([str(text), str(lines)])
    assert (report.added, report.failed) == (2, 0) and not report.errors, report.errors
    rows = dict(index.store.db.execute("SELECT text, line FROM sentences WHERE text LIKE '%vote was%' "
                                       "OR text LIKE '%lido%'").fetchall())
    assert rows["The vote was 7 to 2."] == 3
    assert any(t.startswith("The lido will reopen in July.") for t in rows)
