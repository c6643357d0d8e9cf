"""The bot in a private chat, end to end: real Application, real model, fake Bot API over HTTP."""

import html
import re

import pytest

from bot.format import NOT_FOUND
from tests.fakebotapi import BOT_USERNAME

pytestmark = pytest.mark.slow

COUNCIL_QUOTE = "The council agreed to borrow £4 million to pay for the repairs."


def shown(call):
    """The reply as the user sees it (tags removed, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", call.text))


@pytest.fixture
def empty_index(tmp_path, embedder):
    from index.engine import NewsIndex

    index = NewsIndex(tmp_path / "empty.db", embedder=embedder)
    yield index
    index.close()


def test_start_offers_two_example_questions_that_the_bot_answers(start_bot, fake_api):
    start_bot()
    welcome = fake_api.wait_reply(fake_api.send_message("/start"))
    examples = [html.unescape(q) for q in re.findall(r"• <code>(.*?)</code>", welcome.text)]
    assert len(examples) == 2 and all(q.startswith("Who said") for q in examples), welcome.text
    assert f"@{BOT_USERNAME}" in welcome.text and "/sources" in welcome.text
    commands = fake_api.sent("setMyCommands")[0].params["commands"]
    assert {c["command"] for c in commands} == {"start", "help", "ask", "sources", "add"}
    for question in examples:
        answer = fake_api.wait_reply(fake_api.send_message(question))
        assert "<blockquote>" in answer.text and NOT_FOUND not in shown(answer), (question, answer.text)


def test_question_is_answered_with_the_quote_and_source_line(start_bot, fake_api):
    start_bot()
    question = fake_api.send_message("How much will the council borrow for the repairs?")
    answer = fake_api.wait_reply(question)
    assert answer.text.startswith(f"<blockquote>{html.escape(COUNCIL_QUOTE)}</blockquote>\n")
    assert answer.text.endswith("— LBC · 3 Mar 2025 · harbour.txt, line 11")
    assert answer.params["parse_mode"] == "HTML" and answer.params["link_preview_options"] == {"is_disabled": True}
    typing = [c for c in fake_api.sent("sendChatAction", chat_id=question["chat"]["id"])
              if c.params["action"] == "typing"]
    assert typing and typing[0].at < answer.at, "typing… must be shown before the answer arrives"


def test_source_line_links_the_title_to_the_sentence(start_bot, fake_api):
    start_bot()
    answer = fake_api.wait_reply(fake_api.send_message("When will the central station reopen?"))
    assert "<blockquote>The old central station will reopen in June.</blockquote>" in answer.text
    link = 'href="https://metro.example/station#:~:text=The%20old%20central%20station%20will%20reopen%20in%20June."'
    assert f"— Metro Wire · <a {link}>Station to reopen</a> · 3 Apr 2025 · articles.jsonl, line 1" in answer.text


def test_more_edits_in_the_next_answers_and_context_shows_the_neighbours(start_bot, fake_api, bot_index):
    bot_index.min_score = 0.3  # below the calibrated threshold, so the question has next-best answers to show
    start_bot()
    question = fake_api.send_message("What will happen to the harbour wall?")
    answer = fake_api.wait_reply(question)
    buttons = {b["text"]: b["callback_data"] for b in answer.buttons()}
    assert set(buttons) == {"More", "Context"}

    fake_api.press(answer, buttons["More"])
    edit = fake_api.wait_for(lambda c: c.method == "editMessageText")[0]
    assert edit.params["message_id"] == answer.result["message_id"]
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", edit.text)
    assert len(quotes) >= 2 and quotes[0] in answer.text, "the first answer stays first"
    assert len(set(quotes)) == len(quotes)
    assert "<b>Answers to</b> What will happen to the harbour wall?" in edit.text
    assert [b["text"] for b in edit.buttons()] == [f"Context {i}" for i in range(1, len(quotes) + 1)]
    fake_api.wait_for(lambda c: c.method == "answerCallbackQuery")

    fake_api.press(fake_api.message_of(answer), buttons["Context"])
    context = fake_api.wait_for(lambda c: c.method == "sendMessage" and c.reply_to == answer.result["message_id"])[0]
    # The byline and dateline before it are page furniture, not sentences, so the quote opens the article.
    assert context.text == (
        "<blockquote><b>The mayor of Port Ellen has promised to rebuild the harbour wall before winter.</b>\n"
        "Speaking on Monday, Mr. Grant said the council had &quot;no choice but to act&quot; after the storm."
        "</blockquote>\n— LBC · 3 Mar 2025 · harbour.txt, line 4")
    fake_api.wait_for(lambda c: c.method == "answerCallbackQuery", count=2)


def test_nothing_to_answer_says_so_and_suggests_sources(start_bot, fake_api):
    start_bot()
    answer = fake_api.wait_reply(fake_api.send_message("What is the capital of Mongolia?"))
    assert shown(answer) == "I couldn't find that in the news I have. Try other words, or see what I have read with /sources."
    assert "<blockquote>" not in answer.text and not answer.buttons()

    listing = fake_api.wait_reply(fake_api.send_message("/sources"))
    assert "• Metro Wire · <a href=\"https://metro.example/station\">Station to reopen</a> · 3 Apr 2025\n" in listing.text
    assert "The Tech &lt;Desk&gt; · Coders argue over &lt;script&gt; tags &amp; &quot;smart&quot; quotes" in listing.text


def test_an_empty_index_says_it_has_read_nothing_rather_than_not_found(empty_index, start_bot, fake_api):
    start_bot(index=empty_index)
    answer = fake_api.wait_reply(fake_api.send_message("Who said the harbour wall would be rebuilt?"))
    assert shown(answer) == "I have not read any news yet; an admin can /add a source."
    assert NOT_FOUND not in shown(answer)


def test_html_in_articles_and_questions_arrives_escaped(start_bot, fake_api):
    start_bot()
    question = 'Who said <b>bold</b> tags & "ampersands" must be escaped?</blockquote>'
    answer = fake_api.wait_reply(fake_api.send_message(question))
    assert ("<blockquote>The developer Ada Quill said that &lt;b&gt;bold&lt;/b&gt; tags &amp; ampersands must always "
            "be escaped in chat messages.</blockquote>") in answer.text
    assert "The Tech &lt;Desk&gt; · Coders argue over &lt;script&gt; tags &amp; &quot;smart&quot; quotes" in answer.text
    more = {b["text"]: b["callback_data"] for b in answer.buttons()}.get("More")
    if more:  # the question is echoed in the "More" heading, escaped
        fake_api.press(answer, more)
        edit = fake_api.wait_for(lambda c: c.method == "editMessageText")[0]
        assert html.escape(question) in edit.text
    rejected = [c for c in fake_api.calls if not c.ok]
    assert not rejected, "the fake server refuses malformed HTML exactly as Telegram does"


def test_questions_over_the_per_user_limit_get_a_friendly_wait(start_bot, fake_api):
    start_bot(questions_per_minute=2)
    for _ in range(2):
        assert "<blockquote>" in fake_api.wait_reply(fake_api.send_message("When will the central station reopen?")).text
    third = fake_api.wait_reply(fake_api.send_message("When will the central station reopen?"))
    assert third.text.startswith("You are asking faster than I can read. Please wait")
    other_user = fake_api.wait_reply(fake_api.send_message("When will the central station reopen?", user_id=2002))
    assert "<blockquote>" in other_user.text


def test_help_and_unknown_commands(start_bot, fake_api):
    start_bot()
    assert "/sources" in fake_api.wait_reply(fake_api.send_message("/help")).text
    assert fake_api.wait_reply(fake_api.send_message("/frobnicate")).text.startswith("I don't know that command.")
