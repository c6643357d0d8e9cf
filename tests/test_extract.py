import json

import pytest

from index.errors import SourceError
from index.extract import extract
from index.fetch import Fetcher
from index.furniture import find_date, is_furniture, parse_dateline
from tests.conftest import FIXTURES

FETCHER = Fetcher()


def test_plain_text_header_gives_author_and_date():
    article = extract(str(FIXTURES / "harbour.txt"), fetcher=FETCHER, outlet="Island FM").articles[0]
    assert article.author == "Maria Lopez"
    assert article.published == "2025-03-03T09:30"
    assert article.outlet == "Island FM"
    assert article.source_id == "harbour"


def test_front_matter_overrides_guesses():
    article = extract(str(FIXTURES / "bakery.txt"), fetcher=FETCHER).articles[0]
    assert (article.title, article.outlet, article.published, article.url) == (
        "Village bakery wins national bread prize", "The Valley Courier", "2025-01-20",
        "https://courier.example/bakery-prize")


def test_json_lines_fields_and_aliases():
    articles = extract(str(FIXTURES / "articles.jsonl"), fetcher=FETCHER).articles
    assert [(a.source_id, a.outlet, a.published, a.author) for a in articles] == [
        ("rail-1", "Metro Wire", "2025-04-02", "Sam Reed"),
        ("rail-2", "Metro Wire", "2025-04-03T08:00", None)]
    assert articles[1].url == "https://metro.example/station"


def test_json_lines_keeps_good_lines_and_names_bad_ones(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"id": "a", "text": "A good article sentence."})
    path.write_text(f"{good}\n{{broken\n{json.dumps({'id': 'b'})}\n")
    result = extract(str(path), fetcher=FETCHER)
    assert [a.source_id for a in result.articles] == ["a"]
    assert any("line 2" in p for p in result.problems) and any("line 3" in p for p in result.problems)


def test_html_body_and_metadata():
    article = extract(str(FIXTURES / "harbour.html"), fetcher=FETCHER).articles[0]
    assert "rebuild the harbour wall" in article.text
    assert "Home" not in article.text.split("\n")[0]
    assert article.title == "Harbour wall to be rebuilt before winter"
    assert article.outlet == "The Island Times"
    assert article.published == "2025-03-03"
    skipped = [article.text[a:b] for a, b in article.skip_spans]
    assert any(s.startswith("Read more") for s in skipped)


def test_feed_file_entries_become_articles():
    result = extract(str(FIXTURES / "feed.xml"), fetcher=FETCHER)
    assert result.kind == "feed"
    assert [a.title for a in result.articles] == ["Lighthouse keeper retires after 40 years", "School gets new roof"]
    first = result.articles[0]
    assert first.outlet == "The Island Times" and first.url == "https://island.example/lighthouse"
    assert first.published == "2025-03-10T08:00"
    assert "John Mair" in first.text


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (bytes(range(256)) * 4, "binary"),
])
def test_unreadable_files_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        extract(str(path), fetcher=FETCHER)


def test_cp1252_text_is_decoded(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("The minister said the café’s fee was “fair”.".encode("cp1252"))
    assert "café’s" in extract(str(path), fetcher=FETCHER).articles[0].text


def test_billion_laughs_feed_is_refused(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                    "<rss><channel><title>&b;</title><item><title>x</title></item></channel></rss>")
    with pytest.raises(SourceError, match="entities"):
        extract(str(path), fetcher=FETCHER)


@pytest.mark.parametrize("line, furniture", [
    ("Read more: Elon Musk's son X steals show", True),
    ("Watch Again: Andrew Marr speaks to Angela Rayner | 12/02/25", True),
    ("Advertisement", True),
    ("By Jane Doe", True),
    ("Share this article", True),
    ("13 February 2025, 16:11 | Updated: 13 February 2025, 16:24", True),
    ("Watch the video in which he said it was fine.", False),
    ("Readers wrote in to complain about the new road.", False),
])
def test_furniture_lines(line, furniture):
    assert is_furniture(line) is furniture


def test_datelines_and_dates():
    assert parse_dateline("13 February 2025, 16:11 | Updated: 13 February 2025, 16:24") == "2025-02-13T16:11"
    assert parse_dateline("The talks on 13 February 2025 failed.") is None
    assert find_date("Published: February 13, 2025 4:11pm EST") == "2025-02-13T16:11"
