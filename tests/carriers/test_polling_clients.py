"""The polling clients against a real HTTP server on 127.0.0.1 that plays the carriers.

The server replays the carriers' recorded responses (read in place from the shared data,
skipped when absent) and small bodies of our own, issues and revokes OAuth tokens, and
answers 429/5xx when a test scripts it. The clients run for real over sockets; only time
(sleep and clocks) and randomness are injected, so no test waits.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import socket
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ordertrack.carriers.dhl.client import make_client as make_dhl_client
from ordertrack.carriers.environments import CarrierTargets, connector_base_url
from ordertrack.carriers.errors import (
    CarrierAuthFailed,
    CarrierRequestRefused,
    CarrierTargetRefused,
    CarrierUnavailable,
)
from ordertrack.carriers.fedex.client import BATCH_SIZE
from ordertrack.carriers.fedex.client import make_client as make_fedex_client
from ordertrack.carriers.http import CarrierHttp, ConnectionSettings, TrackingClient
from ordertrack.carriers.ratelimit import TokenBucket
from ordertrack.carriers.ups.client import make_client as make_ups_client
from ordertrack.carriers.usps.client import make_client as make_usps_client
from ordertrack.config import Settings
from ordertrack.kit.outgoing import OutgoingPolicy, parse_networks
from tests.carriers.samples import sample

T = TypeVar("T")

CLIENT_ID = "client-id"
CLIENT_SECRET = "client-secret"
API_KEY = "dhl-key"
UPS_NUMBER = "1ZA82D672031716786"
USPS_NUMBER = "9400100000000000000000"
DHL_NUMBER = "00340434292135100124"

UPS_TRACK = "/api/track/v1/details/"
FEDEX_TRACK = "/track/v1/trackingnumbers"
USPS_TRACK = "/tracking/v3/tracking/"
DHL_TRACK = "/track/shipments"
TOKEN_PATHS = frozenset({"/security/v1/oauth/token", "/oauth/token", "/oauth2/v3/token"})
# The operator's development setting that lets the poller reach the fake carrier on 127.0.0.1
# (ORDERTRACK_OUTGOING_ALLOWED_NETWORKS); production reaches public addresses only.
LOCAL_CARRIERS = OutgoingPolicy(allowed_networks=parse_networks("127.0.0.0/8"))


# --- the fake carrier -------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def form(self) -> dict[str, str]:
        return {name: values[0] for name, values in parse_qs(self.body.decode()).items()}


@dataclass(frozen=True)
class Canned:
    status: int
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[Seen], Canned]


class FakeCarrier:
    """What UPS, FedEx, USPS and DHL have in common, as far as a polling client can tell."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.routes: dict[str, Route] = {}  # by path prefix
        self.script: dict[str, deque[Canned]] = defaultdict(deque)  # by path prefix, served first
        self.seen: list[Seen] = []
        self.tokens_issued: list[str] = []
        self.valid_tokens: set[str] = set()
        self.token_lifetime: object = 3600

    def route(self, prefix: str, answer: Route | Canned) -> None:
        self.routes[prefix] = answer if callable(answer) else (lambda _seen: answer)

    def then(self, prefix: str, *answers: Canned) -> None:
        self.script[prefix].extend(answers)

    def calls(self, prefix: str) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(prefix)]

    def answer(self, seen: Seen) -> Canned:
        with self._lock:
            self.seen.append(seen)
            for prefix, queue in self.script.items():
                if seen.path.startswith(prefix) and queue:
                    return queue.popleft()
            if seen.path in TOKEN_PATHS:
                return self._issue_token(seen)
            if not self._authorised(seen):
                return Canned(
                    401, b'{"response": {"errors": [{"code": "250002", "message": "Invalid token"}]}}'
                )
            for prefix, route in self.routes.items():
                if seen.path.startswith(prefix):
                    return route(seen)
            return Canned(404, b'{"error": "no such route in the fake carrier"}')

    def _issue_token(self, seen: Seen) -> Canned:
        form = seen.form()
        basic = seen.headers.get("authorization", "")
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if form.get("grant_type") != "client_credentials" or (client_id, secret) != (
            CLIENT_ID,
            CLIENT_SECRET,
        ):
            return Canned(
                401, b'{"error": "invalid_client", "error_description": "Client authentication failed."}'
            )
        token = f"token-{len(self.tokens_issued) + 1}"
        self.tokens_issued.append(token)
        self.valid_tokens.add(token)
        body = {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime}
        return Canned(200, json.dumps(body).encode())

    def _authorised(self, seen: Seen) -> bool:
        if "dhl-api-key" in seen.headers:
            return seen.headers["dhl-api-key"] == API_KEY
        auth = seen.headers.get("authorization", "")
        return auth.startswith("Bearer ") and auth[7:] in self.valid_tokens


def _handler(carrier: FakeCarrier) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without this, Nagle holds the body ~40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            seen = Seen(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=self.rfile.read(length),
            )
            canned = carrier.answer(seen)
            self.send_response(canned.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(canned.body)))
            for name, value in canned.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(canned.body)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
            pass

    return Handler


@dataclass
class Server:
    carrier: FakeCarrier
    base_url: str


@pytest.fixture(scope="module")
def _server() -> Iterator[Server]:
    carrier = FakeCarrier()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(carrier))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Server(carrier, f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def server(_server: Server) -> Server:
    _server.carrier.reset()
    return _server


# --- injected time ----------------------------------------------------------------------------


class FakeClock:
    """Monotonic and wall time that only move when the code under test sleeps."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        self.sleeps: list[float] = []
        self.start = datetime(2024, 5, 6, 12, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.elapsed

    def wall(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds
        await asyncio.sleep(0)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def account(carrier: str, base_url: str, **overrides: Any) -> ConnectionSettings:
    fields: dict[str, Any] = {
        "carrier": carrier,
        "base_url": base_url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "api_key": API_KEY if carrier == "dhl" else None,
        "account_number": "A82D67" if carrier == "ups" else None,
        "requests_per_second": 1000.0,  # out of the way unless a test is about the rate limit
    }
    return ConnectionSettings(**(fields | overrides))


def session(acct: ConnectionSettings, clock: FakeClock, **options: Any) -> CarrierHttp:
    options = {"outgoing": LOCAL_CARRIERS} | options
    return CarrierHttp(
        acct, clock=clock.monotonic, sleep=clock.sleep, now=clock.wall, rng=random.Random(7), **options
    )


async def fetch_with(
    make: Callable[[CarrierHttp], TrackingClient], http: CarrierHttp, *batches: Sequence[str]
) -> list[list[bytes]]:
    async with http:
        client = make(http)
        return [await client.fetch(batch) for batch in batches]


def ups_body(number: str) -> bytes:
    return json.dumps({"trackResponse": {"shipment": [{"inquiryNumber": number, "package": []}]}}).encode()


def fedex_echo(seen: Seen) -> Canned:
    numbers = [info["trackingNumberInfo"]["trackingNumber"] for info in json.loads(seen.body)["trackingInfo"]]
    results = [{"trackingNumber": n, "trackResults": []} for n in numbers]
    return Canned(200, json.dumps({"output": {"completeTrackResults": results}}).encode())


def serve_ups(carrier: FakeCarrier, body: bytes | None = None) -> None:
    carrier.route(UPS_TRACK, lambda seen: Canned(200, body or ups_body(seen.path.rsplit("/", 1)[1])))


# --- OAuth -------------------------------------------------------------------------------------


def test_ups_asks_for_a_token_with_basic_credentials_then_tracks_with_it(server: Server) -> None:
    serve_ups(server.carrier)
    clock = FakeClock()

    [[body]] = run(fetch_with(make_ups_client, session(account("ups", server.base_url), clock), [UPS_NUMBER]))

    assert json.loads(body)["trackResponse"]["shipment"][0]["inquiryNumber"] == UPS_NUMBER
    token_call, track_call = server.carrier.seen
    assert token_call.method == "POST" and token_call.path == "/security/v1/oauth/token"
    assert (
        token_call.headers["authorization"]
        == "Basic " + base64.b64encode(b"client-id:client-secret").decode()
    )
    assert token_call.form() == {"grant_type": "client_credentials"}
    assert token_call.headers["x-merchant-id"] == "A82D67"
    assert track_call.method == "GET" and track_call.path == UPS_TRACK + UPS_NUMBER
    assert track_call.headers["authorization"] == "Bearer token-1"
    assert len(track_call.headers["transid"]) == 32
    assert track_call.headers["transactionsrc"] == "ordertrack"


def test_token_is_reused_across_calls_until_shortly_before_it_expires(server: Server) -> None:
    serve_ups(server.carrier)
    clock = FakeClock()
    http = session(account("ups", server.base_url), clock)

    async def scenario() -> None:
        async with http:
            client = make_ups_client(http)
            await client.fetch([UPS_NUMBER, UPS_NUMBER])
            clock.elapsed = 3600 - 61  # still more than the 60 s margin left
            await client.fetch([UPS_NUMBER])
            assert server.carrier.tokens_issued == ["token-1"]
            clock.elapsed = 3600 - 59  # inside the margin: refreshed before the carrier refuses it
            await client.fetch([UPS_NUMBER])

    run(scenario())

    assert server.carrier.tokens_issued == ["token-1", "token-2"]
    assert [c.headers["authorization"] for c in server.carrier.calls(UPS_TRACK)] == [
        "Bearer token-1",
        "Bearer token-1",
        "Bearer token-1",
        "Bearer token-2",
    ]


def test_token_lifetime_given_as_a_string_is_honoured(server: Server) -> None:
    serve_ups(server.carrier)
    server.carrier.token_lifetime = "14399"  # UPS sends expires_in as text
    clock = FakeClock()
    http = session(account("ups", server.base_url), clock)

    async def scenario() -> None:
        async with http:
            client = make_ups_client(http)
            await client.fetch([UPS_NUMBER])
            clock.elapsed = 14000
            await client.fetch([UPS_NUMBER])

    run(scenario())
    assert server.carrier.tokens_issued == ["token-1"]


def test_revoked_token_is_replaced_once_and_the_request_retried(server: Server) -> None:
    serve_ups(server.carrier)
    clock = FakeClock()
    http = session(account("ups", server.base_url), clock)

    async def scenario() -> list[bytes]:
        async with http:
            client = make_ups_client(http)
            await client.fetch([UPS_NUMBER])
            server.carrier.valid_tokens.clear()  # the carrier revokes token-1 before its expiry
            return await client.fetch([UPS_NUMBER])

    [body] = run(scenario())

    assert json.loads(body)["trackResponse"]["shipment"][0]["inquiryNumber"] == UPS_NUMBER
    assert server.carrier.tokens_issued == ["token-1", "token-2"]
    assert [(c.path, c.headers.get("authorization")) for c in server.carrier.seen[2:]] == [
        (UPS_TRACK + UPS_NUMBER, "Bearer token-1"),
        ("/security/v1/oauth/token", server.carrier.seen[0].headers["authorization"]),
        (UPS_TRACK + UPS_NUMBER, "Bearer token-2"),
    ]


def test_second_401_in_a_row_raises_auth_failed(server: Server) -> None:
    try:
        refused = sample("ups", "AuthError.json")
    except pytest.skip.Exception:
        refused = (
            b'{"response": {"errors": [{"code": "250003", "message": "Invalid Access License number"}]}}'
        )
    serve_ups(server.carrier)
    server.carrier.then(UPS_TRACK, Canned(401, refused), Canned(401, refused))
    clock = FakeClock()

    with pytest.raises(CarrierAuthFailed) as raised:
        run(fetch_with(make_ups_client, session(account("ups", server.base_url), clock), [UPS_NUMBER]))

    assert raised.value.status == 401
    assert b"250003" in raised.value.body
    assert server.carrier.tokens_issued == ["token-1", "token-2"]
    assert len(server.carrier.calls(UPS_TRACK)) == 2


def test_refused_client_credentials_raise_auth_failed_without_retrying(server: Server) -> None:
    clock = FakeClock()
    wrong = account("usps", server.base_url, client_secret="wrong")

    with pytest.raises(CarrierAuthFailed) as raised:
        run(fetch_with(make_usps_client, session(wrong, clock), [USPS_NUMBER]))

    assert raised.value.status == 401
    assert b"invalid_client" in raised.value.body
    assert [c.path for c in server.carrier.seen] == ["/oauth2/v3/token"]
    assert clock.sleeps == []


def test_account_without_client_credentials_fails_before_calling(server: Server) -> None:
    clock = FakeClock()
    with pytest.raises(CarrierAuthFailed):
        run(
            fetch_with(
                make_fedex_client, session(account("fedex", server.base_url, client_id=None), clock), ["1"]
            )
        )
    assert server.carrier.seen == []


def test_concurrent_fetches_share_one_token_request() -> None:
    tokens = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal tokens
        if request.url.path == "/oauth/token":
            tokens += 1
            return httpx.Response(200, json={"access_token": "shared", "expires_in": 3600})
        assert request.headers["authorization"] == "Bearer shared"
        return httpx.Response(
            200, content=fedex_echo(Seen("POST", request.url.path, {}, {}, request.content)).body
        )

    clock = FakeClock()
    http = session(account("fedex", "https://apis.example"), clock, transport=httpx.MockTransport(handler))

    async def scenario() -> list[list[bytes]]:
        async with http:
            client = make_fedex_client(http)
            return await asyncio.gather(*(client.fetch([str(n)]) for n in range(5)))

    results = run(scenario())
    assert tokens == 1
    assert len(results) == 5


# --- retries ----------------------------------------------------------------------------------


def test_429_with_retry_after_waits_that_long_then_succeeds(server: Server) -> None:
    serve_ups(server.carrier)
    server.carrier.then(UPS_TRACK, Canned(429, b'{"error": "slow down"}', {"Retry-After": "2"}))
    clock = FakeClock()

    [[body]] = run(fetch_with(make_ups_client, session(account("ups", server.base_url), clock), [UPS_NUMBER]))

    assert json.loads(body)["trackResponse"]["shipment"][0]["inquiryNumber"] == UPS_NUMBER
    assert clock.sleeps == [pytest.approx(2.0)]
    assert len(server.carrier.calls(UPS_TRACK)) == 2


def test_retry_after_as_an_http_date_is_waited_out(server: Server) -> None:
    serve_ups(server.carrier)
    clock = FakeClock()
    later = format_datetime(clock.wall() + timedelta(seconds=5), usegmt=True)
    server.carrier.then(UPS_TRACK, Canned(503, b"{}", {"Retry-After": later}))

    run(fetch_with(make_ups_client, session(account("ups", server.base_url), clock), [UPS_NUMBER]))

    assert clock.sleeps == [pytest.approx(5.0)]


def test_retry_after_beyond_the_cap_gives_up_at_once_saying_how_long(server: Server) -> None:
    serve_ups(server.carrier)
    server.carrier.then(UPS_TRACK, Canned(429, b'{"error": "daily quota"}', {"Retry-After": "3600"}))
    clock = FakeClock()

    with pytest.raises(CarrierUnavailable) as raised:
        run(fetch_with(make_ups_client, session(account("ups", server.base_url), clock), [UPS_NUMBER]))

    assert raised.value.status == 429
    assert raised.value.retry_after == 3600
    assert clock.sleeps == []
    assert len(server.carrier.calls(UPS_TRACK)) == 1


def test_server_errors_are_retried_with_full_jitter_backoff(server: Server) -> None:
    server.carrier.route(USPS_TRACK, Canned(200, b'{"trackingNumber": "9400100000000000000000"}'))
    server.carrier.then(USPS_TRACK, Canned(503), Canned(502))
    clock = FakeClock()

    [[body]] = run(
        fetch_with(make_usps_client, session(account("usps", server.base_url), clock), [USPS_NUMBER])
    )

    assert json.loads(body)["trackingNumber"] == USPS_NUMBER
    expected = random.Random(7)
    assert clock.sleeps == [expected.uniform(0, 0.5), expected.uniform(0, 1.0)]
    assert len(server.carrier.calls(USPS_TRACK)) == 3


def test_gives_up_after_max_attempts_with_the_last_status(server: Server) -> None:
    server.carrier.then(FEDEX_TRACK, *[Canned(500, b'{"errors": [{"code": "SYSTEM.UNAVAILABLE"}]}')] * 5)
    clock = FakeClock()

    with pytest.raises(CarrierUnavailable) as raised:
        run(
            fetch_with(make_fedex_client, session(account("fedex", server.base_url), clock), ["123456789012"])
        )

    assert raised.value.status == 500
    assert b"SYSTEM.UNAVAILABLE" in raised.value.body
    assert len(server.carrier.calls(FEDEX_TRACK)) == 4
    assert len(clock.sleeps) == 3
    assert all(0 <= s <= cap for s, cap in zip(clock.sleeps, [0.5, 1.0, 2.0], strict=True))


def test_max_attempts_is_configurable(server: Server) -> None:
    server.carrier.then(FEDEX_TRACK, *[Canned(502)] * 3)
    clock = FakeClock()
    http = session(account("fedex", server.base_url), clock, max_attempts=2)

    with pytest.raises(CarrierUnavailable):
        run(fetch_with(make_fedex_client, http, ["123456789012"]))
    assert len(server.carrier.calls(FEDEX_TRACK)) == 2


def test_a_carrier_that_does_not_answer_is_unavailable_after_retries() -> None:
    with socket.socket() as probe:  # a port on 127.0.0.1 that nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    clock = FakeClock()
    http = session(account("dhl", f"http://127.0.0.1:{closed_port}"), clock, max_attempts=3)

    with pytest.raises(CarrierUnavailable) as raised:
        run(fetch_with(make_dhl_client, http, [DHL_NUMBER]))

    assert raised.value.status is None
    assert len(clock.sleeps) == 2


def test_a_carrier_root_on_a_loopback_address_is_refused_at_once_without_a_request(server: Server) -> None:
    serve_ups(server.carrier)
    clock = FakeClock()
    production = session(account("ups", server.base_url), clock, outgoing=OutgoingPolicy())

    with pytest.raises(CarrierTargetRefused, match="loopback"):
        run(fetch_with(make_ups_client, production, [UPS_NUMBER]))

    assert server.carrier.seen == [] and clock.sleeps == []  # no call, and no retry either


def test_a_redirect_from_the_carrier_is_not_followed(server: Server) -> None:
    elsewhere = server.base_url + "/internal/admin"
    server.carrier.route(DHL_TRACK, Canned(302, b"", {"Location": elsewhere}))
    clock = FakeClock()

    with pytest.raises(CarrierRequestRefused) as refused:
        run(fetch_with(make_dhl_client, session(account("dhl", server.base_url), clock), [DHL_NUMBER]))

    assert refused.value.status == 302
    assert [seen.path for seen in server.carrier.seen] == [DHL_TRACK]


@pytest.mark.parametrize(
    ("carrier", "production", "sandbox"),
    [
        ("ups", "https://onlinetools.ups.com", "https://wwwcie.ups.com"),
        ("fedex", "https://apis.fedex.com", "https://apis-sandbox.fedex.com"),
        ("usps", "https://apis.usps.com", "https://apis-tem.usps.com"),
        ("dhl", "https://api-eu.dhl.com", "https://api-test.dhl.com"),
    ],
)
def test_every_pollable_carrier_declares_its_production_and_sandbox_roots(
    carrier: str, production: str, sandbox: str
) -> None:
    assert connector_base_url(carrier, "production") == production
    assert connector_base_url(carrier, "sandbox") == sandbox


def test_only_the_operator_overrides_a_carrier_root_for_the_whole_process() -> None:
    targets = CarrierTargets.from_settings(Settings(carrier_base_urls={"DHL": "http://127.0.0.1:9000"}))
    assert (
        targets.base_url("dhl", "production") == targets.base_url("dhl", "sandbox") == "http://127.0.0.1:9000"
    )
    assert targets.base_url("ups", "sandbox") == "https://wwwcie.ups.com"
    assert targets.outgoing == OutgoingPolicy()  # the override opens no network by itself
    for bad in ("ftp://127.0.0.1/", "127.0.0.1:9000", "http:///track"):
        with pytest.raises(ValueError, match="carrier_base_urls"):
            Settings(carrier_base_urls={"dhl": bad})


def test_a_dropped_connection_is_retried() -> None:
    attempts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise httpx.ReadTimeout("carrier too slow", request=request)
        return httpx.Response(200, json={"shipments": []})

    clock = FakeClock()
    http = session(
        account("dhl", "https://api-eu.dhl.example"), clock, transport=httpx.MockTransport(handler)
    )
    [[body]] = run(fetch_with(make_dhl_client, http, [DHL_NUMBER]))
    assert json.loads(body) == {"shipments": []}
    assert attempts == 2 and len(clock.sleeps) == 1


# --- answers the mapping reads, and refusals --------------------------------------------------


def test_dhl_not_found_404_is_returned_for_the_mapping(server: Server) -> None:
    try:
        not_found = sample("dhl_universal", "TrackingErrorResponseJSON.json")
    except pytest.skip.Exception:
        not_found = b'{"title": "No result found", "status": 404}'
    server.carrier.route(DHL_TRACK, Canned(404, not_found))
    clock = FakeClock()

    [[body]] = run(fetch_with(make_dhl_client, session(account("dhl", server.base_url), clock), [DHL_NUMBER]))

    assert body == not_found
    [call] = server.carrier.seen
    assert call.query == {"trackingNumber": [DHL_NUMBER]}
    assert call.headers["dhl-api-key"] == API_KEY
    assert "authorization" not in call.headers


def test_one_unknown_ups_number_does_not_fail_the_others(server: Server) -> None:
    unknown = b'{"response": {"errors": [{"code": "TV1002", "message": "Invalid inquiry number"}]}}'
    server.carrier.route(
        UPS_TRACK,
        lambda seen: Canned(400, unknown) if seen.path.endswith("BAD") else Canned(200, ups_body(UPS_NUMBER)),
    )
    clock = FakeClock()

    [bodies] = run(
        fetch_with(make_ups_client, session(account("ups", server.base_url), clock), [UPS_NUMBER, "BAD"])
    )

    assert bodies == [ups_body(UPS_NUMBER), unknown]


def test_fedex_refusing_the_request_raises_request_refused(server: Server) -> None:
    try:
        refused = sample("fedex", "ErrorResponse.json")
    except pytest.skip.Exception:
        refused = b'{"errors": [{"code": "TRACKING.TRACKINGNUMBER.EMPTY"}]}'
    server.carrier.route(FEDEX_TRACK, Canned(400, refused))
    clock = FakeClock()

    with pytest.raises(CarrierRequestRefused) as raised:
        run(
            fetch_with(make_fedex_client, session(account("fedex", server.base_url), clock), ["123456789012"])
        )

    assert raised.value.status == 400
    assert b"TRACKING.TRACKINGNUMBER.EMPTY" in raised.value.body
    assert clock.sleeps == []


def test_dhl_without_an_api_key_fails_before_calling(server: Server) -> None:
    clock = FakeClock()
    with pytest.raises(CarrierAuthFailed):
        run(fetch_with(make_dhl_client, session(account("dhl", server.base_url, api_key=None), clock), ["1"]))
    assert server.carrier.seen == []


def test_dhl_key_refused_raises_auth_failed(server: Server) -> None:
    clock = FakeClock()
    with pytest.raises(CarrierAuthFailed) as raised:
        run(
            fetch_with(
                make_dhl_client, session(account("dhl", server.base_url, api_key="wrong"), clock), ["1"]
            )
        )
    assert raised.value.status == 401
    assert len(server.carrier.seen) == 1


# --- FedEx batches and USPS requests -----------------------------------------------------------


def test_fedex_sends_at_most_30_numbers_per_request(server: Server) -> None:
    server.carrier.route(FEDEX_TRACK, fedex_echo)
    numbers = [f"7{n:011d}" for n in range(65)]
    clock = FakeClock()

    [bodies] = run(fetch_with(make_fedex_client, session(account("fedex", server.base_url), clock), numbers))

    token_call, *track_calls = server.carrier.seen
    assert token_call.path == "/oauth/token"
    assert token_call.form() == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    sent = [json.loads(call.body) for call in track_calls]
    assert [len(body["trackingInfo"]) for body in sent] == [BATCH_SIZE, BATCH_SIZE, 5]
    assert all(body["includeDetailedScans"] is True for body in sent)
    assert [
        i["trackingNumberInfo"]["trackingNumber"] for body in sent for i in body["trackingInfo"]
    ] == numbers
    assert all(call.headers["content-type"] == "application/json" for call in track_calls)
    assert len(bodies) == 3
    assert [
        r["trackingNumber"] for b in bodies for r in json.loads(b)["output"]["completeTrackResults"]
    ] == numbers


def test_fedex_with_no_numbers_makes_no_request(server: Server) -> None:
    clock = FakeClock()
    assert run(fetch_with(make_fedex_client, session(account("fedex", server.base_url), clock), [])) == [[]]
    assert server.carrier.seen == []


def test_usps_token_by_form_then_detail_tracking(server: Server) -> None:
    server.carrier.route(USPS_TRACK, Canned(200, b'{"trackingNumber": "9400100000000000000000"}'))
    clock = FakeClock()

    run(fetch_with(make_usps_client, session(account("usps", server.base_url), clock), [USPS_NUMBER]))

    token_call, track_call = server.carrier.seen
    assert token_call.path == "/oauth2/v3/token"
    assert token_call.form() == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    assert track_call.path == USPS_TRACK + USPS_NUMBER
    assert track_call.query == {"expand": ["DETAIL"]}
    assert track_call.headers["authorization"] == "Bearer token-1"


# --- recorded carrier responses, replayed byte for byte -----------------------------------------

RECORDED = [
    ("ups", "TrackingResponseJSON.json", make_ups_client, UPS_TRACK, UPS_NUMBER),
    ("fedex", "TrackingResponse.json", make_fedex_client, FEDEX_TRACK, "399368623212"),
    ("usps", "TrackingResponse.json", make_usps_client, USPS_TRACK, "89108749065090"),
    ("dhl_universal", "TrackingResponseJSON.json", make_dhl_client, DHL_TRACK, DHL_NUMBER),
]


@pytest.mark.parametrize(("folder", "name", "make", "path", "number"), RECORDED, ids=[r[0] for r in RECORDED])
def test_recorded_response_reaches_the_mapping_unchanged(
    server: Server,
    folder: str,
    name: str,
    make: Callable[[CarrierHttp], TrackingClient],
    path: str,
    number: str,
) -> None:
    recorded = sample(folder, name)
    server.carrier.route(path, Canned(200, recorded))
    carrier = "dhl" if folder == "dhl_universal" else folder
    clock = FakeClock()

    [[body]] = run(fetch_with(make, session(account(carrier, server.base_url), clock), [number]))

    assert body == recorded


# --- rate limit -------------------------------------------------------------------------------


def test_requests_are_spaced_by_the_account_rate(server: Server) -> None:
    server.carrier.route(DHL_TRACK, Canned(200, b'{"shipments": []}'))
    clock = FakeClock()
    slow = account("dhl", server.base_url, requests_per_second=2.0)

    [bodies] = run(fetch_with(make_dhl_client, session(slow, clock), [DHL_NUMBER] * 5))

    assert len(bodies) == 5
    # A burst of one second's worth (2), then one request every half second.
    assert clock.sleeps == [pytest.approx(0.5)] * 3


def test_concurrent_callers_share_one_bucket() -> None:
    clock = FakeClock()
    bucket = TokenBucket(1.0, clock=clock.monotonic, sleep=clock.sleep)
    granted: list[float] = []

    async def caller() -> None:
        await bucket.acquire()
        granted.append(clock.monotonic())

    async def scenario() -> None:
        await asyncio.gather(*(caller() for _ in range(4)))

    run(scenario())
    assert granted == [pytest.approx(t) for t in (0.0, 1.0, 2.0, 3.0)]


def test_carrier_default_rate_applies_unless_the_account_sets_one() -> None:
    clock = FakeClock()

    async def rates() -> tuple[float, float]:
        async with session(
            account("usps", "https://apis.usps.example", requests_per_second=None), clock
        ) as usps:
            make_usps_client(usps)
            default = usps.limiter.rate
        async with session(
            account("usps", "https://apis.usps.example", requests_per_second=3.0), clock
        ) as own:
            make_usps_client(own)
            chosen = own.limiter.rate
        return default, chosen

    assert run(rates()) == (pytest.approx(60 / 3600), 3.0)


def test_account_repr_hides_secrets() -> None:
    text = repr(account("ups", "https://onlinetools.ups.com"))
    assert CLIENT_SECRET not in text
    assert CLIENT_ID in text
