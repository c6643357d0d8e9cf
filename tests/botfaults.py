"""Bot API outages played against the real bot, shared by the fast tests and ``make stress``.

Each scenario takes the outage length, so ``make test`` runs it for a few
seconds and ``make stress`` for the 30 s the issue asks for; each asserts
that every question is answered exactly once and returns what it measured.
"""

from __future__ import annotations

import time

from tests.fakebotapi import Failure, FakeBotAPI

# Questions about the fixture index (tests/conftest.py bot_index) and a words of the quote that answers each.
QUESTIONS = {
    "How much will the council borrow for the repairs?": "The council agreed to borrow £4 million",
    "Who said the rail deal was fair for drivers?": "This is a fair deal for drivers,",
    "When will the central station reopen?": "The old central station will reopen in June.",
    "What did the judges say about the crust?": "Judges praised the crust",
    "Who said the reopening would cut journey times?": "Transport minister Leo Marsh said the reopening",
}


def ask_many(api: FakeBotAPI, count: int, *, first_user: int) -> list[tuple[dict, str]]:
    """``count`` questions from as many users; returns (message, expected quote) pairs."""
    items = list(QUESTIONS.items())
    return [(api.send_message(items[i % len(items)][0], user_id=first_user + i), items[i % len(items)][1])
            for i in range(count)]


def assert_answered_once(api: FakeBotAPI, asked: list[tuple[dict, str]], timeout: float) -> list[float]:
    """Every question got exactly one reply, with its quote; returns when each reply arrived."""
    arrived = [api.wait_reply(message, timeout=timeout).at for message, _ in asked]
    time.sleep(0.5)  # a duplicate would come right after the first
    for message, expected in asked:
        replies = api.replies_to(message)
        assert len(replies) == 1, (message["text"], [r.text for r in replies])
        assert expected in replies[0].text, (message["text"], replies[0].text)
    return arrived


def assert_offsets_never_go_back(api: FakeBotAPI) -> None:
    """The bot confirmed updates in order and never asked again for one it had confirmed."""
    last_update = max(api.served_update_ids())
    api.wait_for(lambda c: c.method == "getUpdates" and int(c.params.get("offset") or 0) == last_update + 1,
                 timeout=30)
    offsets = [int(c.params.get("offset") or 0) for c in api.calls if c.method == "getUpdates"]
    assert offsets == sorted(offsets), offsets


def get_updates_fails(api: FakeBotAPI, seconds: float, *, status: str = "502") -> dict:
    """getUpdates answers ``status`` for ``seconds`` while people keep asking; then all are answered once."""
    assert_answered_once(api, ask_many(api, 1, first_user=61_000), timeout=30)
    api.fail_for("getUpdates", Failure(status, description="Bad Gateway"), seconds)
    api.drop_connections()  # end the long poll in progress, as a restarting Telegram front end would
    started = time.monotonic()
    asked = ask_many(api, 5, first_user=62_000)
    time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    assert not any(api.replies_to(m) for m, _ in asked), "nothing arrives while getUpdates fails"
    failed_polls = [c for c in api.calls if c.method == "getUpdates" and c.outcome == status]
    assert failed_polls, "the bot kept polling during the outage"
    arrived = assert_answered_once(api, asked, timeout=seconds + 60)
    assert_offsets_never_go_back(api)
    return {"outage_s": seconds, "failed_polls": len(failed_polls), "recovered_after_s": min(arrived) - (started + seconds)}


def api_unreachable(api: FakeBotAPI, seconds: float) -> dict:
    """The whole Bot API refuses connections for ``seconds``, starting while an answer is being searched.

    That answer is sent once the API is back (network retries last a minute);
    questions asked during the outage are fetched and answered afterwards.
    """
    assert_answered_once(api, ask_many(api, 1, first_user=71_000), timeout=30)
    api.fail("sendChatAction", Failure("outage", delay=seconds))  # "typing…" starts the outage
    in_flight = ask_many(api, 1, first_user=72_000)
    started = api.wait_for(lambda c: c.method == "sendChatAction" and c.outcome == "outage", failed=True)[0].at
    asked = ask_many(api, 5, first_user=73_000)
    arrived = assert_answered_once(api, in_flight + asked, timeout=seconds + 90)
    assert arrived[0] >= started + seconds, "the in-flight answer could only arrive after the outage"
    assert_offsets_never_go_back(api)
    return {"outage_s": seconds, "in_flight_answer_after_s": arrived[0] - started,
            "recovered_after_s": min(arrived[1:]) - (started + seconds)}


def get_updates_times_out(api: FakeBotAPI, delay: float) -> dict:
    """A getUpdates answer comes after the bot gave up waiting: its updates come again, handled once."""
    api.fail("getUpdates", Failure("slow", delay=delay))
    api.drop_connections()  # the next poll is the slow one
    asked = ask_many(api, 3, first_user=81_000)
    arrived = assert_answered_once(api, asked, timeout=delay + 60)
    assert_offsets_never_go_back(api)
    return {"delay_s": delay, "answered_after_s": max(arrived) - min(api.served_at(m) for m, _ in asked)}
