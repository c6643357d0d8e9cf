"""A real HTTP server on 127.0.0.1 that misbehaves on request.

Routes: ``pages`` (path → (content type, body)) set by the test; ``/redirect?to=URL``;
``/loop`` (redirects to itself); ``/endless`` (chunks forever); ``/huge`` (declares a
terabyte); ``/gzip-bomb`` (50 MB of zeros in ~50 KB); ``/stall`` (headers, then
silence); ``/drip-headers`` and ``/drip-body`` (one byte every 0.1 s, forever).
Anything else is a 404.  Every slow route gives up when the server stops.
"""

from __future__ import annotations

import gzip
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_BOMB = gzip.compress(b"\0" * 50_000_000, compresslevel=9)


class LocalServer:
    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.requests: list[str] = []
        self.stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            server.requests.append(parts.path)
            try:
                self._route(parts.path, parse_qs(parts.query))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should

        def _route(self, path: str, query: dict[str, list[str]]) -> None:
            if path in server.pages:
                content_type, body = server.pages[path]
                self._send(200, body, content_type)
            elif path == "/redirect":
                self._redirect(query["to"][0])
            elif path == "/loop":
                self._redirect("/loop")
            elif path == "/endless":
                self._headers(200, {"Content-Type": "text/plain"})
                while not server.stopping.is_set():
                    self._chunk(b"All work and no play. " * 3000)
            elif path == "/huge":
                self._headers(200, {"Content-Type": "text/plain", "Content-Length": str(10**12)})
                self._wait(30)
            elif path == "/gzip-bomb":
                self._send(200, _BOMB, "text/plain", {"Content-Encoding": "gzip"})
            elif path == "/stall":
                self._headers(200, {"Content-Type": "text/plain", "Content-Length": "100"})
                self._wait(30)
            elif path == "/drip-headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                while not server.stopping.is_set():
                    self.wfile.write(b"X-Drip: a\r\n")
                    self.wfile.flush()
                    self._wait(0.1)
            elif path == "/drip-body":
                self._headers(200, {"Content-Type": "text/plain"})
                while not server.stopping.is_set():
                    self._chunk(b"a")
                    self._wait(0.1)
            else:
                self._send(404, b"not here", "text/plain")

        def _wait(self, seconds: float) -> None:
            server.stopping.wait(seconds)

        def _headers(self, status: int, headers: dict[str, str]) -> None:
            self.send_response(status)
            if "Content-Length" not in headers:
                headers = {**headers, "Transfer-Encoding": "chunked"}
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.flush()

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
            self._headers(status, {"Content-Type": content_type, "Content-Length": str(len(body)), **(extra or {})})
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self._headers(302, {"Location": location, "Content-Length": "0"})

    return Handler
