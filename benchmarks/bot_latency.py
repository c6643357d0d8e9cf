"""How long a question waits for its answer, through the real bot and HTTP.

Starts the fake Bot API server and the real Application (as ``newsbot run``
starts it), has USERS people ask QUESTIONS questions between them, and
measures, for each, the time from the fake server handing the update to the
bot (getUpdates answered) to the fake server receiving the answer's
sendMessage.  That includes the typing action, the search in the thread
pool, HTML building and python-telegram-bot's flood control (30 messages a
second overall, which Telegram imposes), but no internet round trip.

    .venv/bin/python benchmarks/bot_latency.py              # 10 questions a second
    .venv/bin/python benchmarks/bot_latency.py --rate 0     # all at once
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from index.engine import NewsIndex  # noqa: E402
from tests.botrunner import RunningBot  # noqa: E402
from tests.fakebotapi import TOKEN, FakeBotAPI  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SHARED_NEWS = ROOT.parents[0] / "shared" / "news"
QUESTIONS = [
    "How much will the council borrow for the repairs?",
    "Who said the rail deal was fair for drivers?",
    "When will the central station reopen?",
    "What did the judges say about the crust?",
    "What will happen to the harbour wall?",
    "Who said there can be no talk about Ukraine without Ukraine?",
    "What is the capital of Mongolia?",
    "Who said the reopening would cut journey times?",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=10.0, help="questions per second, Poisson arrivals; 0: all at once")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as folder, FakeBotAPI() as api:
        index = NewsIndex(Path(folder) / "news.db")
        sources = [str(FIXTURES / n) for n in ("harbour.txt", "articles.jsonl", "bakery.txt", "markup.txt")]
        sources += [str(SHARED_NEWS)] if SHARED_NEWS.is_dir() else []
        index.ingest(sources)
        stats = index.stats()
        settings = Settings(db=Path(folder) / "news.db", telegram_bot_token=TOKEN, telegram_api_base_url=api.base_url)
        bot = RunningBot(settings, index, api).start()
        api.wait_reply(api.send_message(QUESTIONS[0], user_id=1))  # warm-up, not measured
        try:
            asked = []
            started = time.monotonic()
            for i in range(args.questions):
                asked.append(api.send_message(rng.choice(QUESTIONS), user_id=10_000 + i % args.users))
                if args.rate > 0:
                    time.sleep(rng.expovariate(args.rate))
            latencies = [api.wait_reply(message, timeout=120).at - api.served_at(message) for message in asked]
            elapsed = time.monotonic() - started
        finally:
            bot.stop()
            index.close()

    ms = [x * 1000 for x in latencies]
    print(f"index: {stats['articles']} articles, {stats['sentences']} sentences; model {stats['model']}")
    print(f"{args.questions} questions from {args.users} users, "
          f"{'all at once' if args.rate <= 0 else f'{args.rate:g}/s Poisson arrivals'}; done in {elapsed:.1f}s")
    print(f"update served -> answer sendMessage received: median {statistics.median(ms):.0f} ms, "
          f"p95 {percentile(ms, 95):.0f} ms, max {max(ms):.0f} ms")


if __name__ == "__main__":
    main()
