"""The email channel: one rendered message to one shopper over SMTP, with aiosmtplib.

The adapter knows nothing of orders, templates or the outbox: it gets an already rendered
message and an outbox message id, builds a standards-conforming MIME message and hands it to
the relay. What it adds is the part every transactional sender must get right:

- ``multipart/alternative`` with the text part first and HTML last (RFC 2046 section 5.1.4:
  the last part is the richest, the one a capable client shows);
- a ``Message-ID`` derived from the outbox id, so a message retried after a crash carries
  the same id and receiving systems can recognise the duplicate (RFC 5322 section 3.6.4);
- ``List-Unsubscribe`` (RFC 2369) and, for an HTTPS link, one-click unsubscribe with
  ``List-Unsubscribe-Post`` (RFC 8058), which Gmail and Yahoo require of bulk senders;
- ``Auto-Submitted: auto-generated`` (RFC 3834 section 5) so autoresponders stay quiet;
- UTF-8 everywhere, carried as RFC 2047 encoded words and quoted-printable bodies, so the
  message passes any relay unchanged, even one without 8BITMIME (RFC 6152).
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.headerregistry import Address, AddressHeader
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from ordertrack.notifications.channels.errors import DeliveryFailed

# Submission over implicit TLS (RFC 8314 section 7.3), STARTTLS submission (RFC 6409
# section 3.1) and SMTP relay's well-known port (RFC 5321, IANA service "smtp").
SMTPS_PORT = 465
SUBMISSION_PORT = 587
SMTP_PORT = 25

DEFAULT_TIMEOUT_SECONDS = 30.0

_TRUE = {"1", "true", "yes", "on", ""}  # a bare "?starttls" means yes
_FALSE = {"0", "false", "no", "off"}

# The left part of a Message-ID is a dot-atom (RFC 5322 section 3.6.4 with 3.2.3): outbox ids
# are UUIDs or numbers, which fit; anything else is a caller's mistake and refused loudly.
_DOT_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")

# Headers whose value is a list of <URI>s: the default policy would turn a long one into RFC
# 2047 encoded words, which no client decodes inside a URI, so they are written as given.
_VERBATIM_HEADERS = frozenset({"list-unsubscribe", "list-unsubscribe-post"})


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to reach the SMTP relay (``ORDERTRACK_SMTP_URL``, ``ORDERTRACK_MAIL_FROM``)."""

    host: str
    port: int
    from_address: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    use_tls: bool = False  # implicit TLS from the first byte ("smtps", RFC 8314)
    starttls: bool = False  # upgrade a plain connection with STARTTLS (RFC 3207)
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if self.use_tls and self.starttls:
            raise ValueError("SMTP: choose implicit TLS (smtps://) or STARTTLS, not both")
        if not self.host:
            raise ValueError("SMTP: a host is required")
        if not 0 < self.port < 65536:
            raise ValueError(f"SMTP: port {self.port} is out of range")

    @classmethod
    def from_url(cls, url: str, from_address: str) -> SmtpConfig:
        """Read ``smtp://user:pass@host:port``, ``smtps://...`` and ``?starttls=1`` (and ``?timeout=s``).

        User name and password are percent-decoded, so a password holding ``@`` or ``:`` is
        written ``%40`` / ``%3A``. Without a port, ``smtps`` uses 465, ``smtp`` with STARTTLS
        uses 587 and plain ``smtp`` uses 25. A plain ``smtp://`` URL never upgrades on its own:
        what the operator wrote is what happens, so a local relay without a certificate works.
        """
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP URL must start with smtp:// or smtps://, not {scheme or 'nothing'}://")
        if not parts.hostname:
            raise ValueError("SMTP URL has no host")
        query = {
            key.lower(): values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()
        }
        starttls = _flag(query["starttls"], "starttls") if "starttls" in query else False
        use_tls = scheme == "smtps"
        if use_tls and starttls:
            raise ValueError("SMTP URL: smtps:// is already TLS; drop ?starttls=1 or use smtp://")
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"SMTP URL has a bad port: {exc}") from None
        if port is None:
            port = SMTPS_PORT if use_tls else SUBMISSION_PORT if starttls else SMTP_PORT
        timeout = float(query["timeout"]) if query.get("timeout") else DEFAULT_TIMEOUT_SECONDS
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            use_tls=use_tls,
            starttls=starttls,
            timeout=timeout,
            from_address=from_address,
        )


@dataclass(frozen=True)
class RenderedEmail:
    """One email as the templates produced it; the channel adds the envelope and headers."""

    subject: str
    text: str
    html: str
    unsubscribe_url: str
    unsubscribe_mailto: str | None = None


def build_message(
    config: SmtpConfig,
    to: str,
    email: RenderedEmail,
    *,
    message_id: str,
    sender_name: str | None = None,
    sent_at: datetime | None = None,
) -> EmailMessage:
    """The MIME message :func:`send_email` sends; public so previews and tests see the same bytes.

    ``sender_name`` puts the merchant's name in front of the configured address
    (``"Loja Azul" <noreply@...>``), the part of branding the inbox list shows.
    """
    message = EmailMessage(policy=_POLICY)
    message["From"] = _with_name(config.from_address, sender_name)
    message["To"] = to
    message["Subject"] = email.subject
    # RFC 5322 section 3.6.1: the origination date is required.
    message["Date"] = format_datetime(sent_at or datetime.now(UTC))
    message["Message-ID"] = message_id_header(message_id, config.from_address)
    message["List-Unsubscribe"] = _list_unsubscribe(email)
    if urlsplit(email.unsubscribe_url).scheme.lower() == "https":
        # RFC 8058 section 3.1: one-click needs an HTTPS URI in List-Unsubscribe; the receiver
        # POSTs "List-Unsubscribe=One-Click" to it, so the page must accept that POST.
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    # Outlook/Exchange do not read Auto-Submitted; this is their switch to suppress out-of-office
    # replies (Microsoft's [MS-OXCMAIL] specification).
    message["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    # Quoted-printable keeps every line under 78 characters (RFC 5322 section 2.1.1) however
    # long the HTML lines are, and decodes back to the exact text, JSON-LD included.
    message.set_content(email.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(email.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def message_id_header(message_id: str, from_address: str) -> str:
    """``<{outbox id}@{sender domain}>``: the same outbox message always gets the same Message-ID."""
    if not _DOT_ATOM.match(message_id):
        raise ValueError(f"message id {message_id!r} cannot be the left part of a Message-ID")
    domain = _address(from_address).rpartition("@")[2]
    if not domain:
        raise ValueError(f"sender address {from_address!r} has no domain")
    return f"<{message_id}@{domain}>"


async def send_email(
    config: SmtpConfig,
    to: str,
    email: RenderedEmail,
    *,
    message_id: str,
    sender_name: str | None = None,
    sent_at: datetime | None = None,
) -> str:
    """Send one email through the relay and return its ``Message-ID``.

    Raises :class:`DeliveryFailed`: transient for timeouts, refused or dropped connections,
    TLS and authentication trouble and 4xx replies (RFC 5321 section 4.2.1: "transient
    negative completion"); permanent for 5xx replies to this message (a refused recipient,
    a refused body) and for a message that cannot be built at all (a malformed address).

    Authentication and TLS failures are transient on purpose: they are faults of the channel,
    not of this message; the worker's attempt limit still turns them into a dead letter if the
    operator does not fix the relay in time, and every message flows again once it is fixed.
    """
    try:
        message = build_message(
            config, to, email, message_id=message_id, sender_name=sender_name, sent_at=sent_at
        )
        recipient = _address(to)
        sender = _address(config.from_address)
        if not (recipient.isascii() and sender.isascii()):
            # Internationalised addresses need SMTPUTF8 (RFC 6531), which relays rarely offer.
            raise ValueError("addresses outside ASCII need SMTPUTF8, which this channel does not use")
        data = _flatten(message)
    except ValueError as exc:
        raise DeliveryFailed(f"email cannot be built: {exc}", transient=False) from exc
    try:
        await aiosmtplib.send(
            data,
            sender=sender,
            recipients=[recipient],
            hostname=config.host,
            port=config.port,
            username=config.username,
            password=config.password,
            use_tls=config.use_tls,
            start_tls=config.starttls,
            timeout=config.timeout,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients[0] if exc.recipients else None
        code = refused.code if refused else 0
        raise _reply_failure(code, refused.message if refused else str(exc), "recipient refused") from exc
    except aiosmtplib.SMTPAuthenticationError as exc:
        raise DeliveryFailed(
            f"SMTP authentication failed: {exc.code} {exc.message}", transient=True, status=exc.code
        ) from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise _reply_failure(exc.code, exc.message, type(exc).__name__) from exc
    except (aiosmtplib.SMTPException, OSError, ssl.SSLError, TimeoutError) as exc:
        # Connection refused or reset, DNS failure, timeout, server hung up, STARTTLS not offered.
        raise DeliveryFailed(f"SMTP relay unreachable: {type(exc).__name__}: {exc}", transient=True) from exc
    return str(message["Message-ID"])


def _reply_failure(code: int, text: str, what: str) -> DeliveryFailed:
    """RFC 5321 section 4.2.1: 4yz replies may succeed later, 5yz replies will not."""
    permanent = 500 <= code < 600
    return DeliveryFailed(f"SMTP {what}: {code} {text}".strip(), transient=not permanent, status=code)


class _SmtpPolicy(EmailPolicy):
    """``email.policy.SMTP`` that writes list-of-URI headers unfolded and unencoded."""

    def fold(self, name: str, value: Any) -> str:
        if name.lower() in _VERBATIM_HEADERS:
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() in _VERBATIM_HEADERS:
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


_POLICY = _SmtpPolicy(linesep="\r\n")


def _flatten(message: EmailMessage) -> bytes:
    out = BytesIO()
    BytesGenerator(out, policy=_POLICY).flatten(message)
    return out.getvalue()


def _list_unsubscribe(email: RenderedEmail) -> str:
    """``<https://...>, <mailto:...>`` (RFC 2369 section 3.2); URIs must be ASCII, as in any header."""
    uris = [email.unsubscribe_url]
    if email.unsubscribe_mailto:
        mailto = email.unsubscribe_mailto
        uris.append(mailto if mailto.lower().startswith("mailto:") else f"mailto:{mailto}")
    for uri in uris:
        if not uri.isascii() or any(c in uri for c in "<>\r\n ,"):
            raise ValueError(
                f"unsubscribe URI {uri!r} must be ASCII, percent-encoded and without <>, or spaces"
            )
    value = ", ".join(f"<{uri}>" for uri in uris)
    if len(value) > 900:
        raise ValueError("unsubscribe URIs are too long for one header line (RFC 5322 section 2.1.1)")
    return value


def _with_name(address: str, name: str | None) -> str:
    if not name:
        return address
    return str(Address(display_name=name, addr_spec=_address(address)))


def _address(value: str) -> str:
    """The bare addr-spec of ``"Name" <a@b>`` or ``a@b``, for the SMTP envelope."""
    parsed: dict[str, Any] = {}
    AddressHeader.parse(value, parsed)
    groups = parsed["groups"]
    addresses = [address for group in groups for address in group.addresses]
    if len(addresses) != 1 or parsed.get("defects"):
        raise ValueError(f"{value!r} is not one email address")
    addr_spec: str = addresses[0].addr_spec
    if "@" not in addr_spec:
        raise ValueError(f"{value!r} is not one email address")
    return addr_spec


def _flag(raw: str, name: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"SMTP URL: {name}={raw!r} is not a yes/no value")
