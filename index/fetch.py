"""Fetch URLs on people's behalf without becoming a door into the network.

Every hop (the first request and each redirect) is checked after DNS
resolution: only http/https to public addresses, never loopback, private,
link-local, multicast or cloud-metadata ones.  Bodies are streamed with a size
cap and an overall deadline, so an endless or slow-drip response ends.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from .errors import FetchError

logger = logging.getLogger(__name__)

_BLOCKED_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}
_MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Fetched:
    url: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Fetcher:
    """HTTP GET with address checks, a byte cap and a deadline.

    ``allow_private`` exists for tests that serve pages on 127.0.0.1; it is off
    unless a caller turns it on explicitly.
    """

    max_bytes: int = 10 * 1024 * 1024
    timeout: float = 20.0
    allow_private: bool = False
    user_agent: str = "newsbot/0.1 (+https://github.com/)"

    def get(self, url: str) -> Fetched:
        deadline = time.monotonic() + self.timeout
        with httpx.Client(follow_redirects=False, timeout=self.timeout,
                          headers={"User-Agent": self.user_agent}) as client:
            for _ in range(_MAX_REDIRECTS + 1):
                self.check_url(url)
                try:
                    with client.stream("GET", url) as response:
                        if response.is_redirect:
                            url = urljoin(url, response.headers.get("location", ""))
                            continue
                        if response.status_code >= 400:
                            raise FetchError(f"{url} answered HTTP {response.status_code}")
                        body = self._read_capped(response, url, deadline)
                        return Fetched(str(response.url), body, response.headers.get("content-type", ""))
                except httpx.HTTPError as exc:
                    raise FetchError(f"could not fetch {url}: {type(exc).__name__}") from exc
        raise FetchError(f"{url}: more than {_MAX_REDIRECTS} redirects")

    def _read_capped(self, response: httpx.Response, url: str, deadline: float) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url} is {int(declared):,} bytes, over the {self.max_bytes:,}-byte limit")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{url} sent more than {self.max_bytes:,} bytes; stopped")
            if time.monotonic() > deadline:
                raise FetchError(f"{url} took longer than {self.timeout:.0f}s; stopped")
            chunks.append(chunk)
        return b"".join(chunks)

    def check_url(self, url: str) -> None:
        """Refuse schemes other than http(s) and hosts that resolve to non-public addresses."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"only http and https URLs can be fetched, not {parts.scheme or 'this'}: {url}")
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            raise FetchError(f"no host in URL: {url}")
        if host in _BLOCKED_HOSTS:
            raise FetchError(f"refusing to fetch {host}: a cloud metadata address")
        try:
            infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                       type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"cannot resolve {host}") from exc
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%")[0])
            if not self.allow_private and not _is_public(address):
                raise FetchError(f"refusing to fetch {host}: it resolves to a non-public address ({address})")


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved)
