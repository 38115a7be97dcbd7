"""The SMS channel: a Twilio-compatible HTTP API, plus the pure rules an SMS must obey.

Sending is one POST of form fields ``To``, ``From`` and ``Body`` to
``{base}/2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP Basic authentication by
account SID and auth token (Twilio, "Message resource: create a Message"; the same shape is
served by Twilio-compatible providers and by local fakes). The answer's ``sid`` names the
message at the provider.

The pure helpers decide *what* may be sent and *when*: numbers in E.164 (ITU-T E.164, via
``phonenumbers``, the port of Google's libphonenumber), bodies kept within one or two
segments (3GPP TS 23.038 alphabets, 3GPP TS 23.040 concatenation), and quiet hours in the
recipient's own time zone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
import phonenumbers
import phonenumbers.timezone
from babel.core import get_global

from ordertrack.kit.clock import ensure_aware
from ordertrack.notifications.channels.errors import DeliveryFailed, classify_http_status, retry_after_seconds

DEFAULT_TIMEOUT_SECONDS = 15.0

# E.164: "+", a country code that does not start with 0, at most 15 digits in all.
_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")

# The GSM 7-bit default alphabet (3GPP TS 23.038 section 6.2.1), without 0x1B, the escape to
# the extension table. Note what is absent: "ã", "õ", "á", "í", "ó", "ú", "ê", "â", "ç" — a
# Portuguese or Spanish message with any of them goes out in UCS-2.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The default extension table (section 6.2.1.1): each costs two septets, ESC plus the char.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

# Characters per segment (3GPP TS 23.040 section 9.2.3.24.1): a single message carries 140
# octets, 160 GSM septets or 70 UCS-2 units; a concatenated one gives 6 octets to the user
# data header, leaving 153 septets or 67 units.
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

DEFAULT_QUIET_START = time(21, 0)
DEFAULT_QUIET_END = time(8, 0)

_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_WORD = re.compile(r"\S+")


class InvalidPhoneNumber(ValueError):
    """A number that is not a real, dialable phone number (or cannot be read at all)."""


@dataclass(frozen=True)
class SmsConfig:
    """The SMS provider (``ORDERTRACK_SMS_URL``, ``_ACCOUNT``, ``_TOKEN``, ``_FROM``)."""

    base_url: str  # "https://api.twilio.com" for Twilio itself
    account: str
    token: str = field(repr=False)
    from_number: str  # E.164 number, or an alphanumeric sender ID where the country allows it
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    def messages_url(self) -> str:
        return f"{self.base_url.rstrip('/')}/2010-04-01/Accounts/{quote(self.account, safe='')}/Messages.json"


async def send_sms(
    config: SmsConfig,
    to: str,
    body: str,
    *,
    client: httpx.AsyncClient,
    idempotency_key: str,
) -> str:
    """Hand one SMS to the provider and return its message ``sid``.

    ``to`` must already be E.164 (see :func:`normalise_phone`); anything else is refused
    before a request is made. ``idempotency_key`` goes out as the ``Idempotency-Key`` header
    (IETF draft-ietf-httpapi-idempotency-key-header): providers that honour it drop a retried
    duplicate; Twilio's Messages API does not document one, so a send that timed out after
    the provider accepted it can, there, be delivered twice — the at-least-once window.

    Raises :class:`DeliveryFailed`: transient for transport errors, timeouts, 408, 429, 5xx
    and 401 (credentials are the channel's fault, not the message's), with ``retry_after``
    from ``Retry-After``; permanent for any other 4xx (Twilio answers 400 with error 21211
    for an invalid ``To``, 21610 for a recipient who replied STOP).
    """
    if not _E164.match(to):
        raise DeliveryFailed(f"SMS recipient {to!r} is not an E.164 number", transient=False)
    try:
        response = await client.post(
            config.messages_url(),
            data={"To": to, "From": config.from_number, "Body": body},
            auth=(config.account, config.token),
            headers={"Idempotency-Key": idempotency_key, "Accept": "application/json"},
            timeout=config.timeout,
        )
    except httpx.TransportError as exc:  # connect/read timeouts, refused and reset connections
        raise DeliveryFailed(
            f"SMS provider unreachable: {type(exc).__name__}: {exc}", transient=True
        ) from exc
    transient = classify_http_status(response.status_code)
    if transient is None:
        sid = _json(response).get("sid")
        # A provider that accepted the message but named no sid still sent it: never retry that.
        return str(sid) if sid else ""
    if response.status_code == 401:
        transient = True
    raise DeliveryFailed(
        f"SMS provider answered {response.status_code}: {_provider_error(response)}",
        transient=transient,
        retry_after=retry_after_seconds(response) if transient else None,
        status=response.status_code,
    )


def twilio_signature(token: str, url: str, params: Mapping[str, str]) -> str:
    """``X-Twilio-Signature`` of a request Twilio makes to ``url`` with form ``params``.

    Twilio ("Webhooks security"): the full URL as Twilio called it, then every POST
    parameter's name and value, sorted by name, appended without separators; HMAC-SHA1 with
    the account's auth token; base64.
    """
    signed = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_by_twilio(token: str, url: str, params: Mapping[str, str], signature: str | None) -> bool:
    """Whether an inbound request carries the signature only our provider account can make."""
    if not signature or len(signature) > 100:
        return False
    return hmac.compare_digest(twilio_signature(token, url, params).encode(), signature.encode())


def normalise_phone(raw: str, default_region: str | None) -> str:
    """The number in E.164 (``+5511987654321``), or :class:`InvalidPhoneNumber`.

    ``default_region`` (ISO 3166-1 alpha-2, e.g. the shipping country) reads national
    numbers such as ``(11) 98765-4321``; numbers written with ``+`` or an international
    prefix need none. Only numbers valid by libphonenumber's metadata pass: a possible length
    is not enough, because a wrong-but-plausible number would cost an SMS and reach nobody.
    """
    region = default_region.upper() if default_region else None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"{raw!r} is not a phone number: {exc}") from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhoneNumber(f"{raw!r} has an impossible length for its country")
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(f"{raw!r} is not a valid number in its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_gsm7(body: str) -> bool:
    """Whether the body can go in the GSM 7-bit alphabet (with its extension table)."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in body)


def segments(body: str) -> int:
    """How many SMS segments the body takes; an empty body is still one message.

    GSM-7 when every character is in the default alphabet or its extension table (extension
    characters take two septets, and the pair is never split across segments); otherwise
    UCS-2, where characters beyond the Basic Multilingual Plane (most emoji) take two units
    (a UTF-16 surrogate pair, also never split).
    """
    if is_gsm7(body):
        costs = [2 if char in GSM7_EXTENSION else 1 for char in body]
        single, part = GSM7_SINGLE, GSM7_PART
    else:
        costs = [2 if ord(char) > 0xFFFF else 1 for char in body]
        single, part = UCS2_SINGLE, UCS2_PART
    if sum(costs) <= single:
        return 1
    count, used = 1, 0
    for cost in costs:
        if used + cost > part:
            count, used = count + 1, 0
        used += cost
    return count


def fit_sms(body: str, max_segments: int = 2, footer: str = "") -> str:
    """The body, shortened at a word boundary with an ellipsis to fit ``max_segments``.

    ``footer`` (the opt-out line) is added at the very end and never shortened.

    The last URL in the body is taken as the tracking link: it is kept whole and put at the
    end, after the shortened text, because a cut link is worse than no message. The rest of
    the text is cut only between words, so any other URL is either kept whole or dropped. The
    ellipsis is "..." when the text is GSM-7, since "…" is not in that alphabet and alone
    would switch the whole message to UCS-2 (70 instead of 160 characters a segment).
    Raises ``ValueError`` when the link alone does not fit.
    """
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    if segments(body + footer) <= max_segments:
        return body + footer
    links = list(_URL.finditer(body))
    if links:
        link = links[-1]
        url = link.group()
        before, after = body[: link.start()], body[link.end() :]
        separator = "\n" if before.endswith("\n") else " "
        text = (before.rstrip() + " " + after.strip()).strip() if after.strip() else before.rstrip()
        tail = separator + url + footer
        if segments(url + footer) > max_segments:
            raise ValueError("the link alone is longer than the allowed segments")
    else:
        text, tail = body, footer
    for end in reversed([match.end() for match in _WORD.finditer(text)]):
        candidate = _shortened(text[:end].rstrip(), tail)
        if segments(candidate) <= max_segments:
            return candidate
    if tail:
        return tail.lstrip()
    # One word longer than the whole allowance: cut it, the only choice left.
    for end in range(len(text), 0, -1):
        candidate = _shortened(text[:end], "")
        if segments(candidate) <= max_segments:
            return candidate
    return "..."


def _shortened(text: str, tail: str) -> str:
    ellipsis = "..." if is_gsm7(text + tail) else "\u2026"
    return text + ellipsis + tail


def quiet_hours_release(
    now: datetime,
    timezone: str,
    start: time = DEFAULT_QUIET_START,
    end: time = DEFAULT_QUIET_END,
) -> datetime | None:
    """When an SMS may go out to someone living in ``timezone``: ``None`` for now, else a UTC instant.

    Quiet hours are wall-clock times in the recipient's zone, so they follow DST: the window
    21:00–08:00 is 11 hours on most nights, 10 on the night clocks go forward and 12 when they
    go back. A window with ``start > end`` spans midnight; ``start == end`` means none. When
    ``end`` falls in a DST gap (it does not exist that day), the release is the same moment
    read with the offset before the change, i.e. one hour later on the new clock.
    """
    ensure_aware(now, "now")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {timezone!r}") from exc
    if start == end:
        return None
    local = now.astimezone(zone)
    wall = local.time()  # naive wall-clock time in the recipient's zone
    spans_midnight = start > end
    quiet = (wall >= start or wall < end) if spans_midnight else (start <= wall < end)
    if not quiet:
        return None
    release_day = local.date() if wall < end else local.date() + timedelta(days=1)
    release = datetime.combine(release_day, end, tzinfo=zone)
    return release.astimezone(UTC)


def recipient_zones(phone: str, country: str | None = None) -> tuple[str, ...]:
    """Where the holder of ``phone`` may live: the number's zone when it names one, else every
    zone of its country (or of ``country``, the delivery address). Empty when nothing is known."""
    zones: tuple[str, ...] = ()
    region = None
    try:
        number = phonenumbers.parse(phone, None)
        region = phonenumbers.region_code_for_number(number)
        zones = tuple(
            z for z in phonenumbers.timezone.time_zones_for_number(number) if "/" in z and "Unknown" not in z
        )
    except phonenumbers.NumberParseException:
        pass
    if len(zones) == 1:
        return zones
    for territory in (region, country):
        if territory:
            found = tuple(get_global("territory_zones").get(territory.upper(), ()))
            narrowed = tuple(z for z in found if z in zones)  # the number's zones within the country
            if found:
                return narrowed or found
    return zones


def quiet_hours_release_everywhere(
    now: datetime,
    zones: tuple[str, ...],
    start: time = DEFAULT_QUIET_START,
    end: time = DEFAULT_QUIET_END,
) -> datetime | None:
    """Like :func:`quiet_hours_release`, for a recipient who may live in any of ``zones``: the
    first moment outside quiet hours in all of them (no zone known: UTC). Zones that share no
    waking hour (no country's do with the default hours) get the release found after a few steps."""
    zones = zones or ("UTC",)
    moment, moved = now, False
    for _ in range(8):
        later = [r for zone in zones if (r := quiet_hours_release(moment, zone, start, end)) is not None]
        if not later:
            return moment if moved else None
        moment, moved = max(later), True
    return moment


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _provider_error(response: httpx.Response) -> str:
    """Twilio's error body is ``{"code": 21211, "message": "...", "more_info": ...}``."""
    payload = _json(response)
    if payload.get("message"):
        code = payload.get("code")
        return f"{code}: {payload['message']}" if code else str(payload["message"])
    return response.reason_phrase or "no reason given"
