"""What a message says: its trigger, the facts it tells (already looked up), the template it is written from.

Plain data only: the outbox worker fills a :class:`MessageContext` from the features' services,
templates render it (:mod:`ordertrack.notifications.templates`), webhooks carry it as JSON
(:mod:`ordertrack.notifications.payloads`). :func:`sample_context` is a believable one for
previews and template checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class Trigger(StrEnum):
    """What happened; each one is switched on or off per merchant and channel."""

    order_confirmed = "order_confirmed"
    shipped = "shipped"
    out_for_delivery = "out_for_delivery"
    available_for_pickup = "available_for_pickup"
    failed_attempt = "failed_attempt"
    delivered = "delivered"
    exception = "exception"
    delivery_revised = "delivery_revised"
    low_stock = "low_stock"
    needs_attention = "needs_attention"
    # Staff wrote to the shopper about a shipment in trouble (the attention workflow); the text is theirs.
    shopper_message = "shopper_message"
    # A supplier's inbound shipment turned late, stalled or ran into trouble (staff, once per kind).
    inbound_late = "inbound_late"
    # A purchase order was sent (or sent again): the supplier gets it with its link (supplier).
    purchase_order_sent = "purchase_order_sent"
    # A promised ship date passed without a shipment declared (supplier, once per order and date).
    supplier_reminder = "supplier_reminder"
    # Some hours after delivery, the shopper is asked once to rate it (the link opens the form).
    rating_request = "rating_request"
    # A shopper rated a delivery, or changed the rating (merchant webhooks only).
    rating_created = "rating_created"
    rating_updated = "rating_updated"


# Messages to the supplier of a purchase order, at the address the merchant keeps for it.
SUPPLIER_TRIGGERS = frozenset({Trigger.purchase_order_sent, Trigger.supplier_reminder})
# Messages to the business side (staff, suppliers) rather than the shopper: email and webhooks,
# never SMS, without the shopper's greeting, parcels and delivery markup.
STAFF_TRIGGERS = (
    frozenset({Trigger.low_stock, Trigger.needs_attention, Trigger.inbound_late}) | SUPPLIER_TRIGGERS
) | frozenset({Trigger.rating_created, Trigger.rating_updated})


class Channel(StrEnum):
    """How a message travels; webhooks carry JSON, not a template."""

    email = "email"
    sms = "sms"
    webhook = "webhook"


@dataclass(frozen=True)
class MessageParcel:
    """One parcel as the message tells it: carrier, tracking number and what is inside."""

    carrier_name: str
    tracking_number: str
    carrier_url: str | None
    items: tuple[tuple[str, int], ...]  # (name, quantity)


@dataclass(frozen=True)
class EventFacts:
    """The scan that caused the message, in the local time of where it happened."""

    status: str
    reason: str | None
    description: str | None
    place: str | None
    local_time: datetime | None  # aware
    timezone: str | None


@dataclass(frozen=True)
class MessageContext:
    """Everything a message may say, already looked up; rendering never touches the database."""

    trigger: Trigger
    locale: str
    store_name: str
    brand_colour: str
    order_number: str
    shopper_name: str | None
    tracking_url: str
    unsubscribe_url: str
    shipments: tuple[MessageParcel, ...]
    event: EventFacts | None
    estimated_delivery: tuple[date, date] | None
    previous_estimate: tuple[date, date] | None
    sku: str | None = None
    warehouse: str | None = None
    available: int | None = None
    # The JSON-LD deliveryAddress carries the town only: a street address has no business in mail markup.
    delivery_locality: str | None = None
    delivery_country: str | None = None
    # A staff alert's finding in words ("no scan for 5.0 days; usually at most 2.0 days").
    alert: str | None = None
    # The merchant's logo for the top of emails: an https address (mail clients block data: images).
    logo_url: str | None = None
    # The words staff wrote to the shopper (``shopper_message``).
    message: str | None = None
    # Why the delivery date changed (``delivery_revised``): eta's cause, e.g. "customs_delay".
    revision_cause: str | None = None
    # An inbound shipment's alert (``inbound_late``): its number, its purchase order, the supplier.
    inbound_shipment: str | None = None
    purchase_order: str | None = None
    supplier: str | None = None
    # A purchase order told to its supplier (``purchase_order_sent``, ``supplier_reminder``): the
    # promised ship date, the lines as (SKU, the supplier's SKU or None, quantity), where it goes.
    promised_date: date | None = None
    lines: tuple[tuple[str, str | None, int], ...] = ()
    ship_to: str | None = None
    # A delivery rating (``rating_created``, ``rating_updated``): stars, reasons, comment, items.
    rating: dict[str, object] | None = None


@dataclass(frozen=True)
class TemplateSource:
    """A template as a merchant writes it (email: subject + text + html; SMS: text only)."""

    subject: str | None
    text: str
    html: str | None


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready for a channel."""

    subject: str | None
    text: str
    html: str | None


SUPPORTED_LOCALES = ("en", "pt_BR", "es")


def supported_locale(locale: str) -> str:
    """The closest locale we ship copy for ("pt-BR" and "pt" read as pt_BR, unknown as en)."""
    wanted = locale.replace("-", "_")
    for known in SUPPORTED_LOCALES:
        if wanted.lower() == known.lower() or wanted.split("_")[0].lower() == known.split("_")[0]:
            return known
    return "en"


# What staff might write to a shopper, for previews of ``shopper_message``.
_SAMPLE_MESSAGES = {
    "en": "Your parcel is taking longer than usual. We have asked the carrier to look into it and will "
    "write again as soon as we hear back.",
    "es": "Tu paquete está tardando más de lo habitual. Le hemos pedido al transportista que lo revise y "
    "te escribiremos en cuanto sepamos algo.",
    "pt_BR": "Sua encomenda está demorando mais do que o normal. Pedimos à transportadora que verifique e "
    "escreveremos assim que tivermos notícias.",
}


def sample_context(trigger: Trigger, locale: str) -> MessageContext:
    """A believable order for previews and checks: every optional field filled, so templates meet them all."""
    zone = "America/Chicago"
    local_time = datetime(2025, 11, 24, 14, 5, tzinfo=UTC).astimezone(ZoneInfo(zone))
    reasons = {Trigger.exception: "address_issue", Trigger.failed_attempt: "recipient_unavailable"}
    statuses = {
        Trigger.order_confirmed: "pending",
        Trigger.shipped: "in_transit",
        Trigger.delivery_revised: "in_transit",
        Trigger.low_stock: "pending",
        Trigger.needs_attention: "exception",
        Trigger.inbound_late: "in_transit",
    }
    return MessageContext(
        trigger=Trigger(trigger),
        locale=supported_locale(locale),
        store_name="Aurora Outdoor",
        brand_colour="#1f4e79",
        order_number="AUR-10042",
        shopper_name="Ana Souza",
        tracking_url="https://track.example.com/track/t/8f3Kq2LmZx7Wd4Rv9Bn1Pc6Ys0Hj5Ta",
        unsubscribe_url="https://track.example.com/unsubscribe/8f3Kq2LmZx7Wd4Rv9Bn1Pc6Ys0Hj5Ta",
        shipments=(
            MessageParcel(
                carrier_name="UPS",
                tracking_number="1Z999AA10123456784",
                carrier_url="https://www.ups.com/track?tracknum=1Z999AA10123456784",
                items=(("Trail running shoes", 1), ("Merino socks", 2)),
            ),
        ),
        event=EventFacts(
            status=statuses.get(trigger, str(trigger)),
            reason=reasons.get(trigger),
            description="Address could not be verified" if trigger is Trigger.exception else None,
            place="UPS Access Point, 120 Main St, Springfield IL"
            if trigger is Trigger.available_for_pickup
            else "Springfield, IL",
            local_time=local_time,
            timezone=zone,
        ),
        estimated_delivery=(date(2025, 11, 26), date(2025, 11, 28)),
        message=_SAMPLE_MESSAGES[supported_locale(locale)] if trigger is Trigger.shopper_message else None,
        revision_cause="customs_delay" if trigger is Trigger.delivery_revised else None,
        previous_estimate=(date(2025, 11, 25), date(2025, 11, 25))
        if trigger is Trigger.delivery_revised
        else None,
        sku="SHOE-TR-42",
        warehouse="CHI-1",
        available=3,
        delivery_locality="Springfield",
        delivery_country="US",
        inbound_shipment="PO-1042-1" if trigger is Trigger.inbound_late else None,
        purchase_order="PO-1042" if trigger in (Trigger.inbound_late, *SUPPLIER_TRIGGERS) else None,
        supplier="Nordkap AB" if trigger in (Trigger.inbound_late, *SUPPLIER_TRIGGERS) else None,
        promised_date=date(2025, 11, 20) if trigger in SUPPLIER_TRIGGERS else None,
        rating={"stars": 2, "reasons": ["late"], "comment": "Two days late.", "item_stars": {}}
        if trigger in (Trigger.rating_created, Trigger.rating_updated)
        else None,
        lines=(("SHOE-TR-42", "NK-7781", 120), ("SOCK-MER-M", None, 300))
        if trigger in SUPPLIER_TRIGGERS
        else (),
        ship_to="Aurora Outdoor, 400 W Lake St, 60606 Chicago IL, US"
        if trigger in SUPPLIER_TRIGGERS
        else None,
    )
