"""How the bot is started: ``newsbot run`` with and without a token, webhook mode, clean shutdown."""

import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot import replies
from tests.fakebotapi import TOKEN

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
COUNCIL = "How much will the council borrow for the repairs?"


def newsbot_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "TELEGRAM_"))}
    return {**env, "NEWSBOT_LOG_LEVEL": "DEBUG", **values}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_newsbot_run_serves_telegram_and_stops_cleanly_on_sigterm(fake_api, bot_index):
    env = newsbot_env(NEWSBOT_DB=str(bot_index.store.db_path), TELEGRAM_BOT_TOKEN=TOKEN,
                      TELEGRAM_API_BASE_URL=fake_api.base_url)
    bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        fake_api.wait_for(lambda c: c.method == "getUpdates", timeout=180)
        answer = fake_api.wait_reply(fake_api.send_message(COUNCIL))
        assert "The council agreed to borrow £4 million" in answer.text
        bot.send_signal(signal.SIGTERM)
        out, err = bot.communicate(timeout=60)
    finally:
        bot.kill()
    assert bot.returncode == 0, err[-3000:]
    assert "Application.stop() complete" in err
    assert TOKEN.split(":")[1] not in err + out and "[redacted]" in err, "the token never reaches the log"
    last_poll = [c for c in fake_api.calls if c.method == "getUpdates"][-1]
    assert last_poll.params["offset"] == 2, "the answered update was confirmed before exiting"


def test_newsbot_run_without_a_token_explains_and_answers_in_the_terminal(bot_index):
    env = newsbot_env(NEWSBOT_DB=str(bot_index.store.db_path), NEWSBOT_LOG_LEVEL="WARNING")
    result = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env, input=f"{COUNCIL}\n\n",
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "@BotFather" in result.stderr and "TELEGRAM_BOT_TOKEN" in result.stderr

    # The same words the bot sends on Telegram, minus markup: the blockquote becomes quotation marks.
    telegram = replies.answer(bot_index.ask(COUNCIL, 1 + replies.MORE_ANSWERS))[0]
    quote, source = html.unescape(re.sub(r"<[^>]+>", "", telegram)).split("\n")
    assert f"“{quote}”\n{source}\n" in result.stdout


def test_webhook_mode_receives_updates_and_refuses_requests_without_the_secret(start_bot, fake_api):
    port = free_port()
    url = f"http://127.0.0.1:{port}/newsbot/hook"
    start_bot(webhook_url=url, webhook_listen="127.0.0.1", webhook_port=port)
    webhook = fake_api.webhook
    assert webhook["url"] == url and len(webhook["secret_token"]) >= 32

    answer = fake_api.wait_reply(fake_api.send_message(COUNCIL))
    assert "The council agreed to borrow £4 million" in answer.text
    assert not [c for c in fake_api.calls if c.method == "getUpdates"]

    forged = {"update_id": 99, "message": {"message_id": 99, "date": 0, "chat": {"id": 1, "type": "private"},
                                           "from": fake_api.user(1), "text": COUNCIL}}
    request = urllib.request.Request(url, data=json.dumps(forged).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "X-Telegram-Bot-Api-Secret-Token": "guess"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    assert not fake_api.sent("sendMessage", chat_id=1)
