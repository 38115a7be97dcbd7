"""Contacts pushed by a help desk: Zendesk's signed webhooks.

Zendesk signs every webhook request with the webhook's signing secret: the header
``X-Zendesk-Webhook-Signature`` is ``base64(HMAC-SHA256(secret, timestamp + body))``, with the
timestamp sent in ``X-Zendesk-Webhook-Signature-Timestamp``
(https://developer.zendesk.com/documentation/webhooks/verifying/). The secret is made by
Zendesk; the merchant copies it into ordertrack's settings, which keep it and never show it
again. A request older than :data:`REPLAY_WINDOW` (or that far in the future) is refused, so a
captured request cannot be replayed later.

The receiver reads the documented ticket event of Zendesk's event-subscribed webhooks
(``"type": "zen:event-type:ticket.created"``, the ticket in ``detail``:
https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events). The order is
found from the ticket: its external id, its tags, then the words of its subject and description
that look like an order number or a tracking number. A ticket is recorded once, by its id; a
ticket naming no order of the merchant is kept as a contact without an order.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ordertrack.analytics import contacts
from ordertrack.analytics.wismo_model import HelpdeskReceiver, SupportContact
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import NotFound, Unauthorized, Unprocessable
from ordertrack.kit.ids import new_id

ZENDESK = "zendesk"
SIGNATURE_HEADER = "x-zendesk-webhook-signature"
TIMESTAMP_HEADER = "x-zendesk-webhook-signature-timestamp"
REPLAY_WINDOW = timedelta(minutes=5)
TICKET_CREATED = "zen:event-type:ticket.created"

# Zendesk's ``via.channel`` values, as the contact channels they are.
_CHANNELS = {
    "email": "email",
    "mail": "email",
    "chat": "chat",
    "native_messaging": "chat",
    "messaging": "chat",
    "web_widget": "chat",
    "voice": "phone",
    "phone_call_inbound": "phone",
    "twitter": "social",
    "facebook": "social",
    "instagram_dm": "social",
    "whatsapp": "social",
}
# Words of a ticket that say why the shopper wrote, strongest first.
_REASON_WORDS = (
    ("damaged", ("damaged", "broken", "damage")),
    ("return", ("return", "refund")),
    ("address", ("address",)),
    ("delay", ("delay", "late", "delayed")),
    (
        "where_is_my_order",
        ("wismo", "where is my", "where's my", "tracking", "not arrived", "hasn't arrived"),
    ),
)
_TOKEN = re.compile(r"#?([A-Za-z0-9][A-Za-z0-9-]{2,63})")
_MAX_CANDIDATES = 20


class ZendeskSignatureRefused(Unauthorized):
    code = "bad_signature"


class ZendeskSignatureStale(Unauthorized):
    code = "stale_signature"


class ReceiverNotFound(NotFound):
    code = "not_found"


class UnreadableTicket(Unprocessable):
    code = "unreadable_ticket"


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_zendesk(secret: str, headers: Mapping[str, str], body: bytes, *, now: datetime) -> None:
    """Raise ZendeskSignatureRefused or ZendeskSignatureStale unless Zendesk signed this body lately."""
    signature = headers.get(SIGNATURE_HEADER, "")
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not signature or not timestamp or len(timestamp) > 40:
        raise ZendeskSignatureRefused(
            "the request is not signed: X-Zendesk-Webhook-Signature and -Timestamp are needed"
        )
    if not hmac.compare_digest(zendesk_signature(secret, timestamp, body).encode(), signature.encode()):
        raise ZendeskSignatureRefused("the signature does not match this receiver's signing secret")
    try:
        sent = datetime.fromisoformat(timestamp)
    except ValueError:
        raise ZendeskSignatureRefused("the signature timestamp is not a date and time") from None
    if sent.tzinfo is None or abs(now - sent) > REPLAY_WINDOW:
        raise ZendeskSignatureStale("the signature timestamp is more than 5 minutes away from now")


# --- the merchant's receiver ----------------------------------------------------------------------


def receiver_of(uow: UnitOfWork, merchant_id: str) -> HelpdeskReceiver | None:
    return uow.session.scalars(
        select(HelpdeskReceiver).where(
            HelpdeskReceiver.merchant_id == merchant_id, HelpdeskReceiver.provider == ZENDESK
        )
    ).one_or_none()


def save_zendesk_secret(uow: UnitOfWork, merchant_id: str, secret: str, *, now: datetime) -> HelpdeskReceiver:
    """Keep the signing secret Zendesk shows (a new one replaces the old; the address stays)."""
    receiver = receiver_of(uow, merchant_id)
    if receiver is None:
        receiver = HelpdeskReceiver(
            id=new_id("hdr"), merchant_id=merchant_id, provider=ZENDESK, secret=secret, created_at=now
        )
        uow.session.add(receiver)
    else:
        receiver.secret = secret
    uow.session.flush()
    return receiver


def remove_receiver(uow: UnitOfWork, merchant_id: str) -> None:
    receiver = receiver_of(uow, merchant_id)
    if receiver is not None:
        uow.session.delete(receiver)


def receiver_url(public_url: str, receiver: HelpdeskReceiver) -> str:
    return f"{public_url.rstrip('/')}/api/v1/helpdesk/zendesk/{receiver.id}"


# --- a ticket, as a contact -------------------------------------------------------------------------


@dataclass(frozen=True)
class Ticket:
    """What a contact needs from a Zendesk ticket."""

    ticket_id: str
    created_at: datetime
    channel: str
    reason: str
    candidates: tuple[str, ...]  # what may name the order, most likely first


def _words(detail: Mapping[str, Any]) -> Iterable[str]:
    external = detail.get("external_id")
    if isinstance(external, str | int) and str(external):
        yield str(external)
    tags = detail.get("tags")
    for tag in tags if isinstance(tags, list) else ():
        if isinstance(tag, str):
            yield tag
    for field in ("subject", "description"):
        text = detail.get(field)
        if isinstance(text, str):
            # Tokens with a digit: order and tracking numbers, not words of the message.
            yield from (
                m.group(1) for m in _TOKEN.finditer(text[:10_000]) if any(c.isdigit() for c in m.group(1))
            )


def reason_of(detail: Mapping[str, Any]) -> str:
    tags = detail.get("tags")
    tag_set = {t.lower() for t in tags if isinstance(t, str)} if isinstance(tags, list) else set()
    for reason in ("where_is_my_order", "delay", "damaged", "return", "address"):
        if reason in tag_set:
            return reason
    if "wismo" in tag_set:
        return "where_is_my_order"
    text = " ".join(str(detail.get(field) or "") for field in ("subject", "description")).lower()
    for reason, words in _REASON_WORDS:
        if any(word in text for word in words):
            return reason
    return "other"


def read_ticket(body: bytes) -> Ticket | None:
    """The ticket a ``ticket.created`` event carries; None for any other event."""
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise UnreadableTicket("the body is not JSON") from None
    if not isinstance(event, dict):
        raise UnreadableTicket("the body is not a JSON object")
    if event.get("type") != TICKET_CREATED:
        return None
    detail = event.get("detail")
    if not isinstance(detail, dict) or not str(detail.get("id") or "").strip():
        raise UnreadableTicket("a ticket event without detail.id")
    created = detail.get("created_at") or event.get("time")
    try:
        created_at = datetime.fromisoformat(str(created))
    except ValueError:
        raise UnreadableTicket("detail.created_at is not a date and time") from None
    if created_at.tzinfo is None:
        raise UnreadableTicket("detail.created_at has no UTC offset")
    via = detail.get("via")
    raw_channel = via.get("channel") if isinstance(via, dict) else detail.get("via.channel")
    candidates = list(dict.fromkeys(_words(detail)))[:_MAX_CANDIDATES]
    return Ticket(
        ticket_id=str(detail["id"])[:100],
        created_at=created_at,
        channel=_CHANNELS.get(str(raw_channel or "").lower(), "other"),
        reason=reason_of(detail),
        candidates=tuple(candidates),
    )


@dataclass(frozen=True)
class Received:
    contact: SupportContact | None  # None: an event that is not a new ticket
    new: bool


def receive_zendesk(
    uow: UnitOfWork, receiver_id: str, headers: Mapping[str, str], body: bytes, *, now: datetime
) -> Received:
    """Check the signature with the receiver's secret, then keep the ticket as a contact."""
    receiver = uow.session.get(HelpdeskReceiver, receiver_id) if len(receiver_id) <= 32 else None
    if receiver is None or receiver.provider != ZENDESK:
        raise ReceiverNotFound("no help-desk receiver at this address")
    verify_zendesk(receiver.secret, headers, body, now=now)
    receiver.last_received_at = now
    ticket = read_ticket(body)
    if ticket is None:
        return Received(None, new=False)
    merchant_id = receiver.merchant_id
    kept = contacts.find_external(uow, merchant_id, contacts.ContactSource.zendesk, ticket.ticket_id)
    if kept is not None:
        return Received(kept, new=False)
    order_id, reference = None, None
    for candidate in ticket.candidates:
        order_id = contacts.resolve_order(uow, merchant_id, candidate)
        if order_id is not None:
            reference = candidate
            break
    recorded = contacts.record_contact(
        uow,
        merchant_id,
        order_id=order_id,
        channel=ticket.channel,
        reason=ticket.reason,
        occurred_at=min(ticket.created_at, now),
        source=contacts.ContactSource.zendesk,
        external_id=ticket.ticket_id,
        reference=reference,
        now=now,
    )
    return Received(recorded.contact, recorded.new)
