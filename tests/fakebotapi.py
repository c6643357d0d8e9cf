"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of the real bot.

The bot under test talks to it over HTTP exactly as it talks to Telegram
(``TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot``).  A test plays the
users: it queues updates (messages, button presses, inline queries,
documents), which the bot receives through real long polling, and then waits
for what the bot sent.  Like Telegram, the server refuses malformed HTML,
over-long texts and unknown methods, so a test also fails when the bot
sends something Telegram would reject.  Failures can be injected per
method, for the next calls or for a stretch of time: 429 with
``retry_after``, 5xx, 400, a dropped connection, or a slow answer (the call
takes effect, the response comes after the client gave up, as when
Telegram's reply is lost).  ``unreachable`` closes the port and every open
connection for a while, so the bot sees "connection refused".

It runs in its own threads (``ThreadingHTTPServer``), so tests and the
benchmark drive it with plain blocking calls.
"""

from __future__ import annotations

import html
import json
import re
import socket
import sys
import threading
import time
import urllib.request
from collections import deque
from contextlib import suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN = "700000001:AAFakeTokenForTestsOnly_abcdefghijk"
BOT_ID = 700000001
BOT_USERNAME = "newsbot_test_bot"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Newsbot", "username": BOT_USERNAME,
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}

# Parameters that PTB sends JSON-encoded inside a form field.
_JSON_FIELDS = {"reply_markup", "reply_parameters", "link_preview_options", "commands", "results", "entities",
                "allowed_updates", "button", "scope"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time"}
_TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
                  "pre", "blockquote", "tg-emoji"}
_ENTITIES = {"lt", "gt", "amp", "quot"}
MAX_TEXT = 4096


class TelegramHTMLError(ValueError):
    pass


class _Validator(HTMLParser):
    """Telegram's HTML parse mode: a few tags, properly nested, and every <, > and & escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in _TELEGRAM_TAGS:
            raise TelegramHTMLError(f"Unsupported start tag \"{tag}\"")
        if tag == "a" and not dict(attrs).get("href"):
            raise TelegramHTMLError("<a> without href")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise TelegramHTMLError(f"Unmatched end tag \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if any(ch in data for ch in "<>&"):
            raise TelegramHTMLError(f"Unescaped character in {data[:40]!r}")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _ENTITIES:
            raise TelegramHTMLError(f"Unsupported entity &{name};")
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees; raises TelegramHTMLError where Telegram answers "can't parse entities"."""
    if (parse_mode or "").upper() != "HTML":
        return text
    parser = _Validator()
    parser.feed(text)
    parser.close()
    if parser.rawdata:
        raise TelegramHTMLError(f"Unfinished markup {parser.rawdata[:40]!r}")
    if parser.stack:
        raise TelegramHTMLError(f"Unclosed tag \"{parser.stack[-1]}\"")
    return "".join(parser.text)


@dataclass
class Call:
    """One request the bot made, as received."""

    method: str
    params: dict[str, Any]
    at: float
    ok: bool = True
    outcome: str = "ok"
    result: Any = None

    @property
    def text(self) -> str:
        return self.params.get("text", "")

    @property
    def reply_to(self) -> int | None:
        return (self.params.get("reply_parameters") or {}).get("message_id")

    def buttons(self) -> list[dict]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Failure:
    """What to answer instead of the real result: "429", "500" (any status), "drop", "slow" or "outage".

    "slow" performs the call (a message is delivered) and answers ``delay``
    seconds later; "outage" drops the call and makes the server unreachable
    for ``delay`` seconds; the other kinds do nothing.
    """

    kind: str
    retry_after: int = 1
    description: str = "Internal Server Error"
    delay: float = 0.0


class _Outage(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"unreachable for {seconds}s")
        self.seconds = seconds


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass
class _State:
    updates: list[dict] = field(default_factory=list)
    next_update_id: int = 1
    next_message_id: int = 1
    messages: dict[tuple[int, int], dict] = field(default_factory=dict)
    chats: dict[int, dict] = field(default_factory=dict)
    update_of: dict[tuple[int, int], int] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes | None]] = field(default_factory=dict)
    served_at: dict[int, float] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    ok_counts: dict[str, int] = field(default_factory=dict)
    failures: dict[str, deque[Failure]] = field(default_factory=dict)
    failing_until: dict[str, tuple[Failure, float]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)


class FakeBotAPI:
    """The Bot API as the bot sees it, and the chats as a test drives them."""

    def __init__(self, token: str = TOKEN):
        self.token = token
        self._cond = threading.Condition()
        self._state = _State()
        self._closing = False
        self._down = False  # unreachable: every request is dropped until the port reopens
        api = self

        class Handler(_Handler):
            fake = api

        self._handler = Handler
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = _Server(("127.0.0.1", 0), Handler)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-bot-api", daemon=True)

    # -- lifecycle --------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> FakeBotAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def unreachable(self, seconds: float) -> threading.Thread:
        """Refuse connections for ``seconds``: close the port and every open connection, then reopen.

        Returns at once, with the port closed; join the returned thread to wait for the reopening.
        """
        with self._cond:
            self._down = True
            server, self._server = self._server, None
        self.drop_connections()
        server.shutdown()  # takes up to half a second; meanwhile ``_down`` drops what gets in
        server.server_close()
        self.drop_connections()

        def reopen() -> None:
            time.sleep(seconds)
            with self._cond:
                if self._closing:
                    return
                self._server = _Server(("127.0.0.1", self._port), self._handler)
                self._down = False
                threading.Thread(target=self._server.serve_forever, name="fake-bot-api", daemon=True).start()

        thread = threading.Thread(target=reopen, name="fake-bot-api-outage", daemon=True)
        thread.start()
        return thread

    def drop_connections(self) -> None:
        """Close every open connection (a long poll in progress ends with an error)."""
        with self._cond:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- driving: what users do -------------------------------------------

    @staticmethod
    def user(user_id: int, name: str | None = None) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": name or f"User{user_id}", "language_code": "en"}

    @staticmethod
    def group(chat_id: int = -100123, title: str = "News fans") -> dict:
        return {"id": chat_id, "type": "supergroup", "title": title}

    def send_message(self, text: str | None = None, *, user_id: int = 1001, chat: dict | None = None,
                     reply_to: dict | None = None, document: dict | None = None, caption: str | None = None,
                     **fields: Any) -> dict:
        """A user's message arrives; returns it as the bot will see it.

        ``fields`` are further Message fields as Telegram sends them (sticker, photo, voice, ...).
        """
        sender = self.user(user_id)
        chat = chat or {"id": user_id, "type": "private", "first_name": sender["first_name"]}
        with self._cond:
            message = {"message_id": self._new_message_id(), "date": int(time.time()), "chat": chat, "from": sender,
                       **fields}
            if text is not None:
                message["text"] = text
                if entities := _entities(text):
                    message["entities"] = entities
            if document is not None:
                message["document"] = document
            if caption is not None:
                message["caption"] = caption
            if reply_to is not None:
                message["reply_to_message"] = reply_to
            self._state.messages[(chat["id"], message["message_id"])] = message
            self._state.chats[chat["id"]] = chat
            self._state.update_of[(chat["id"], message["message_id"])] = self._queue({"message": message})
        return message

    def edit_message(self, message: dict, text: str) -> dict:
        """The user edits a message they sent: an ``edited_message`` update."""
        edited = {**message, "text": text, "edit_date": int(time.time())}
        edited.pop("entities", None)
        if entities := _entities(text):
            edited["entities"] = entities
        with self._cond:
            self._state.messages[(message["chat"]["id"], message["message_id"])] = edited
            self._queue({"edited_message": edited})
        return edited

    def queue_update(self, update: dict) -> int:
        """Any other update (channel post, membership change, poll...), as Telegram would send it."""
        with self._cond:
            return self._queue(update)

    def upload(self, file_name: str, content: bytes, mime_type: str = "text/plain") -> dict:
        """A file as a Document object; the bot fetches it with getFile and a download."""
        with self._cond:
            n = len(self._state.files) + 1
            file_id = f"BQACAgQAAxkBAAI{n:06d}"
            self._state.files[file_id] = (f"documents/file_{n}{_suffix(file_name)}", content)
        return {"file_id": file_id, "file_unique_id": f"AgAD{n:06d}", "file_name": file_name,
                "mime_type": mime_type, "file_size": len(content)}

    def forget_file(self, file_id: str) -> None:
        """Keep answering getFile for ``file_id`` but answer 404 to its download (an expired file)."""
        with self._cond:
            path, _ = self._state.files[file_id]
            self._state.files[file_id] = (path, None)

    def press(self, bot_message: Call | dict, data: str, *, user_id: int = 1001) -> str:
        """A user taps an inline button under one of the bot's messages; returns the callback query id."""
        message = self.message_of(bot_message)
        with self._cond:
            query_id = f"cb{self._state.next_update_id}"
            self._queue({"callback_query": {"id": query_id, "from": self.user(user_id), "data": data,
                                            "chat_instance": str(message["chat"]["id"]), "message": message}})
        return query_id

    def inline_query(self, query: str, *, user_id: int = 1001) -> str:
        with self._cond:
            query_id = f"iq{self._state.next_update_id}"
            self._queue({"inline_query": {"id": query_id, "from": self.user(user_id), "query": query, "offset": ""}})
        return query_id

    def fail(self, method: str, *failures: Failure) -> None:
        """Answer the next calls of ``method`` with these failures, in order."""
        with self._cond:
            self._state.failures.setdefault(method, deque()).extend(failures)

    def fail_for(self, method: str, failure: Failure, seconds: float) -> None:
        """Answer every call of ``method`` with ``failure`` for the next ``seconds``."""
        with self._cond:
            self._state.failing_until[method] = (failure, time.monotonic() + seconds)

    # -- observing: what the bot did --------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._cond:
            return list(self._state.calls)

    def served_at(self, message: dict) -> float | None:
        """When the update carrying this user message was handed to the bot (getUpdates or webhook)."""
        with self._cond:
            update_id = self._state.update_of[(message["chat"]["id"], message["message_id"])]
            return self._state.served_at.get(update_id)

    def served_update_ids(self) -> set[int]:
        """The updates handed to the bot so far (by getUpdates or the webhook)."""
        with self._cond:
            return set(self._state.served_at)

    @property
    def webhook(self) -> dict[str, Any]:
        with self._cond:
            return dict(self._state.webhook)

    def sent_count(self, method: str = "sendMessage") -> int:
        """How many calls of ``method`` succeeded (cheap, for load tests)."""
        with self._cond:
            return self._state.ok_counts.get(method, 0)

    def sent(self, method: str = "sendMessage", **match: Any) -> list[Call]:
        """Successful calls of ``method`` whose params include ``match``."""
        return [c for c in self.calls if c.method == method and c.ok
                and all(c.params.get(k) == v for k, v in match.items())]

    def replies_to(self, message: dict) -> list[Call]:
        return [c for c in self.sent("sendMessage") if c.reply_to == message["message_id"]
                and c.params.get("chat_id") == message["chat"]["id"]]

    def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 30.0, count: int = 1, *,
                 failed: bool = False) -> list[Call]:
        """Block until ``count`` successful (or, with ``failed``, failed) calls satisfy ``predicate``.

        Fails the test with the calls the bot made when they do not come.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self._state.calls if c.ok != failed and predicate(c)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    sent = "\n".join(f"  {c.method} {c.outcome} {json.dumps(c.params)[:300]}" for c in self._state.calls)
                    raise AssertionError(f"timed out after {timeout}s waiting for {count} matching call(s); "
                                         f"the bot made these calls:\n{sent}")
                self._cond.wait(remaining)

    def wait_reply(self, message: dict, timeout: float = 30.0) -> Call:
        """The first message the bot sent in reply to ``message``."""
        chat_id, message_id = message["chat"]["id"], message["message_id"]
        return self.wait_for(lambda c: c.method == "sendMessage" and c.reply_to == message_id
                             and c.params.get("chat_id") == chat_id, timeout)[0]

    def message_of(self, call: Call | dict) -> dict:
        """The stored message a sendMessage call created (as later edits left it)."""
        if isinstance(call, dict):
            return call
        with self._cond:
            return dict(self._state.messages[(call.result["chat"]["id"], call.result["message_id"])])

    # -- serving ------------------------------------------------------------

    def _new_message_id(self) -> int:
        self._state.next_message_id += 1
        return self._state.next_message_id

    def _queue(self, update: dict) -> int:
        """Hold the update for getUpdates, or push it to the webhook when one is set (as Telegram does)."""
        update_id = self._state.next_update_id
        self._state.next_update_id += 1
        update = {"update_id": update_id, **update}
        if self._state.webhook.get("url"):
            threading.Thread(target=self._push, args=(dict(self._state.webhook), update), daemon=True).start()
        else:
            self._state.updates.append(update)
        self._cond.notify_all()
        return update_id

    def _push(self, webhook: dict, update: dict) -> None:
        request = urllib.request.Request(webhook["url"], data=json.dumps(update).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        if webhook.get("secret_token"):
            request.add_header("X-Telegram-Bot-Api-Secret-Token", webhook["secret_token"])
        for _ in range(20):  # Telegram, too, retries a webhook that does not answer
            with self._cond:
                self._state.served_at.setdefault(update["update_id"], time.monotonic())
            try:
                with urllib.request.urlopen(request, timeout=10):
                    return
            except OSError:
                time.sleep(0.2)

    def _next_failure(self, method: str) -> Failure | None:
        queued = self._state.failures.get(method)
        if queued:
            return queued.popleft()
        failure, until = self._state.failing_until.get(method, (None, 0.0))
        return failure if time.monotonic() < until else None

    def handle(self, method: str, params: dict[str, Any]) -> Any:
        """Answer one Bot API call; raises ApiError for Telegram's error answers."""
        with self._cond:
            if self._down:
                raise ConnectionAbortedError(method)
            failed = self._next_failure(method)
            if failed is not None and failed.kind != "slow":
                self._record(Call(method, params, time.monotonic(), ok=False, outcome=failed.kind))
                if failed.kind == "outage":
                    self._down = True
                    raise _Outage(failed.delay)
                if failed.kind == "drop":
                    raise ConnectionAbortedError(method)
                if failed.kind == "429":
                    raise ApiError(429, f"Too Many Requests: retry after {failed.retry_after}",
                                   {"retry_after": failed.retry_after})
                raise ApiError(int(failed.kind), failed.description)
        result = self._perform(method, params, slow=failed is not None)
        if failed is not None:
            time.sleep(failed.delay)  # the call took effect; its answer arrives too late
        return result

    def _perform(self, method: str, params: dict[str, Any], *, slow: bool) -> Any:
        if method == "getUpdates":
            return self._get_updates(params, slow=slow)
        with self._cond:
            call = Call(method, params, time.monotonic(), outcome="slow" if slow else "ok")
            try:
                result = self._answer(method, params, call)
            except ApiError as error:
                call.ok, call.outcome = False, str(error.code)
                self._record(call)
                raise
            call.result = result
            self._record(call)
            return result

    def _record(self, call: Call) -> None:
        self._state.calls.append(call)
        if call.ok:
            self._state.ok_counts[call.method] = self._state.ok_counts.get(call.method, 0) + 1
        self._cond.notify_all()

    def _get_updates(self, params: dict[str, Any], *, slow: bool = False) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self._cond:
            self._record(Call("getUpdates", params, time.monotonic(), outcome="slow" if slow else "ok"))
            while True:
                self._state.updates = [u for u in self._state.updates if u["update_id"] >= offset]
                if self._state.updates or self._closing or time.monotonic() >= deadline:
                    break
                self._cond.wait(deadline - time.monotonic())
            batch = self._state.updates[:limit]
            now = time.monotonic()
            for update in batch:
                self._state.served_at.setdefault(update["update_id"], now)
            return batch

    def _answer(self, method: str, params: dict[str, Any], call: Call) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "deleteWebhook":
            self._state.webhook = {}
            return True
        if method in ("setMyCommands", "sendChatAction", "answerCallbackQuery", "close"):
            if method == "setMyCommands":
                for command in params["commands"]:
                    if not (1 <= len(command["command"]) <= 32 and command["command"].islower()
                            and 1 <= len(command["description"]) <= 256):
                        raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            return True
        if method == "setWebhook":
            self._state.webhook = dict(params)
            return True
        if method == "getWebhookInfo":
            return {"url": self._state.webhook.get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": 0}
        if method == "sendMessage":
            return self._send_message(params, call)
        if method == "editMessageText":
            return self._edit(params, text=True)
        if method == "editMessageReplyMarkup":
            return self._edit(params, text=False)
        if method == "answerInlineQuery":
            results = params.get("results") or []
            if len(results) > 50 or len({r["id"] for r in results}) != len(results):
                raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
            for result in results:
                content = result.get("input_message_content") or {}
                self._check_text(content.get("message_text", ""), content.get("parse_mode"))
            return True
        if method == "getFile":
            file_id = params.get("file_id")
            if file_id not in self._state.files:
                raise ApiError(400, "Bad Request: invalid file_id")
            path, content = self._state.files[file_id]
            return {"file_id": file_id, "file_unique_id": file_id[-6:], "file_size": len(content or b""), "file_path": path}
        raise ApiError(404, "Not Found")

    def _check_text(self, text: str, parse_mode: str | None) -> str:
        try:
            shown = visible_text(text, parse_mode)
        except TelegramHTMLError as error:
            raise ApiError(400, f"Bad Request: can't parse entities: {error}") from error
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(shown) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return shown

    def _check_markup(self, markup: dict | None) -> None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _send_message(self, params: dict[str, Any], call: Call) -> dict:
        chat_id = int(params["chat_id"])
        shown = self._check_text(params.get("text", ""), params.get("parse_mode"))
        self._check_markup(params.get("reply_markup"))
        chat = self._state.chats.get(chat_id, {"id": chat_id, "type": "private", "first_name": "User"})
        message = {"message_id": self._new_message_id(), "date": int(time.time()), "chat": chat, "from": BOT_USER,
                   "text": shown}
        reply = params.get("reply_parameters")
        if reply:
            original = self._state.messages.get((chat_id, reply["message_id"]))
            if original is not None:
                message["reply_to_message"] = {k: v for k, v in original.items() if k != "reply_to_message"}
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self._state.messages[(chat_id, message["message_id"])] = message
        return message

    def _edit(self, params: dict[str, Any], *, text: bool) -> dict:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self._state.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        updated = dict(message)
        if text:
            updated["text"] = self._check_text(params.get("text", ""), params.get("parse_mode"))
        self._check_markup(params.get("reply_markup"))
        updated.pop("reply_markup", None)
        if params.get("reply_markup"):
            updated["reply_markup"] = params["reply_markup"]
        if updated == message:
            raise ApiError(400, "Bad Request: message is not modified")
        self._state.messages[key] = updated
        return updated

    def file_content(self, file_path: str) -> bytes | None:
        with self._cond:
            return next((content for path, content in self._state.files.values() if path == file_path), None)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # 50 users at once must not overflow the listen backlog

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, OSError)):  # dropped connections are deliberate
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body as two writes meet delayed ACKs: +40 ms a call
    fake: FakeBotAPI

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass

    def setup(self) -> None:
        super().setup()
        with self.fake._cond:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.fake._cond:
            self.fake._connections.discard(self.connection)
        with suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)  # PTB percent-encodes file URLs, including the token's colon
        file_prefix = f"/file/bot{self.fake.token}/"
        if path.startswith(file_prefix):
            content = self.fake.file_content(path[len(file_prefix):])
            if content is None:
                self._send(404, b"Not Found", "text/plain")
            else:
                self._send(200, content, "application/octet-stream")
            return
        self._api(parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/json":
            params = json.loads(body or b"{}")
        elif kind in ("application/x-www-form-urlencoded", ""):
            params = {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
            params = {k: _form_value(k, v) for k, v in params.items()}
        else:
            self._json(400, {"ok": False, "error_code": 400, "description": f"Bad Request: unsupported {kind}"})
            return
        self._api(urlsplit(self.path).path, params)

    def _api(self, path: str, params: dict[str, Any]) -> None:
        prefix = f"/bot{self.fake.token}/"
        if not path.startswith(prefix):
            self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        method = path[len(prefix):]
        try:
            result = self.fake.handle(method, params)
        except ConnectionAbortedError:
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        except _Outage as outage:
            self.close_connection = True
            self.fake.unreachable(outage.seconds)
            return
        except ApiError as error:
            payload = {"ok": False, "error_code": error.code, "description": error.description}
            if error.parameters:
                payload["parameters"] = error.parameters
            self._json(error.code, payload)
            return
        self._json(200, {"ok": True, "result": result})

    def _json(self, code: int, payload: dict) -> None:
        self._send(code, json.dumps(payload).encode(), "application/json")

    def _send(self, code: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _form_value(name: str, value: str) -> Any:
    """Form fields are strings; PTB JSON-encodes objects and writes numbers as digits."""
    if name in _JSON_FIELDS:
        return json.loads(value)
    if name in _INT_FIELDS and value.lstrip("-").isdigit():
        return int(value)
    return value


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _entities(text: str) -> list[dict]:
    """Bot commands at the start and @mentions, with Telegram's UTF-16 offsets."""
    found = []
    command = re.match(r"/\w+(?:@\w+)?", text)
    if command:
        found.append({"type": "bot_command", "offset": 0, "length": _utf16_len(command.group())})
    for mention in re.finditer(r"(?<!\w)@\w{5,32}", text):
        found.append({"type": "mention", "offset": _utf16_len(text[:mention.start()]),
                      "length": _utf16_len(mention.group())})
    return found


def _suffix(name: str) -> str:
    return name[name.rfind("."):] if "." in name else ""
