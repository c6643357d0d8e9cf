"""URL fetching: no door into the local network, no endless or stalled download.

Everything runs against a real server on 127.0.0.1.  Refusals of other
private addresses happen before any connection, so no other host is contacted.
"""

import time

import pytest

from index.errors import FetchError
from index.fetch import Fetcher, is_public, system_resolve
from tests.conftest import FIXTURES

PAGE = (FIXTURES / "harbour.html").read_bytes()
OPEN = Fetcher(allow_private=True, timeout=5)


@pytest.fixture(scope="module")
def server(local_server):
    local_server.pages["/page.html"] = ("text/html", PAGE)
    return local_server


def names(mapping):
    """A test name server: these names resolve to these addresses, everything else as usual."""
    def resolve(host, port):
        return mapping[host] if host in mapping else system_resolve(host, port)
    return resolve


@pytest.mark.parametrize("host", [
    "127.0.0.1", "localhost", "127.1", "0x7f.1", "2130706433", "017700000001", "[::1]", "0.0.0.0", "[::]",
    "[::ffff:127.0.0.1]", "[2002:7f00:1::]", "[64:ff9b::7f00:1]",                        # loopback in IPv6 clothing
    "10.0.0.1", "172.16.5.4", "192.168.1.1", "[fc00::1]", "100.64.1.1",                   # private, shared
    "169.254.169.254", "[::ffff:169.254.169.254]", "metadata.google.internal",            # cloud metadata
    "100.100.100.200", "168.63.129.16", "192.0.0.192", "[fd00:ec2::254]", "169.254.170.2",
    "224.0.0.1", "255.255.255.255", "240.0.0.1",                                          # multicast, reserved
])
def test_non_public_addresses_are_refused_before_connecting(server, host):
    url = f"http://{host}:{server.port}/page.html"
    before = len(server.requests)
    with pytest.raises(FetchError, match="refusing"):
        Fetcher(timeout=2).check_url(url)
    with pytest.raises(FetchError, match="refusing"):
        Fetcher(timeout=2).get(url)
    assert len(server.requests) == before


def test_public_addresses_pass_the_rule():
    assert all(is_public(__import__("ipaddress").ip_address(a)) for a in ("93.184.216.34", "2606:4700::1111"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://example.com/",
                                 "data:text/plain,hi", "javascript:alert(1)", "http:///nohost", "http://[::1"])
def test_only_http_and_https_urls(url):
    with pytest.raises(FetchError):
        Fetcher().get(url)


def test_a_name_that_resolves_to_loopback_is_refused(server):
    fetcher = Fetcher(resolve=names({"news.test": ["127.0.0.1"]}), timeout=2)
    with pytest.raises(FetchError, match="news.test.*non-public address \\(127.0.0.1\\)"):
        fetcher.get(server.url("/page.html", host="news.test"))


def test_one_private_address_among_public_ones_refuses_the_host(server):
    fetcher = Fetcher(resolve=names({"mixed.test": ["93.184.216.34", "127.0.0.1"]}), timeout=2)
    with pytest.raises(FetchError, match="non-public"):
        fetcher.get(server.url("/page.html", host="mixed.test"))


def test_connection_goes_to_the_address_that_was_checked(server):
    """DNS rebinding: the name answers once; a second lookup (by anyone) would fail.

    The fetch succeeds only if the connection used the address our check saw:
    the system resolver does not know ``pinned.test`` at all.
    """
    answers = iter([["127.0.0.1"]])
    calls = []

    def resolve(host, port):
        calls.append(host)
        return next(answers)

    fetched = Fetcher(allow_hosts=frozenset({"pinned.test"}), resolve=resolve, timeout=5).get(
        server.url("/page.html", host="pinned.test"))
    assert fetched.content == PAGE and calls == ["pinned.test"]


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:{port}/page.html", "http://localhost:{port}/page.html", "http://evil.test:{port}/page.html",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]:{port}/page.html", "http://10.1.2.3/",
    "file:///etc/passwd",
])
def test_every_redirect_hop_is_checked_again(server, target):
    """The first hop is a trusted name; where it redirects to must pass the rule on its own."""
    target = target.format(port=server.port)
    fetcher = Fetcher(allow_hosts=frozenset({"news.test"}), timeout=3,
                      resolve=names({"news.test": ["127.0.0.1"], "evil.test": ["127.0.0.1"]}))
    start = server.url(f"/redirect?to={target}", host="news.test")
    before = len(server.requests)
    with pytest.raises(FetchError, match="refusing|only http"):
        fetcher.get(start)
    assert server.requests[before:] == ["/redirect"]  # the target was never asked for


def test_the_same_redirect_is_followed_when_the_target_is_allowed(server):
    fetched = OPEN.get(server.url(f"/redirect?to={server.url('/page.html')}"))
    assert fetched.content == PAGE and fetched.url.endswith("/page.html")


def test_proxy_settings_in_the_environment_are_ignored(server, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    assert OPEN.get(server.url("/page.html")).content == PAGE


@pytest.mark.parametrize("path, message", [
    ("/endless", "more than 1,000,000 bytes"),
    ("/huge", "over the 1,000,000-byte limit"),
    ("/gzip-bomb", "expands to more than"),
    ("/stall", "took longer than 1.5s"),
    ("/drip-headers", "took longer than 1.5s"),
    ("/drip-body", "took longer than 1.5s"),
    ("/loop", "more than 5 redirects"),
    ("/missing", "HTTP 404"),
])
def test_size_and_time_caps(server, path, message):
    fetcher = Fetcher(allow_private=True, max_bytes=1_000_000, timeout=1.5)
    started = time.monotonic()
    with pytest.raises(FetchError, match=message):
        fetcher.get(server.url(path))
    assert time.monotonic() - started < 4
