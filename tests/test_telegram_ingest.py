"""Adding news while the bot runs: /add, documents, and the feed refresh job, end to end."""

import logging
import time
import pytest

from tests.conftest import ADMIN_ID, FIXTURES

pytestmark = pytest.mark.slow

LIGHTHOUSE = "Who will miss the sea more than anything?"
LIGHTHOUSE_QUOTE = "&quot;I will miss the sea more than anything,&quot; said keeper John Mair."


BRIDGE_PAGE = """<!doctype html>
<html><head><title>New bridge opens | The Island Times</title>
<meta property="og:site_name" content="The Island Times">
<meta property="og:title" content="New footbridge opens over the river">
<meta property="article:published_time" content="2025-04-12T10:00:00Z">
</head><body><nav><a href="/">Home</a></nav>
<article><h1>New footbridge opens over the river</h1>
<p>A new footbridge over the river Loin opened on Saturday after two years of building work.</p>
<p>The engineer, Kirsty Moar, said the bridge could carry four thousand walkers an hour.</p>
<p>Cyclists will be asked to dismount while crossing during the busy summer months.</p>
</article></body></html>
"""


def test_admin_adds_a_web_page_and_its_sentences_become_answerable(start_bot, fake_api, page_server):
    base, folder = page_server
    (folder / "bridge.html").write_text(BRIDGE_PAGE)
    start_bot()
    url = f"{base}/bridge.html"
    command = fake_api.send_message(f"/add {url}", user_id=ADMIN_ID)
    progress = fake_api.wait_reply(command)
    assert progress.text == f"Reading <code>{url}</code>…"
    done = fake_api.wait_for(lambda c: c.method == "editMessageText" and c.text.startswith("Done:"))[0]
    assert done.params["message_id"] == progress.result["message_id"]
    assert "1 added, 0 updated, 0 skipped, 0 failed" in done.text

    answer = fake_api.wait_reply(fake_api.send_message("How many walkers an hour can the bridge carry?"))
    assert ("<blockquote>The engineer, Kirsty Moar, said the bridge could carry four thousand walkers an hour."
            "</blockquote>") in answer.text
    assert f'The Island Times · <a href="{url}#:~:text=' in answer.text


def test_non_admins_are_refused_politely_and_the_refusal_is_logged(start_bot, fake_api, page_server, caplog):
    base, folder = page_server
    (folder / "bridge.html").write_text(BRIDGE_PAGE)
    start_bot()
    caplog.set_level(logging.WARNING, logger="bot.handlers")
    refusal = fake_api.wait_reply(fake_api.send_message(f"/add {base}/bridge.html", user_id=777))
    assert refusal.text.startswith("Sorry, only the people who run this bot can add sources.")
    upload = fake_api.upload("notes.txt", b"The ferry will run twice a day from May.\n")
    refused_doc = fake_api.wait_reply(fake_api.send_message(document=upload, user_id=777))
    assert refused_doc.text == refusal.text
    assert "refused /add from user 777" in caplog.text and "refused a document from user 777" in caplog.text
    assert not fake_api.sent("getFile")
    assert not fake_api.sent("editMessageText"), "nothing was ingested"


def test_admin_uploads_a_text_document(start_bot, fake_api, bot_index):
    start_bot()
    text = ("Title: Ferry timetable changes\nOutlet: Harbour Radio\nDate: 2025-03-20\n\n"
            "The island ferry will run twice a day from May.\n"
            "Captain Rhona Bell said the new timetable would help schoolchildren get home before dark.\n")
    upload = fake_api.upload("ferry notes.txt", text.encode())
    message = fake_api.send_message(document=upload, user_id=ADMIN_ID)
    done = fake_api.wait_for(lambda c: c.method == "editMessageText" and c.text.startswith("Done:"))[0]
    assert "1 added" in done.text
    assert fake_api.sent("getFile") and fake_api.replies_to(message)
    saved = bot_index.store.db_path.parent / "uploads" / upload["file_unique_id"] / "ferry_notes.txt"
    assert saved.read_text() == text

    answer = fake_api.wait_reply(fake_api.send_message("Who said the timetable would help schoolchildren?"))
    assert "Captain Rhona Bell said the new timetable would help schoolchildren get home before dark." in answer.text
    assert answer.text.endswith("— Harbour Radio · Ferry timetable changes · 20 Mar 2025 · ferry_notes.txt, line 6")


def test_unsupported_documents_are_explained(start_bot, fake_api):
    start_bot()
    upload = fake_api.upload("photo.png", b"\x89PNG\r\n", mime_type="image/png")
    reply = fake_api.wait_reply(fake_api.send_message(document=upload, user_id=ADMIN_ID))
    assert reply.text == "I can read .txt, .html, .jsonl and RSS/Atom .xml files."


def ask_until(fake_api, question: str, expected: str, timeout: float = 30.0):
    """Ask again until the answer contains ``expected`` (the refresh job runs on its own schedule)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = fake_api.wait_reply(fake_api.send_message(question))
        if expected in answer.text or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def test_feeds_are_refreshed_while_the_bot_runs(start_bot, fake_api, page_server):
    base, folder = page_server
    feed = (FIXTURES / "feed.xml").read_text()
    second_item = feed.index("<item>", feed.index("<item>") + 1)
    (folder / "feed.xml").write_text(feed[:feed.index("<item>")] + feed[second_item:])  # the school story only
    start_bot(feeds=(f"{base}/feed.xml",), refresh_minutes=0.01, questions_per_minute=0)
    school = ask_until(fake_api, "How much did the school roof cost?", "£200,000")
    assert "£200,000" in school.text
    before = fake_api.wait_reply(fake_api.send_message(LIGHTHOUSE))
    assert LIGHTHOUSE_QUOTE not in before.text

    (folder / "feed.xml").write_text(feed)  # the lighthouse story is published
    answer = ask_until(fake_api, LIGHTHOUSE, LIGHTHOUSE_QUOTE)
    assert LIGHTHOUSE_QUOTE in answer.text, "a new feed item became answerable without a restart"
    assert "The Island Times · <a href=\"https://island.example/lighthouse#:~:text=" in answer.text
