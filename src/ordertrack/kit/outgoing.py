"""Where outgoing requests may go: public addresses only, checked where the connection is made.

Some URLs ordertrack calls are typed by a merchant (webhook endpoints). Unchecked, such a URL
reaches whatever the worker can reach: its own loopback, the cloud metadata service at
169.254.169.254, the database on the private network (server-side request forgery). So:

- a URL is refused when it is malformed, uses a scheme other than https (http only when the
  operator allows it, for development), or its host resolves to any address that is not
  public: loopback, private, link-local, multicast, reserved, unspecified, shared (CGNAT),
  documentation ranges, and IPv6 forms that carry one of those (IPv4-mapped, NAT64, 6to4);
- the same check runs again where the connection is opened (:class:`GuardedTransport`): the
  name is resolved once, every address is vetted and the socket goes to a vetted address,
  so a name that answered a public address at registration and a private one a minute
  later (DNS rebinding) is refused. TLS still checks the certificate of the name.

Only the operator widens this, for the whole process: ``allowed_networks`` lists private
networks that may be reached (an own receiver on the LAN; ``127.0.0.0/8`` for development
and tests). The resolver is injected so tests rebind names without DNS or patching.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

from ordertrack.kit.errors import Unprocessable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port -> the addresses to try, in order (getaddrinfo's answer, or a test's table).
Resolver = Callable[[str, int], Sequence[str]]

# RFC 6052 section 2.1: the well-known NAT64 prefix; the last 32 bits are the IPv4 address the
# translator connects to.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
# A DNS name as httpx sends it (IDNA already applied): dot-separated labels of letters, digits,
# hyphens (and the underscores some real hosts carry), at most 253 characters.
HOST_NAME = re.compile(
    r"(?=.{1,253}\.?$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?",
    re.I,
)


class TargetRefused(Unprocessable):
    """An outgoing URL or address ordertrack will not call."""

    code = "target_not_allowed"


class TargetUnresolved(TargetRefused):
    """The URL's host has no address (yet): refused at registration, retried at send time."""

    code = "target_unresolved"


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses ``getaddrinfo`` gives for ``host``, in its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (IPv4-mapped, NAT64, 6to4), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def refusal(address: Address) -> str | None:
    """Why ``address`` is not a public one ("loopback", "private"...), or None when it is."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = refusal(inner)
        return f"{reason} ({inner} inside {address})" if reason else None
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "site-local"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:  # shared address space (100.64.0.0/10) and the like
        return "not globally reachable"
    return None


def parse_networks(text: str) -> tuple[Network, ...]:
    """``"127.0.0.0/8, 10.1.0.0/16"`` as networks; a bare address is a network of one."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class Target:
    """A URL that passed the check, and the addresses its host had then."""

    url: str
    host: str
    port: int
    addresses: tuple[Address, ...]


@dataclass(frozen=True)
class OutgoingPolicy:
    """The process's rule for outgoing requests (set by the operator, never per merchant)."""

    allowed_networks: tuple[Network, ...] = ()
    allow_http: bool = False  # development only: production URLs are https
    resolver: Resolver = field(default=system_resolver, compare=False)

    def address_refusal(self, address: Address) -> str | None:
        """Why this process may not reach ``address``, or None when it may."""
        for candidate in (address, embedded_ipv4(address)):
            if candidate is not None and any(
                candidate.version == net.version and candidate in net for net in self.allowed_networks
            ):
                return None
        return refusal(address)

    def vet(self, host: str, found: Iterable[str]) -> tuple[Address, ...]:
        """Every address ``host`` resolved to, when all of them may be reached."""
        addresses = []
        for text in found:
            try:
                address = ipaddress.ip_address(text)
            except ValueError:
                raise TargetRefused(f"{host} resolves to {text!r}, not an IP address") from None
            reason = self.address_refusal(address)
            if reason is not None:
                raise TargetRefused(f"{host} resolves to {address}, a {reason} address")
            addresses.append(address)
        if not addresses:
            raise TargetUnresolved(f"{host} has no address")
        return tuple(addresses)

    def resolve(self, host: str, port: int) -> tuple[Address, ...]:
        """Resolve and vet ``host`` (blocking: run it in a thread from async code)."""
        try:
            found = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise TargetUnresolved(f"{host} does not resolve ({exc})") from None
        return self.vet(host, found)

    def parse(self, url: str) -> tuple[str, str, int]:
        """``url``'s scheme, host and port when its form is acceptable; else :class:`TargetRefused`."""
        try:
            urlsplit(url).port  # noqa: B018 - the standard library's parser must agree it is a URL
            parsed = httpx.URL(url)
            host = parsed.raw_host.decode("ascii")
        except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
            raise TargetRefused(f"not a valid URL: {exc}") from None
        if host and not HOST_NAME.fullmatch(host):
            try:
                ipaddress.ip_address(host)
            except ValueError:
                raise TargetRefused(f"not a valid URL: {host!r} is not a host name") from None
        schemes = ("https", "http") if self.allow_http else ("https",)
        if parsed.scheme not in schemes:
            raise TargetRefused(
                "the URL must start with https://" if not self.allow_http else "the URL must be http(s)"
            )
        if not host:
            raise TargetRefused("the URL has no host")
        port = parsed.port if parsed.port is not None else (443 if parsed.scheme == "https" else 80)
        if not 0 < port < 65536:
            raise TargetRefused(f"the URL's port {port} is not a TCP port")
        return parsed.scheme, host, port

    def check_url(self, url: str) -> Target:
        """The whole check, blocking (registration): form, scheme, and every resolved address."""
        _scheme, host, port = self.parse(url)
        return Target(url, host, port, self.resolve(host, port))

    async def check_url_async(self, url: str) -> Target:
        """:meth:`check_url` with the name lookup in a worker thread."""
        _scheme, host, port = self.parse(url)
        addresses = await anyio.to_thread.run_sync(self.resolve, host, port)
        return Target(url, host, port, addresses)

    def transport(self, *, ssl_context: ssl.SSLContext | None = None) -> GuardedTransport:
        return GuardedTransport(self, ssl_context=ssl_context)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens connections only to vetted addresses: resolve, vet all, connect to one of them."""

    def __init__(self, policy: OutgoingPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self.inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await anyio.to_thread.run_sync(self.policy.resolve, host, port)
        except TargetUnresolved as exc:
            raise httpcore.ConnectError(str(exc)) from exc  # DNS trouble: worth a retry
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # vet() never returns no address
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise TargetRefused("outgoing requests do not use Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, with its connection pool opening sockets through :class:`GuardedBackend`.

    A refused address raises :class:`TargetRefused` out of the request (it is not an
    ``httpx.TransportError``: retrying will not help). Environment proxies are not used: a
    proxy would resolve the name itself, past the check.
    """

    def __init__(self, policy: OutgoingPolicy, *, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(trust_env=False)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
        # httpx builds its pool without a way to pass a network backend; this is the one line
        # that reaches inside (tests/kit/test_outgoing.py fails if httpx ever moves it).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context if ssl_context is not None else httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )
