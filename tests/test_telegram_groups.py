"""Groups (mention, reply, /ask; chatter ignored) and inline mode, end to end."""

import time

import pytest

from tests.fakebotapi import BOT_USERNAME

pytestmark = pytest.mark.slow

STATION = "<blockquote>The old central station will reopen in June.</blockquote>"


def test_group_answers_mentions_replies_and_ask_but_ignores_chatter(start_bot, fake_api):
    start_bot()
    group = fake_api.group()
    chatter = fake_api.send_message("When will the central station reopen? Anyone know?", user_id=11, chat=group)
    mention = fake_api.send_message(f"@{BOT_USERNAME} when will the central station reopen?", user_id=12, chat=group)
    answer = fake_api.wait_reply(mention)
    assert answer.params["chat_id"] == group["id"] and STATION in answer.text

    ask = fake_api.send_message(f"/ask@{BOT_USERNAME} How much will the council borrow for the repairs?",
                                user_id=13, chat=group)
    assert "borrow £4 million" in fake_api.wait_reply(ask).text

    follow_up = fake_api.send_message("And what did the judges say about the crust?", user_id=12, chat=group,
                                      reply_to=fake_api.message_of(answer))
    assert "Judges praised the crust" in fake_api.wait_reply(follow_up).text

    mention_of_someone_else = fake_api.send_message("@someone_else when will the station reopen?", user_id=14,
                                                    chat=group)
    last = fake_api.send_message("/ask What did the union accept?", user_id=15, chat=group)
    fake_api.wait_reply(last)  # the bot has read every message before this one
    time.sleep(0.5)
    assert not fake_api.replies_to(chatter) and not fake_api.replies_to(mention_of_someone_else)
    assert len(fake_api.sent("sendMessage", chat_id=group["id"])) == 4


def test_more_works_for_a_question_asked_with_a_mention(start_bot, fake_api, bot_index):
    bot_index.min_score = 0.3  # below the calibrated threshold, so the question has next-best answers to show
    start_bot()
    group = fake_api.group()
    mention = fake_api.send_message(f"@{BOT_USERNAME} What will happen to the harbour wall?", chat=group)
    answer = fake_api.wait_reply(mention)
    fake_api.press(answer, "more")
    edit = fake_api.wait_for(lambda c: c.method == "editMessageText")[0]
    assert "<b>Answers to</b> What will happen to the harbour wall?" in edit.text


def test_ask_without_a_question_explains_itself(start_bot, fake_api):
    start_bot()
    usage = fake_api.wait_reply(fake_api.send_message("/ask", chat=fake_api.group()))
    assert "/ask who said" in usage.text


def test_inline_query_offers_answers_that_post_quote_and_source(start_bot, fake_api):
    start_bot()
    fake_api.inline_query("How much will the council borrow for the repairs?")
    answered = fake_api.wait_for(lambda c: c.method == "answerInlineQuery")[0]
    results = answered.params["results"]
    assert results and results[0]["title"].startswith("The council agreed to borrow £4 million")
    assert results[0]["description"] == "LBC · 3 Mar 2025"
    content = results[0]["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert content["message_text"].startswith("<blockquote>The council agreed to borrow £4 million")
    assert content["message_text"].endswith("— LBC · 3 Mar 2025 · harbour.txt, line 11")

    fake_api.inline_query("What is the capital of Mongolia?")
    nothing = fake_api.wait_for(lambda c: c.method == "answerInlineQuery", count=2)[1]
    assert nothing.params["results"] == [] and nothing.params["button"]["start_parameter"] == "sources"
