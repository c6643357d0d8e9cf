"""Fetch URLs on people's behalf without becoming a door into the network.

Addresses are checked where the connection is made, not beforehand: the
transport resolves the host once, refuses the whole host if any address is
loopback, private, link-local, multicast, reserved or a cloud-metadata
endpoint, and connects to exactly the addresses it checked.  So a redirect
(every hop opens its connection through the same check) and a DNS answer that
changes between a check and the connect ("DNS rebinding") both meet the rule.
Proxies and .netrc from the environment are ignored, since a proxy would make
the connection on our behalf past the check.  Bodies are streamed with a size
cap, and every socket read shares one overall deadline, so an endless, stalled
or slow-drip response (headers included) ends.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from .errors import FetchError

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
"""(host, port) → the IP addresses a connection to it would use."""

_BLOCKED_HOSTS = {"metadata.google.internal", "metadata", "instance-data", "localhost"}
# Ranges Python 3.11's ``is_global`` still calls global, but which reach cloud
# platform services or shared carrier space rather than a news site.
_BLOCKED_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "100.64.0.0/10",     # shared address space; Alibaba metadata 100.100.100.200
    "168.63.129.16/32",  # Azure wire server
    "192.0.0.0/24",      # IETF protocol assignments; Oracle metadata 192.0.0.192
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_MAX_REDIRECTS = 5


def system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address that is no cloud platform endpoint.

    IPv6 forms that carry an IPv4 address (mapped, 6to4, Teredo, NAT64) are
    judged by the IPv4 address inside, so ``::ffff:127.0.0.1`` is loopback.
    """
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None and not is_public(inner):
            return False
    if any(address in network for network in _BLOCKED_NETWORKS if network.version == address.version):
        return False
    return address.is_global and not (address.is_multicast or address.is_reserved)


@dataclass(frozen=True)
class Fetched:
    url: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Fetcher:
    """HTTP GET with address checks at connect time, a byte cap and a deadline.

    ``allow_private`` (every address) exists for tests that serve pages on
    127.0.0.1, and ``allow_hosts`` (these host names, wherever they resolve)
    for a trusted intranet server, or a test that must prove that the next,
    private hop of a redirect is refused; both are off unless a caller turns
    them on.  ``resolve`` replaces DNS, so tests can play a name server.
    """

    max_bytes: int = 10 * 1024 * 1024
    timeout: float = 20.0
    allow_private: bool = False
    allow_hosts: frozenset[str] = frozenset()
    resolve: Resolver = system_resolve
    user_agent: str = "newsbot/0.1 (+https://github.com/)"

    def get(self, url: str) -> Fetched:
        deadline = time.monotonic() + self.timeout
        transport = _PinnedTransport(_CheckedBackend(self, deadline))
        with httpx.Client(transport=transport, follow_redirects=False, timeout=self.timeout, trust_env=False,
                          headers={"User-Agent": self.user_agent,
                                   "Accept-Encoding": "gzip, deflate"}) as client:
            for _ in range(_MAX_REDIRECTS + 1):
                self._check_form(url)
                try:
                    with client.stream("GET", url) as response:
                        if response.is_redirect:
                            url = urljoin(url, response.headers.get("location", ""))
                            continue
                        if response.status_code >= 400:
                            raise FetchError(f"{url} answered HTTP {response.status_code}")
                        body = self._read_capped(response, url)
                        return Fetched(str(response.url), body, response.headers.get("content-type", ""))
                except httpx.TimeoutException as exc:
                    raise FetchError(f"{url} took longer than {self.timeout:g}s; stopped") from exc
                except httpx.HTTPError as exc:
                    raise FetchError(f"could not fetch {url}: {type(exc).__name__}") from exc
        raise FetchError(f"{url}: more than {_MAX_REDIRECTS} redirects")

    def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url} is {int(declared):,} bytes, over the {self.max_bytes:,}-byte limit")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_raw():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{url} sent more than {self.max_bytes:,} bytes; stopped")
            chunks.append(chunk)
        return _decompress(b"".join(chunks), response, url, self.max_bytes)

    def check_url(self, url: str) -> None:
        """Refuse what ``get`` would refuse before fetching anything (quick feedback for /add)."""
        host, port = self._check_form(url)
        self.checked_addresses(host, port)

    def _check_form(self, url: str) -> tuple[str, int]:
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").rstrip(".").lower()
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:  # "Invalid IPv6 URL", a port out of range
            raise FetchError(f"malformed URL: {url}") from exc
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"only http and https URLs can be fetched, not {parts.scheme or 'this'}: {url}")
        if not host:
            raise FetchError(f"no host in URL: {url}")
        if host in _BLOCKED_HOSTS:
            raise FetchError(f"refusing to fetch {host}: a local or cloud metadata name")
        return host, port

    def checked_addresses(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` once; every address must be allowed, else the host is refused."""
        try:
            addresses = self.resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"cannot resolve {host}") from exc
        if not addresses:
            raise FetchError(f"cannot resolve {host}")
        if self.allow_private or host in self.allow_hosts:
            return addresses
        for text in addresses:
            address = ipaddress.ip_address(text)
            if not is_public(address):
                logger.warning("refused to fetch %s: it resolves to %s", host, address)
                raise FetchError(f"refusing to fetch {host}: it resolves to a non-public address ({address})")
        return addresses


def _decompress(raw: bytes, response: httpx.Response, url: str, max_bytes: int) -> bytes:
    """Undo Content-Encoding with the same cap, so a small gzip bomb cannot expand past it."""
    encoding = response.headers.get("content-encoding", "identity").lower().strip()
    if encoding in ("", "identity"):
        return raw
    import zlib

    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"{url} uses an unsupported content encoding ({encoding})")
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    try:
        body = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise FetchError(f"{url}: broken {encoding} body") from exc
    if len(body) > max_bytes:
        raise FetchError(f"{url} expands to more than {max_bytes:,} bytes; stopped")
    return body


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends at the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float):
        self._stream = stream
        self._deadline = deadline

    def _left(self, timeout: float | None, error: type[Exception]) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise error("overall deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(ssl_context, server_hostname, self._left(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _CheckedBackend(httpcore.NetworkBackend):
    """Connects only to addresses the fetcher allowed, resolved here exactly once per connection.

    TLS still verifies the certificate against the host name, because httpcore
    passes the URL's host to ``start_tls``, not the address we dialled.
    """

    def __init__(self, fetcher: Fetcher, deadline: float):
        self._fetcher = fetcher
        self._deadline = deadline
        self._tcp = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        error: Exception | None = None
        for address in self._fetcher.checked_addresses(host.strip("[]").rstrip(".").lower(), port):
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise httpcore.ConnectTimeout("overall deadline passed")
            try:
                stream = self._tcp.connect_tcp(address, port, min(timeout or left, left), local_address,
                                               socket_options)
            except httpcore.ConnectError as exc:
                error = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        raise error or httpcore.ConnectError(f"no address to connect to for {host}")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise FetchError("unix sockets are never fetched")


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport over a connection pool that dials through ``_CheckedBackend``.

    httpx 0.28 has no public switch for the network backend, so the pool it
    builds is replaced; the tests in tests/test_fetch.py fail loudly if that
    ever stops taking effect.
    """

    def __init__(self, backend: _CheckedBackend):
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(trust_env=False),
                                             network_backend=backend)
