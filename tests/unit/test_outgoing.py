"""Outgoing requests reach public addresses only: the address rule, the URL check, and the
guarded transport that checks again where the connection is made.

Names are resolved by small tables handed to the policy (no DNS, no patching); the only
connections made are to servers these tests start on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable, Iterator, Sequence

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ordertrack.config import Settings
from ordertrack.kit.outgoing import (
    GuardedTransport,
    OutgoingPolicy,
    TargetRefused,
    TargetUnresolved,
    parse_networks,
    refusal,
)
from tests.notifications import local_http_server

# A public address (example.com's at the time of writing) used only as a resolver's answer:
# nothing here ever connects to it.
PUBLIC = "93.184.215.14"


def table(answers: dict[str, Sequence[str]]) -> Callable[[str, int], Sequence[str]]:
    """A resolver from a table; a name it does not know does not resolve."""

    def resolve(host: str, port: int) -> Sequence[str]:
        if host in answers:
            return answers[host]
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            raise OSError(f"{host} not in the test's table") from None

    return resolve


def rebinding(host: str, first: str, then: str) -> tuple[Callable[[str, int], Sequence[str]], list[str]]:
    """A resolver whose answer for ``host`` changes after the first lookup (DNS rebinding)."""
    asked: list[str] = []

    def resolve(name: str, port: int) -> Sequence[str]:
        if name != host:
            return [str(ipaddress.ip_address(name))]
        asked.append(name)
        return [first] if len(asked) == 1 else [then]

    return resolve, asked


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("fec0::1", "site-local"),
        ("100.64.0.1", "not globally reachable"),  # carrier-grade NAT
        ("198.51.100.7", "private"),  # documentation range
        ("::ffff:127.0.0.1", "loopback (127.0.0.1 inside ::ffff:7f00:1)"),
        ("::ffff:169.254.169.254", "link-local (169.254.169.254 inside ::ffff:a9fe:a9fe)"),
        ("64:ff9b::a00:5", "private (10.0.0.5 inside 64:ff9b::a00:5)"),  # NAT64
        ("2002:7f00:1::", "loopback (127.0.0.1 inside 2002:7f00:1::)"),  # 6to4
    ],
)
def test_every_non_public_address_is_refused_with_its_reason(address: str, reason: str) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address", [PUBLIC, "2606:4700:4700::1111", "::ffff:93.184.215.14", "64:ff9b::5db8:d70e"]
)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def never_resolve(host: str, port: int) -> Sequence[str]:
    raise AssertionError(f"{host} should have been refused before any lookup")


@pytest.mark.parametrize(
    "url",
    [
        "http://[/",
        "https://",
        "https:///path",
        "hooks.example/ot",
        "ftp://hooks.example/ot",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://hooks.example:70/_SET",
        "https://hooks.example:99999/ot",
        "https://hooks.example:port/ot",
        "https://[::1/ot",
        "https://hooks%20example.com/ot",
    ],
)
def test_malformed_urls_and_other_schemes_are_refused_before_any_lookup(url: str) -> None:
    with pytest.raises(TargetRefused):
        OutgoingPolicy(resolver=never_resolve).check_url(url)


def test_plain_http_needs_the_operators_development_switch() -> None:
    resolver = table({"hooks.example": [PUBLIC]})
    with pytest.raises(TargetRefused, match="https"):
        OutgoingPolicy(resolver=resolver).check_url("http://hooks.example/ot")
    allowed = OutgoingPolicy(allow_http=True, resolver=resolver).check_url("http://hooks.example/ot")
    assert allowed.port == 80 and [str(a) for a in allowed.addresses] == [PUBLIC]


def test_a_host_with_one_private_address_among_public_ones_is_refused() -> None:
    policy = OutgoingPolicy(resolver=table({"mixed.example": [PUBLIC, "10.1.2.3"]}))
    with pytest.raises(TargetRefused, match=r"mixed.example resolves to 10.1.2.3, a private address"):
        policy.check_url("https://mixed.example/hooks")


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://localhost.test/hooks",
        "https://[::1]:8443/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/hooks",
        "https://0.0.0.0/hooks",
        "https://hooks.example\\@127.0.0.1/hooks",  # the host is 127.0.0.1 to every parser
    ],
)
def test_urls_that_lead_inside_are_refused(url: str) -> None:
    policy = OutgoingPolicy(resolver=table({"localhost.test": ["127.0.0.1", "::1"]}))
    with pytest.raises(TargetRefused):
        policy.check_url(url)


def test_a_name_that_does_not_resolve_is_refused_as_unresolved() -> None:
    with pytest.raises(TargetUnresolved):
        OutgoingPolicy(resolver=table({})).check_url("https://nowhere.example/hooks")


def test_the_operators_allowed_networks_open_those_networks_and_nothing_else() -> None:
    policy = OutgoingPolicy(allowed_networks=parse_networks("127.0.0.0/8, fd00:1::/64"), resolver=table({}))
    assert policy.check_url("https://127.0.0.1:8443/hooks").addresses == (ipaddress.ip_address("127.0.0.1"),)
    policy.check_url("https://[::ffff:127.0.0.1]/hooks")  # the same address, written as IPv6
    policy.check_url("https://[fd00:1::5]/hooks")
    for url in ("https://10.0.0.5/hooks", "https://[::1]/hooks", "https://169.254.169.254/"):
        with pytest.raises(TargetRefused):
            policy.check_url(url)


def test_settings_refuse_a_network_that_is_not_one() -> None:
    with pytest.raises(ValueError, match="outgoing_allowed_networks"):
        Settings(outgoing_allowed_networks="127.0.0.0/8, the office")
    assert Settings(outgoing_allowed_networks="10.1.0.0/16").outgoing_allowed_networks == "10.1.0.0/16"


# --- the guarded transport -------------------------------------------------------------------


async def _echo(request: Request) -> Response:
    return JSONResponse({"host": request.headers.get("host"), "path": request.url.path})


async def _bounce(request: Request) -> Response:
    return RedirectResponse(request.query_params["to"], status_code=302)


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 that records every path it is asked for."""
    seen: list[str] = []

    async def record(request: Request) -> Response:
        seen.append(request.url.path)
        return await (_bounce if request.url.path == "/bounce" else _echo)(request)

    app = Starlette(routes=[Route("/{path:path}", record, methods=["GET", "POST"])])
    with local_http_server(app) as base:
        yield base.rsplit(":", 1)[1], seen


def fetch(policy: OutgoingPolicy, url: str, *, follow_redirects: bool = False) -> httpx.Response:
    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=GuardedTransport(policy), timeout=10) as client:
            return await client.get(url, follow_redirects=follow_redirects)

    return asyncio.run(run())


def test_the_connection_goes_to_the_address_the_check_resolved_and_keeps_the_host_name(
    local_server: tuple[str, list[str]],
) -> None:
    port, seen = local_server
    # No DNS knows hooks.test: only the policy's resolver can have led the socket to 127.0.0.1.
    policy = OutgoingPolicy(
        allowed_networks=parse_networks("127.0.0.1/32"), resolver=table({"hooks.test": ["127.0.0.1"]})
    )
    answer = fetch(policy, f"http://hooks.test:{port}/ping")
    assert answer.json() == {"host": f"hooks.test:{port}", "path": "/ping"}
    assert seen == ["/ping"]


def test_a_name_rebound_to_a_private_address_after_the_check_is_refused_at_connect_time(
    local_server: tuple[str, list[str]],
) -> None:
    port, seen = local_server
    resolver, asked = rebinding("rebind.test", first=PUBLIC, then="127.0.0.1")
    policy = OutgoingPolicy(allow_http=True, resolver=resolver)
    policy.check_url(f"http://rebind.test:{port}/hooks")  # registration: a public address
    with pytest.raises(TargetRefused, match="rebind.test resolves to 127.0.0.1, a loopback address"):
        fetch(policy, f"http://rebind.test:{port}/hooks")
    assert asked == ["rebind.test", "rebind.test"] and seen == []


def test_literal_private_addresses_are_refused_at_connect_time(local_server: tuple[str, list[str]]) -> None:
    port, seen = local_server
    with pytest.raises(TargetRefused, match="loopback"):
        fetch(OutgoingPolicy(), f"http://127.0.0.1:{port}/ping")
    assert seen == []


def test_each_redirect_hop_is_checked_where_it_connects(local_server: tuple[str, list[str]]) -> None:
    port, seen = local_server
    policy = OutgoingPolicy(allowed_networks=parse_networks("127.0.0.1/32"))
    # The first hop is an allowed address; the second (127.0.0.2, also this machine) is not.
    with pytest.raises(TargetRefused, match="127.0.0.2"):
        fetch(
            policy, f"http://127.0.0.1:{port}/bounce?to=http://127.0.0.2:{port}/ping", follow_redirects=True
        )
    assert seen == ["/bounce"]


def test_a_name_that_stops_resolving_is_a_connect_error_worth_retrying() -> None:
    with pytest.raises(httpx.ConnectError, match="does not resolve"):
        fetch(OutgoingPolicy(resolver=table({})), "https://gone.test/hooks")
