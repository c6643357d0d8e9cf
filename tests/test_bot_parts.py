"""The bot's small pure parts: quota, example questions, addressing, which failures are retried."""

from datetime import datetime, timezone

import httpx
import pytest
from telegram import Chat, Message, MessageEntity, User
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.addressing import is_addressed, question_text
from bot.examples import example_question
from bot.flood import is_transient
from bot.quota import QuestionQuota, Refusal

BOT = User(id=99, is_bot=True, first_name="Newsbot", username="news_bot")


def test_quota_allows_the_limit_per_minute_then_says_how_long_to_wait():
    now = [1000.0]
    quota = QuestionQuota(2, clock=lambda: now[0])
    assert quota.take(1) is None and quota.take(1) is None
    now[0] += 20
    assert quota.take(1) == Refusal(pytest.approx(40), tell=True)
    assert quota.take(2) is None, "each user has their own window"
    now[0] += 40
    assert quota.take(1) is None
    assert QuestionQuota(0).take(1) is None, "0 means no limit"


def test_a_flooding_user_is_told_to_wait_once_per_window_not_once_per_message():
    now = [0.0]
    quota = QuestionQuota(3, clock=lambda: now[0])
    told = []
    for _ in range(600):  # 10 messages a second for a minute
        refusal = quota.take(7)
        told += [now[0]] if refusal and refusal.tell else []
        now[0] += 0.1
    assert told == [pytest.approx(0.3)], "one 'slow down' in the first minute"
    now[0] = 61.0
    assert quota.take(7) is None and quota.take(7) is None and quota.take(7) is None
    assert quota.take(7).tell, "a new window, a new warning"


@pytest.mark.parametrize("sentence, question", [
    ('"This is a fair deal for drivers," she said.', 'Who said "This is a fair deal for drivers"?'),
    ("Union leader Priya Shah said members had accepted a 5% pay rise.",
     "Who said members had accepted a 5% pay rise?"),
    ("Officials said that the new wall would be higher.", "Who said the new wall would be higher?"),
    ("Officials said the new wall would be 3 metres higher than the old one... if the money arrives.", None),
    ("The old central station will reopen in June.", None),
])
def test_example_questions_are_written_from_what_was_said(sentence, question):
    assert example_question(sentence) == question


def message(text, *, entities=(), reply_to=None, chat_type="supergroup"):
    return Message(message_id=5, date=datetime.now(timezone.utc), chat=Chat(id=-5, type=chat_type), text=text,
                   entities=list(entities), from_user=User(id=7, is_bot=False, first_name="Ann"),
                   reply_to_message=reply_to)


def test_a_group_message_is_addressed_by_mention_or_reply_only():
    mention = message("@News_Bot when does the station reopen?", entities=[MessageEntity("mention", 0, 9)])
    assert is_addressed(mention, BOT.id, BOT.username)
    assert question_text(mention, BOT.username) == "when does the station reopen?"
    other = message("@someone when?", entities=[MessageEntity("mention", 0, 8)])
    assert not is_addressed(other, BOT.id, BOT.username)
    bots_answer = Message(message_id=4, date=datetime.now(timezone.utc), chat=Chat(id=-5, type="supergroup"),
                          text="quote", from_user=BOT)
    assert is_addressed(message("and the ferry?", reply_to=bots_answer), BOT.id, BOT.username)
    assert not is_addressed(message("and the ferry?"), BOT.id, BOT.username)


def test_question_text_drops_the_command_and_the_bots_name():
    ask = message("/ask@news_bot  who said   it?", entities=[MessageEntity("bot_command", 0, 13)])
    assert question_text(ask, "news_bot") == "who said it?"
    assert question_text(message("/ask", entities=[MessageEntity("bot_command", 0, 4)]), "news_bot") == ""


def test_only_failures_that_cannot_have_been_delivered_twice_are_retried():
    def caused_by(error, cause):
        error.__cause__ = cause
        return error

    assert is_transient(NetworkError("Internal Server Error (500)"))
    assert is_transient(caused_by(NetworkError("httpx.RemoteProtocolError"), httpx.RemoteProtocolError("gone")))
    assert is_transient(caused_by(TimedOut(), httpx.ConnectTimeout("slow connect")))
    assert not is_transient(caused_by(TimedOut(), httpx.ReadTimeout("sent, maybe delivered")))
    assert not is_transient(BadRequest("Chat not found"))
