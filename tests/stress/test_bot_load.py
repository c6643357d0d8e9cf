"""Issue 6, Telegram side, the long runs (``make stress``): load, memory over 10,000 questions, 30 s outages.

The load tests run ``newsbot run`` as its own process against the fake Bot
API, so latency is not shared with the fake server's threads and RSS is the
bot's alone.  Each test prints its figures; tests/stress/BOT_RESULTS.md
records them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests import botfaults
from tests.fakebotapi import TOKEN, FakeBotAPI

pytestmark = [pytest.mark.stress, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
OUTAGE_S = float(os.environ.get("NEWSBOT_STRESS_OUTAGE_S", "30"))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@pytest.fixture
def bot_process(fake_api: FakeBotAPI, bot_index, tmp_path):
    """``newsbot run`` on the fixture index, serving the fake Bot API with the default settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "TELEGRAM_"))}
    env.update(NEWSBOT_DB=str(bot_index.store.db_path), TELEGRAM_BOT_TOKEN=TOKEN,
               TELEGRAM_API_BASE_URL=fake_api.base_url, NEWSBOT_LOG_LEVEL="WARNING")
    log = (tmp_path / "bot.log").open("w")
    bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                           stdout=log, stderr=subprocess.STDOUT)
    try:
        fake_api.wait_for(lambda c: c.method == "getUpdates", timeout=180)
        yield bot
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=90) == 0, (tmp_path / "bot.log").read_text()[-3000:]
    finally:
        bot.kill()
        log.close()
    assert TOKEN.split(":")[1] not in (tmp_path / "bot.log").read_text()


def replies_per_question(api: FakeBotAPI) -> Counter:
    return Counter((c.params["chat_id"], c.reply_to) for c in api.sent("sendMessage"))


def test_200_users_asking_5_questions_each_within_seconds_are_all_answered(fake_api, bot_process):
    items = list(botfaults.QUESTIONS.items())
    warm = fake_api.send_message(items[0][0], user_id=99)
    fake_api.wait_reply(warm, timeout=60)
    asked = []
    started = time.monotonic()
    for round_ in range(5):
        for user in range(200):
            question, expected = items[(user + round_) % len(items)]
            asked.append((fake_api.send_message(question, user_id=100_000 + user), expected))
            time.sleep(0.0025)
    sent_in = time.monotonic() - started
    arrived = botfaults.assert_answered_once(fake_api, asked, timeout=180)
    latencies = [at - fake_api.served_at(m) for at, (m, _) in zip(arrived, asked)]
    done_in = max(arrived) - started
    print(f"\n1,000 questions from 200 users sent in {sent_in:.1f} s; all answered once in {done_in:.1f} s "
          f"({len(asked) / done_in:.1f} answers/s); update served -> answer received: "
          f"median {percentile(latencies, 50):.1f} s, p95 {percentile(latencies, 95):.1f} s, "
          f"max {max(latencies):.1f} s")
    assert sent_in < 10


def test_memory_stays_flat_over_10000_questions(fake_api, bot_process):
    total, warm_up, window, users = 10_000, 1_000, 300, 2_000
    items = list(botfaults.QUESTIONS.items())
    asked: list[tuple[dict, str]] = []
    samples: dict[int, float] = {}
    started = time.monotonic()
    while len(asked) < total or fake_api.sent_count() < total:
        answered = fake_api.sent_count()
        if answered // 1000 * 1000 not in samples and answered >= 1000:
            samples[answered // 1000 * 1000] = rss_mib(bot_process.pid)
        if len(asked) < total and len(asked) - answered < window:
            i = len(asked)
            question, expected = items[i % len(items)]
            asked.append((fake_api.send_message(question, user_id=200_000 + i % users), expected))
            continue
        assert time.monotonic() - started < 1200, f"only {answered} of {len(asked)} answered"
        time.sleep(0.01)
    elapsed = time.monotonic() - started
    time.sleep(2.0)
    end = rss_mib(bot_process.pid)
    counts = replies_per_question(fake_api)
    assert all(counts[(m["chat"]["id"], m["message_id"])] == 1 for m, _ in asked), "each answered exactly once"
    sent = {(c.params["chat_id"], c.reply_to): c.text for c in fake_api.sent("sendMessage")}
    wrong = [m["text"] for m, expected in asked if expected not in sent[(m["chat"]["id"], m["message_id"])]]
    assert not wrong, wrong[:5]
    early = samples[warm_up]
    growth = (end - early) / early
    print(f"\n{total:,} questions from {users:,} users in {elapsed:.0f} s ({total / elapsed:.1f}/s); bot RSS MiB "
          f"after {warm_up:,}: {early:.0f}, after {total:,}: {end:.0f} (growth {growth:+.1%}); every 1,000: "
          + ", ".join(f"{v:.0f}" for _, v in sorted(samples.items())))
    assert growth <= 0.05


def test_get_updates_answering_502_for_30_s(start_bot, fake_api):
    start_bot()
    figures = botfaults.get_updates_fails(fake_api, OUTAGE_S, status="502")
    print(f"\ngetUpdates 502 for {OUTAGE_S:.0f} s: {figures['failed_polls']} failed polls; the questions asked "
          f"meanwhile were answered {figures['recovered_after_s']:.1f} s after it ended, each once")


def test_bot_api_refusing_connections_for_30_s(start_bot, fake_api):
    start_bot()
    figures = botfaults.api_unreachable(fake_api, OUTAGE_S)
    print(f"\nBot API unreachable for {OUTAGE_S:.0f} s: the answer in flight arrived "
          f"{figures['in_flight_answer_after_s']:.1f} s after the outage began; questions asked meanwhile were "
          f"answered {figures['recovered_after_s']:.1f} s after it ended, each once")


def test_get_updates_answer_arriving_after_the_read_timeout(start_bot, fake_api):
    start_bot()
    figures = botfaults.get_updates_times_out(fake_api, 20.0)
    print(f"\ngetUpdates answered {figures['delay_s']:.0f} s late (after the client's read timeout): the updates "
          f"were fetched again and answered once, {figures['answered_after_s']:.1f} s after first served")
