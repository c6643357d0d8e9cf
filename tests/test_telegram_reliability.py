"""Issue 6, Telegram side: hostile updates, a failing Bot API, floods, and what must never leak.

Everything runs the real bot (``run_application``) against the fake Bot API
server over HTTP; the long versions of the outage and load tests are in
tests/stress/test_bot_load.py (``make stress``).
"""

from __future__ import annotations

import html
import io
import json
import logging
import re
import time

import pytest

from bot import replies
from bot.redact import RedactSecrets, redact_in_logs
from tests import botfaults
from tests.conftest import ADMIN_ID
from tests.fakebotapi import BOT_USER, TOKEN, Failure, visible_text

pytestmark = pytest.mark.slow

STATION = "When will the central station reopen?"
STATION_QUOTE = "The old central station will reopen in June."
HARBOUR = "What will happen to the harbour wall?"  # several answers, so it has a More button
STICKER = {"file_id": "CAACAgIAAxkBAAIBsticker", "file_unique_id": "AgADsticker", "type": "regular",
           "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "😀"}
PHOTO = [{"file_id": "AgACAgIAAxkBAAIBphoto", "file_unique_id": "AQADphoto", "width": 90, "height": 90}]
VOICE = {"file_id": "AwACAgIAAxkBAAIBvoice", "file_unique_id": "AgADvoice", "duration": 3}


def counts(index) -> dict:
    """Rows in every table, and vector rows: what must not change when nothing is ingested."""
    return {**index.store.counts(), "vectors": index.store.vectors.rows_on_disk()}


def alerts(api) -> list[str]:
    return [c.params.get("text", "") for c in api.sent("answerCallbackQuery")]


def test_updates_without_a_question_get_a_clear_reply_or_are_ignored(start_bot, fake_api, bot_index, caplog):
    before = counts(bot_index)
    bot_index.min_score = 0.3  # below the calibrated threshold, so More has next-best answers to show
    caplog.set_level(logging.INFO)
    start_bot(questions_per_minute=0)
    group = fake_api.group()

    # Media in a private chat: one plain explanation each.
    media = [fake_api.send_message(sticker=STICKER, user_id=2001),
             fake_api.send_message(photo=PHOTO, caption="who said this?", user_id=2002),
             fake_api.send_message(voice=VOICE, user_id=2003),
             fake_api.send_message(location={"latitude": 55.6, "longitude": -6.2}, user_id=2004)]
    for message in media:
        assert fake_api.wait_reply(message).text == replies.TEXT_ONLY

    # Commands without what they need: usage, not a search or a crash.
    assert fake_api.wait_reply(fake_api.send_message("/ask", user_id=2010)).text == replies.ASK_USAGE
    assert fake_api.wait_reply(fake_api.send_message("/ask   ", user_id=2011)).text == replies.ASK_USAGE
    no_words = fake_api.wait_reply(fake_api.send_message("/ask 🙂🙂 ?!", user_id=2012)).text
    assert no_words.startswith("Please ask a question in words")
    invisible = fake_api.wait_reply(fake_api.send_message("\u200b\u200f\u2066", user_id=2013)).text
    assert invisible.startswith("Please ask a question in words")
    assert fake_api.wait_reply(fake_api.send_message("/add", user_id=ADMIN_ID)).text == replies.ADD_USAGE

    # Documents an admin sends that cannot be read: said so, nothing downloaded.
    too_big = {**fake_api.upload("big.txt", b"The harbour will close.\n"), "file_size": 25 * 1024 * 1024}
    assert fake_api.wait_reply(fake_api.send_message(document=too_big, user_id=ADMIN_ID)).text == \
        replies.DOCUMENT_TOO_BIG
    binary = fake_api.upload("tool.exe", b"MZ\x90\x00", mime_type="application/octet-stream")
    assert fake_api.wait_reply(fake_api.send_message(document=binary, user_id=ADMIN_ID)).text == \
        replies.DOCUMENT_TYPES

    # Things the bot does not answer: edits, group chatter and media, service messages, channels, membership.
    question = fake_api.send_message(STATION, user_id=2020)
    answer = fake_api.wait_reply(question)
    ignored = [fake_api.send_message(sticker=STICKER, user_id=2021, chat=group),
               fake_api.send_message(photo=PHOTO, user_id=2022, chat=group, reply_to=fake_api.message_of(answer)),
               fake_api.send_message(new_chat_members=[fake_api.user(2023)], user_id=2023, chat=group),
               fake_api.send_message(pinned_message={"message_id": 1, "date": 0, "chat": {"id": 2024, "type": "private"}},
                                     user_id=2024)]
    fake_api.edit_message(question, "What did the judges say about the crust?")
    channel = {"id": -100777, "type": "channel", "title": "Newsroom"}
    fake_api.queue_update({"channel_post": {"message_id": 1, "date": int(time.time()), "chat": channel,
                                            "text": STATION}})
    fake_api.queue_update({"my_chat_member": {
        "chat": {"id": 2025, "type": "private", "first_name": "Leaver"}, "from": fake_api.user(2025),
        "date": int(time.time()), "old_chat_member": {"status": "member", "user": BOT_USER},
        "new_chat_member": {"status": "kicked", "user": BOT_USER, "until_date": 0}}})

    # Buttons: forged, stale, or for an article that is gone; and More tapped twice.
    harbour = fake_api.wait_reply(fake_api.send_message(HARBOUR, user_id=2030))
    for data in ("x" * 64, "ctx:abc", "ctx:" + "9" * 30, "ctx:", "more:1"):
        fake_api.press(harbour, data, user_id=2030)
    fake_api.press(harbour, "ctx:987654321", user_id=2030)
    fake_api.press(fake_api.message_of(fake_api.wait_reply(media[0])), "more", user_id=2001)  # replies to a sticker
    fake_api.press(harbour, "more", user_id=2030)
    fake_api.press(harbour, "more", user_id=2030)
    fake_api.wait_for(lambda c: c.method == "answerCallbackQuery", count=9)

    # Inline queries with nothing to search for.
    for query in ("", "   ", "?!…", "\u200b"):
        fake_api.inline_query(query, user_id=2040)
    inline = fake_api.wait_for(lambda c: c.method == "answerInlineQuery", count=4)
    assert all(c.params["results"] == [] for c in inline)

    # The bot is still well: a real question after all that is answered.
    last = fake_api.wait_reply(fake_api.send_message(STATION, user_id=2050))
    assert f"<blockquote>{STATION_QUOTE}</blockquote>" in last.text
    time.sleep(1.0)

    for message in ignored:
        assert not fake_api.replies_to(message), message
    assert len(fake_api.replies_to(question)) == 1, "an edited question is not answered again"
    assert not fake_api.sent("sendMessage", chat_id=channel["id"]) and not fake_api.sent("sendMessage", chat_id=2025)
    assert alerts(fake_api).count(replies.STALE) == 6 and alerts(fake_api).count(replies.GONE) == 1
    assert len(fake_api.sent("editMessageText")) == 1, "the second tap on More changes nothing"
    assert replies.SORRY not in [c.text for c in fake_api.sent("sendMessage")] + alerts(fake_api)
    assert not fake_api.sent("getFile"), "no document was downloaded"
    assert counts(bot_index) == before, "the index is unchanged"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
    rejected = [(c.method, c.outcome) for c in fake_api.calls if not c.ok]
    assert rejected == [("editMessageText", "400")], "only the second More edit, which Telegram calls not modified"


def test_add_and_documents_are_refused_and_logged_for_everyone_but_admins(start_bot, fake_api, bot_index, caplog):
    before = counts(bot_index)
    caplog.set_level(logging.WARNING, logger="bot.handlers")
    start_bot()
    group = fake_api.group()
    attempts = [fake_api.send_message("/add", user_id=31),
                fake_api.send_message("/add /etc/passwd", user_id=32),
                fake_api.send_message("/add https://example.com/feed.xml", user_id=33, chat=group),
                fake_api.send_message(document={**fake_api.upload("a.txt", b"x"), "file_size": 30_000_000}, user_id=34),
                fake_api.send_message(document=fake_api.upload("b.txt", b"The ferry is cancelled.\n"), user_id=35)]
    for message in attempts:
        assert fake_api.wait_reply(message).text == replies.ADD_REFUSED
    refusals = sorted(r.getMessage() for r in caplog.records if r.getMessage().startswith("refused "))
    assert refusals == [f"refused {what} from user {user} (not in NEWSBOT_ADMINS)" for what, user in
                        (("/add", 31), ("/add", 32), ("/add", 33), ("a document", 34), ("a document", 35))]
    assert not fake_api.sent("getFile") and not fake_api.sent("editMessageText")
    assert counts(bot_index) == before


def test_a_flood_of_refused_requests_is_still_refused_and_logged_without_spending_replies(start_bot, fake_api, caplog):
    caplog.set_level(logging.WARNING, logger="bot.handlers")
    start_bot(questions_per_minute=3)
    for _ in range(40):
        fake_api.send_message("/add https://example.com/", user_id=36)
    last = fake_api.send_message(STATION, user_id=37)
    fake_api.wait_reply(last)
    time.sleep(1.0)
    assert sum(r.getMessage() == "refused /add from user 36 (not in NEWSBOT_ADMINS)" for r in caplog.records) == 40
    # Updates run concurrently, so the four replies may reach the API in any order.
    sent = [c.text for c in fake_api.sent("sendMessage", chat_id=36)]
    slow_down = [text for text in sent if text.startswith("You are asking faster")]
    assert sent.count(replies.ADD_REFUSED) == 3 and len(slow_down) == 1 and len(sent) == 4


def test_replies_escape_article_text_and_link_only_web_pages(start_bot, fake_api, bot_index, tmp_path):
    hostile = {"id": "evil-1", "title": '</blockquote><a href="https://phish.example">Click me</a>',
               "outlet": "<b>Fake</b> & Co", "published": "2025-06-01", "url": 'https://evil.example/x?a="><b>pwn</b>&b=<i>',
               "text": 'The mayor of Springfield said the new <a href="https://phish.example">tram</a> line & '
                       "</blockquote> would open in <b>July</b>.\n\nCritics said the tram would cost too much."}
    scheme = {"id": "evil-2", "title": "Ferry news", "outlet": "Tg Times", "url": "javascript:alert(document.cookie)",
              "text": "The harbour master said the night ferry to Islay would stop running in October."}
    source = tmp_path / "hostile.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in (hostile, scheme)) + "\n")
    assert bot_index.ingest([str(source)]).added == 2
    start_bot()

    answer = fake_api.wait_reply(fake_api.send_message("When will the new tram line open in Springfield?"))
    shown = visible_text(answer.text, "HTML")  # the fake server parses it as Telegram does
    assert 'The mayor of Springfield said the new <a href="https://phish.example">tram</a> line & </blockquote> ' \
           "would open in <b>July</b>." in shown
    assert "<b>Fake</b> & Co" in shown and '</blockquote><a href="https://phish.example">Click me</a>' in shown
    # The speaker in bold, the quote, the source link: the article's markup added no tag.
    assert re.findall(r"<(/?\w+)", answer.text) == ["b", "/b", "blockquote", "/blockquote", "a", "/a"]
    assert re.findall(r'href="([^"]*)"', answer.text)[0].startswith(
        html.escape('https://evil.example/x?a="><b>pwn</b>&b=<i>', quote=True) + "#:~:text=")

    ferry = fake_api.wait_reply(fake_api.send_message("When will the night ferry to Islay stop?"))
    assert "The harbour master said the night ferry" in ferry.text and "<a " not in ferry.text
    assert "javascript" not in ferry.text

    context_button = next(b["callback_data"] for b in answer.buttons() if b["text"] == "Context")
    fake_api.press(answer, context_button)
    context = fake_api.wait_for(lambda c: c.method == "sendMessage" and c.reply_to == answer.result["message_id"])[0]
    assert re.findall(r"<(/?\w+)", context.text) == ["blockquote", "b", "/b", "/blockquote", "a", "/a"]

    listing = fake_api.wait_reply(fake_api.send_message("/sources"))
    assert listing.text.count("<a ") == sum(1 for _ in re.finditer(r"<a href=\"https?://", listing.text))
    assert "javascript" not in listing.text and "phish.example&quot;&gt;Click" in listing.text

    fake_api.inline_query("When will the new tram line open in Springfield?")
    result = fake_api.wait_for(lambda c: c.method == "answerInlineQuery")[0].params["results"][0]
    posted = result["input_message_content"]["message_text"]
    assert re.findall(r"<(/?\w+)", posted) == ["b", "/b", "blockquote", "/blockquote", "a", "/a"]
    assert not [c for c in fake_api.calls if not c.ok], "Telegram would have accepted every message"


def test_a_send_that_times_out_is_not_repeated_and_not_apologised_for(start_bot, fake_api, caplog):
    """A read timeout may mean Telegram delivered the message: sending again could duplicate it.

    The fake delivers the answer and responds after the client's 5 s read
    timeout; the user must see that answer once, and no "sorry" after it.
    """
    caplog.set_level(logging.WARNING, logger="bot")
    start_bot()
    fake_api.fail("sendMessage", Failure("slow", delay=6.5))
    question = fake_api.send_message(STATION)
    answer = fake_api.wait_reply(question)
    assert answer.outcome == "slow" and STATION_QUOTE in answer.text
    later = fake_api.wait_reply(fake_api.send_message("What did the judges say about the crust?"), timeout=30)
    assert "Judges praised the crust" in later.text
    time.sleep(7.0)  # until well after the slow answer's response came back
    assert len(fake_api.replies_to(question)) == 1
    assert [c.text for c in fake_api.sent("sendMessage", chat_id=question["chat"]["id"])] == [answer.text, later.text]
    assert any("TimedOut" in r.getMessage() and "not repeated" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("status", ["502", "500"])
def test_get_updates_failing_for_a_few_seconds(start_bot, fake_api, status):
    start_bot()
    figures = botfaults.get_updates_fails(fake_api, 3.0, status=status)
    assert figures["recovered_after_s"] < 10


def test_bot_api_unreachable_for_a_few_seconds_with_an_answer_in_flight(start_bot, fake_api):
    start_bot()
    figures = botfaults.api_unreachable(fake_api, 3.0)
    assert figures["recovered_after_s"] < 10


def test_one_flooding_user_does_not_delay_anyone_else(start_bot, fake_api):
    """300 messages and 100 inline queries from one user, while 20 others ask once each.

    The flooder gets their quota of answers and one "slow down"; every other
    user is answered within a couple of seconds, because refused messages
    spend neither search time nor the bot's 30-messages-a-second budget.
    """
    start_bot(questions_per_minute=5)
    flood = [fake_api.send_message(STATION, user_id=666) for _ in range(300)]
    for _ in range(100):
        fake_api.inline_query(STATION, user_id=666)
    others = botfaults.ask_many(fake_api, 20, first_user=3000)
    arrived = botfaults.assert_answered_once(fake_api, others, timeout=30)
    waits = [at - fake_api.served_at(message) for at, (message, _) in zip(arrived, others)]
    print(f"\nwhile one user flooded, 20 others waited at most {max(waits):.2f} s")
    assert max(waits) < 3.0, waits

    fake_api.wait_for(lambda c: c.method == "answerInlineQuery", count=100)
    time.sleep(1.0)
    to_flooder = [c.text for c in fake_api.sent("sendMessage", chat_id=666)]
    assert len(to_flooder) == 6 and sum(STATION_QUOTE in t for t in to_flooder) == 5
    assert sum(t.startswith("You are asking faster than I can read") for t in to_flooder) == 1
    assert len({c.reply_to for c in fake_api.sent("sendMessage", chat_id=666)}) == 6
    assert not any(c.params["results"] for c in fake_api.sent("answerInlineQuery")), "over quota: no searches"
    assert fake_api.sent("answerInlineQuery")[0].params["button"]["text"].startswith("You are asking faster")
    assert sum(bool(fake_api.replies_to(m)) for m in flood) == 6


def test_beyond_the_search_queue_bound_people_are_told_the_bot_is_busy(start_bot, fake_api):
    """With a bound of a millisecond's wait, a burst of 40 is more than the search workers may queue."""
    bot = start_bot(max_search_wait=0.001, questions_per_minute=0)
    asked = botfaults.ask_many(fake_api, 40, first_user=4000)
    texts = [fake_api.wait_reply(message).text for message, _ in asked]
    time.sleep(0.5)
    assert all(len(fake_api.replies_to(m)) == 1 for m, _ in asked)
    busy = [t for t in texts if t == html.escape(replies.OVERLOADED)]
    answered = [t for (_, expected), t in zip(asked, texts) if expected in t]
    assert busy and answered and len(busy) + len(answered) == len(asked), texts
    service = bot.application.bot_data["newsbot"].service
    assert service.pending == 0, "every admitted search released its place"
    again = fake_api.wait_reply(fake_api.send_message(STATION, user_id=4999))
    assert STATION_QUOTE in again.text


def test_the_token_never_reaches_logs_errors_or_replies(start_bot, fake_api, page_server):
    """Everything every logger says at DEBUG (httpx, httpcore and telegram included) during a run
    with questions, a failing request, a failed download and a shutdown, through the bot's redaction."""
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    noisy = ["httpx", "httpcore", "telegram", "apscheduler", "bot", "index", "asyncio"]
    levels = {name: logging.getLogger(name).level for name in noisy} | {"": root.level}
    root.addHandler(capture)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    redact_in_logs(TOKEN)  # what bot/cli.py configure_logging installs
    try:
        bot = start_bot()
        assert STATION_QUOTE in fake_api.wait_reply(fake_api.send_message(STATION)).text
        fake_api.fail("sendMessage", Failure("400", description="Bad Request: chat not found"))
        assert fake_api.wait_reply(fake_api.send_message(HARBOUR)).text == replies.SORRY
        fake_api.fail("sendMessage", Failure("500"), Failure("drop"))
        assert "Judges praised" in fake_api.wait_reply(fake_api.send_message("What did the judges say about the crust?")).text
        gone = fake_api.upload("gone.txt", b"")
        fake_api.forget_file(gone["file_id"])  # getFile works, the download answers 404
        assert fake_api.wait_reply(fake_api.send_message(document=gone, user_id=ADMIN_ID)).text == \
            replies.DOWNLOAD_FAILED
        bot.stop()
    finally:
        root.removeHandler(capture)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        for handler in root.handlers:
            for redactor in [f for f in handler.filters if isinstance(f, RedactSecrets)]:
                handler.removeFilter(redactor)
    log = stream.getvalue()
    assert "could not download document" in log
    for logger in ("httpx", "httpcore", "telegram.ext.Application", "bot.handlers", "bot.flood"):
        assert f" {logger}" in log, f"{logger} was captured"
    assert "HTTP Request: POST" in log and "[redacted]" in log, "URLs with the token were logged, redacted"
    assert "failed to handle update" in log and "Traceback" in log and "Application.stop() complete" in log
    secret = TOKEN.split(":")[1]
    assert TOKEN not in log and secret not in log
    said = [json.dumps(c.params) for c in fake_api.calls if c.method != "getUpdates"]
    assert not [s for s in said if secret in s], "nor in anything the bot sent"
