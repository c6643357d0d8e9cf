"""A flaky Bot API, failing handlers and many users at once, end to end."""

import logging
import time

import pytest

from tests.botfaults import QUESTIONS
from tests.fakebotapi import TOKEN, Failure

pytestmark = pytest.mark.slow


def test_429_twice_then_success_delivers_the_answer_exactly_once(start_bot, fake_api):
    start_bot()
    fake_api.fail("sendMessage", Failure("429", retry_after=1), Failure("429", retry_after=1))
    started = time.monotonic()
    question = fake_api.send_message("When will the central station reopen?")
    answer = fake_api.wait_reply(question)
    assert "The old central station will reopen in June." in answer.text
    attempts = [c for c in fake_api.calls if c.method == "sendMessage"]
    assert [c.outcome for c in attempts] == ["429", "429", "ok"]
    assert attempts[1].at - attempts[0].at >= 1.0 and attempts[2].at - attempts[1].at >= 1.0, "retry_after honoured"
    time.sleep(0.5)
    assert len(fake_api.replies_to(question)) == 1
    assert time.monotonic() - started < 10


def test_server_errors_and_dropped_connections_are_retried(start_bot, fake_api):
    start_bot()
    fake_api.fail("sendMessage", Failure("500"), Failure("drop"), Failure("502", description="Bad Gateway"))
    question = fake_api.send_message("What did the judges say about the crust?")
    assert "Judges praised the crust" in fake_api.wait_reply(question).text
    assert [c.outcome for c in fake_api.calls if c.method == "sendMessage"] == ["500", "drop", "502", "ok"]
    time.sleep(0.5)
    assert len(fake_api.replies_to(question)) == 1


def test_a_failing_handler_is_logged_the_user_is_told_and_the_bot_carries_on(start_bot, fake_api, caplog):
    start_bot()
    caplog.set_level(logging.DEBUG, logger="bot")
    fake_api.fail("sendMessage", Failure("400", description="Bad Request: chat not found"))
    first = fake_api.send_message("When will the central station reopen?")
    sorry = fake_api.wait_reply(first)
    assert sorry.text == "Sorry, something went wrong on my side. Please try again in a moment."
    assert "failed to handle update" in caplog.text and "Chat not found" in caplog.text
    later = fake_api.wait_reply(fake_api.send_message("What did the judges say about the crust?"))
    assert "Judges praised the crust" in later.text
    ours = "\n".join(r.getMessage() + str(r.exc_info) for r in caplog.records if r.name.startswith("bot"))
    assert "Chat not found" in ours and TOKEN.split(":")[1] not in ours


def test_fifty_users_asking_at_once_are_all_answered(start_bot, fake_api):
    start_bot()
    questions = list(QUESTIONS.items())
    asked = [(fake_api.send_message(questions[i % len(questions)][0], user_id=5000 + i), questions[i % len(questions)][1])
             for i in range(50)]
    fake_api.wait_for(lambda c: c.method == "sendMessage", count=50, timeout=60)
    for message, expected in asked:
        replies = fake_api.replies_to(message)
        assert len(replies) == 1 and expected in replies[0].text, (message["text"], [r.text for r in replies])
        assert replies[0].params["chat_id"] == message["chat"]["id"]
