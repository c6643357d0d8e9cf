"""Whether a message is meant for the bot, and the question it asks.

In a group most messages are people talking to each other; the bot speaks
only when it is mentioned, replied to, or called with /ask.  The same
function recovers the question from the message an answer replies to,
which is how "More" works without keeping any state.
"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity

_COMMAND = re.compile(r"^/\w+(?:@\w+)?")


def is_addressed(message: Message, bot_id: int, bot_username: str) -> bool:
    """Mentioned by @username, or a reply to one of the bot's messages."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    mention = f"@{bot_username}".lower()
    return any(text.lower() == mention for text in message.parse_entities([MessageEntity.MENTION]).values())


def question_text(message: Message, bot_username: str) -> str:
    """The message text without a leading command and without mentions of the bot."""
    text = (message.text or message.caption or "").strip()
    if message.parse_entities([MessageEntity.BOT_COMMAND]):
        text = _COMMAND.sub("", text, count=1)
    text = re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())
