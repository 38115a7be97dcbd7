"""What each claimed message will say: the facts read in one transaction, the message context built.

The facts of every message of one merchant in a claimed batch are read together, through the
services of the features that own them (orders, customers, shipments, tracking, promises,
branding) and this feature's repository (templates, webhook endpoints). A message whose news is
no longer true (:func:`rules.is_stale`) is marked to be suppressed instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from ordertrack.carriers.registry import carrier_name, connectors
from ordertrack.customers import service as customers_service
from ordertrack.customers.model import Customer
from ordertrack.db.uow import UnitOfWork
from ordertrack.eta import service as eta_service
from ordertrack.eta.model import DeliveryEstimate
from ordertrack.kit.clock import utcnow
from ordertrack.links import message_click_url, rating_url, supplier_link_url, tracking_url, unsubscribe_url
from ordertrack.merchants import service as merchants_service
from ordertrack.notifications import repository, rules
from ordertrack.notifications.channels import sms as sms_channel
from ordertrack.notifications.channels.email import RenderedEmail
from ordertrack.notifications.message import (
    EventFacts,
    MessageContext,
    MessageParcel,
    TemplateSource,
    Trigger,
    supported_locale,
)
from ordertrack.notifications.model import Notification, NotificationTemplate, WebhookEndpoint
from ordertrack.notifications.sending import Channels, PreparedMessage
from ordertrack.notifications.service import STAFF_CHANNEL, SUPPLIER_CHANNEL
from ordertrack.orders import service as orders_service
from ordertrack.orders.model import Order
from ordertrack.orders.service import OrderNotFound
from ordertrack.shipments import service as shipments_service
from ordertrack.shipments.model import Shipment
from ordertrack.tracking import timeline as tracking_timeline
from ordertrack.tracking.schemas import EventOut

# A shopper's email or text message links through /m/ (the click is counted, then the tracking
# page opens); webhooks carry the tracking page itself, as they are not a person clicking.
CLICKED_CHANNELS = frozenset({"email", "sms"})


@dataclass
class Facts:
    """What the messages of one merchant in a claimed batch need, read together."""

    brand: merchants_service.Branding
    orders: dict[str, Order]
    customers: dict[str, Customer]
    shipments: dict[str, list[Shipment]]  # by order id
    timelines: dict[str, list[EventOut]]  # by parcel id
    estimates: dict[str, list[DeliveryEstimate]]  # by parcel id
    promised: dict[str, list[tuple[date, date]]]  # our promise's windows, by shipment id, oldest first
    templates: dict[tuple[str, str, str], NotificationTemplate]  # (trigger, channel, locale)
    endpoints: dict[str, WebhookEndpoint]

    @classmethod
    def read(cls, uow: UnitOfWork, merchant_id: str, rows: list[Notification]) -> Facts:
        orders = orders_service.orders_by_id(uow, merchant_id, [r.order_id for r in rows if r.order_id])
        customers = customers_service.get_customers(
            uow, merchant_id, {o.customer_id for o in orders.values() if o.customer_id}
        )
        shipments = shipments_service.shipments_for_orders(uow, merchant_id, sorted(orders))
        parcel_ids = [p.id for found in shipments.values() for s in found for p in s.parcels]
        hooks = [r.recipient for r in rows if r.channel == "webhook"]
        return cls(
            brand=merchants_service.branding(uow, merchant_id),
            orders=orders,
            customers=customers,
            shipments=shipments,
            timelines=tracking_timeline.timelines_of_parcels(uow, merchant_id, parcel_ids),
            estimates=eta_service.estimates_for_parcels(uow, merchant_id, parcel_ids),
            promised=eta_service.promised_windows(uow, merchant_id, orders),
            templates=repository.templates_of(uow, merchant_id),
            endpoints=repository.endpoints_by_id(uow, merchant_id, hooks),
        )

    def shipment_status(self, row: Notification) -> str | None:
        for shipment in self.shipments.get(row.order_id or "", []):
            if shipment.id == row.shipment_id:
                return str(shipment.status)
        return None


def prepare_batch(uow: UnitOfWork, ids: list[str], channels: Channels) -> list[PreparedMessage]:
    """Every claimed message that is still pending, with what it will say, in claim order."""
    rows = repository.pending_by_id(uow, ids)
    by_merchant: dict[str, list[Notification]] = {}
    for row in rows:
        by_merchant.setdefault(row.merchant_id, []).append(row)
    facts = {merchant: Facts.read(uow, merchant, group) for merchant, group in by_merchant.items()}
    order = {notification_id: i for i, notification_id in enumerate(ids)}
    return [
        _prepare(row, facts[row.merchant_id], channels) for row in sorted(rows, key=lambda r: order[r.id])
    ]


def _prepare(row: Notification, facts: Facts, channels: Channels) -> PreparedMessage:
    unchanged = (row.id, row.merchant_id, row.channel, row.recipient, row.trigger)
    if row.trigger in rules.COMPOSED_TRIGGERS:
        return PreparedMessage(*unchanged, False, None, None, None, (), composed=composed_email(row))
    if rules.is_stale(row.trigger, facts.shipment_status(row)):
        return PreparedMessage(*unchanged, True, None, None, None, ())
    try:
        context, timezone = context_of(row, facts, channels)
    except OrderNotFound as missing:
        return PreparedMessage(*unchanged, False, None, None, None, (), error=str(missing))
    source = None
    webhook = None
    zones: tuple[str, ...] = ()
    if row.channel == "sms":
        zones = (
            (timezone,) if timezone else sms_channel.recipient_zones(row.recipient, context.delivery_country)
        )
    if row.channel == "webhook":
        endpoint = facts.endpoints.get(row.recipient)
        webhook = (endpoint.url, endpoint.secret) if endpoint is not None and endpoint.enabled else None
    else:
        custom = facts.templates.get((row.trigger, row.channel, context.locale))
        if custom is not None:
            source = TemplateSource(custom.subject, custom.text, custom.html)
    return PreparedMessage(*unchanged, False, context, source, webhook, zones)


def composed_email(row: Notification) -> RenderedEmail:
    """A message its feature wrote whole when it was queued (``rules.COMPOSED_TRIGGERS``)."""
    facts = row.facts or {}
    return RenderedEmail(
        subject=str(facts.get("subject", "")),
        text=str(facts.get("text", "")),
        html=str(facts.get("html", "")),
        unsubscribe_url=str(facts.get("unsubscribe_url", "")),
    )


def context_of(row: Notification, facts: Facts, channels: Channels) -> tuple[MessageContext, str | None]:
    """What the message says, and the shopper's time zone when known."""
    brand = facts.brand
    if row.trigger == "low_stock":
        return _stock_context(row, channels, brand), None
    if row.trigger == "inbound_late":
        return _inbound_context(row, channels, brand), None
    if row.trigger in rules.SUPPLIER_TRIGGERS:
        return _supplier_context(row, channels, brand), None
    order = facts.orders.get(row.order_id or "")
    if order is None:
        raise OrderNotFound(f"no order {row.order_id!r}")
    customer = facts.customers.get(order.customer_id) if order.customer_id else None
    shipments = facts.shipments.get(order.id, [])
    if row.shipment_id:
        shipments = [s for s in shipments if s.id == row.shipment_id]
    names = {line.id: line.name or line.sku for line in order.lines}
    known = connectors()
    parcels = []
    for shipment in shipments:
        items = tuple((names.get(line.order_line_id, line.sku), line.quantity) for line in shipment.lines)
        for parcel in shipment.parcels:
            found = known.get(parcel.carrier)
            parcels.append(
                MessageParcel(
                    carrier_name=carrier_name(parcel.carrier),
                    tracking_number=parcel.tracking_number,
                    carrier_url=found.page_for(parcel.tracking_number) if found else None,
                    items=items,
                )
            )
    event = None
    parcel_ids = [p.id for s in shipments for p in s.parcels]
    newest = max(
        (e for pid in parcel_ids for e in facts.timelines.get(pid, [])),
        key=lambda e: e.occurred_at,
        default=None,
    )
    if newest is not None:
        place = (
            ", ".join(p for p in (newest.location.city, newest.location.country) if p)
            if newest.location
            else None
        )
        event = EventFacts(
            status=str(newest.status),
            reason=newest.reason,
            description=newest.description,
            place=place or None,
            local_time=newest.occurred_at,
            timezone=newest.timezone if "/" in (newest.timezone or "") else None,
        )
    current, previous = _promise(row, order, shipments, facts)
    if current is None:
        current, previous = _estimates([facts.estimates.get(pid, []) for pid in parcel_ids])
    staff = row.trigger in rules.STAFF_TRIGGERS
    link = (
        f"{channels.public_url.rstrip('/')}/dashboard/orders/{quote(order.number, safe='')}"
        if staff
        else message_click_url(channels.public_url, channels.secret, row.id)
        if row.channel in CLICKED_CHANNELS and row.id  # a preview has no message to count
        else tracking_url(channels.public_url, channels.secret, order.id)
    )
    if row.trigger == "rating_request":  # the signed link that lets the shopper rate
        link = rating_url(channels.public_url, channels.secret, order.id)
    context = MessageContext(
        trigger=Trigger(row.trigger),
        locale=supported_locale(row.locale),
        store_name=brand.display_name,
        brand_colour=brand.primary_colour,
        logo_url=brand.email_logo(channels.public_url, row.merchant_id),
        order_number=order.number,
        shopper_name=customer.name if customer else None,
        tracking_url=link,
        unsubscribe_url=_unsubscribe(row, channels),
        shipments=tuple(parcels),
        event=event,
        estimated_delivery=current,
        previous_estimate=previous,
        delivery_locality=order.ship_city,
        delivery_country=order.ship_country,
        alert=str(row.facts["alert"]) if staff and row.facts and row.facts.get("alert") else None,
        revision_cause=str(row.facts["cause"])
        if row.trigger == "delivery_revised" and row.facts and row.facts.get("cause")
        else None,
        message=str(row.facts["message"]) if row.facts and row.facts.get("message") else None,
        rating=dict(row.facts["rating"]) if row.facts and isinstance(row.facts.get("rating"), dict) else None,
    )
    return context, customer.timezone if customer else None


def _unsubscribe(row: Notification, channels: Channels) -> str:
    """Shoppers stop a channel; staff stop alert emails (their own "channel"), never shopper mail."""
    if row.trigger in rules.SUPPLIER_TRIGGERS:
        channel = SUPPLIER_CHANNEL
    else:
        channel = STAFF_CHANNEL if row.trigger in rules.STAFF_TRIGGERS else row.channel
    return unsubscribe_url(channels.public_url, channels.secret, row.merchant_id, channel, row.recipient)


def _stock_context(
    row: Notification, channels: Channels, brand: merchants_service.Branding
) -> MessageContext:
    """A low-stock alert tells the numbers it was raised with; it belongs to no order."""
    facts = row.facts or {}
    sku, warehouse = str(facts.get("sku", "")), str(facts.get("warehouse", ""))
    query = urlencode({"sku": sku, "warehouse": warehouse})
    return MessageContext(
        trigger=Trigger.low_stock,
        locale=supported_locale(row.locale),
        store_name=brand.display_name,
        brand_colour=brand.primary_colour,
        logo_url=brand.email_logo(channels.public_url, row.merchant_id),
        order_number="",
        shopper_name=None,
        tracking_url=f"{channels.public_url.rstrip('/')}/dashboard/inventory?{query}",
        unsubscribe_url=_unsubscribe(row, channels),
        shipments=(),
        event=None,
        estimated_delivery=None,
        previous_estimate=None,
        sku=sku,
        warehouse=warehouse,
        available=int(facts.get("available", 0)),
    )


def _inbound_context(
    row: Notification, channels: Channels, brand: merchants_service.Branding
) -> MessageContext:
    """An inbound shipment's alert tells what was found when it was raised; it belongs to no order."""
    facts = row.facts or {}
    purchase_order = str(facts.get("purchase_order", ""))
    expected = facts.get("expected")
    day = date.fromisoformat(expected) if isinstance(expected, str) else None
    dashboard = f"{channels.public_url.rstrip('/')}/dashboard"
    return MessageContext(
        trigger=Trigger.inbound_late,
        locale=supported_locale(row.locale),
        store_name=brand.display_name,
        brand_colour=brand.primary_colour,
        logo_url=brand.email_logo(channels.public_url, row.merchant_id),
        order_number="",
        shopper_name=None,
        tracking_url=f"{dashboard}/purchase-orders/{quote(purchase_order, safe='')}",
        unsubscribe_url=_unsubscribe(row, channels),
        shipments=(),
        event=None,
        estimated_delivery=(day, day) if day is not None else None,
        previous_estimate=None,
        alert=str(facts.get("alert", "")) or None,
        inbound_shipment=str(facts.get("inbound_shipment", "")),
        purchase_order=purchase_order,
        supplier=str(facts.get("supplier", "")),
    )


def _supplier_context(
    row: Notification, channels: Channels, brand: merchants_service.Branding
) -> MessageContext:
    """A purchase order told to its supplier, as it stood when the message was written, with the
    supplier's link: signed when the message is composed, so it lives its full time from the
    email (a message sent again gets a fresh link)."""
    facts = row.facts or {}
    promised = facts.get("promised_ship_date")
    lines = tuple(
        (str(line[0]), str(line[1]) if line[1] else None, int(line[2]))
        for line in facts.get("lines") or ()
        if isinstance(line, list | tuple) and len(line) == 3
    )
    return MessageContext(
        trigger=Trigger(row.trigger),
        locale=supported_locale(row.locale),
        store_name=brand.display_name,
        brand_colour=brand.primary_colour,
        logo_url=brand.email_logo(channels.public_url, row.merchant_id),
        order_number="",
        shopper_name=None,
        tracking_url=supplier_link_url(
            channels.public_url,
            channels.secret,
            row.merchant_id,
            str(facts.get("purchase_order_id", "")),
            now=utcnow(),
        ),
        unsubscribe_url=_unsubscribe(row, channels),
        shipments=(),
        event=None,
        estimated_delivery=None,
        previous_estimate=None,
        purchase_order=str(facts.get("purchase_order", "")),
        supplier=str(facts.get("supplier", "")),
        promised_date=date.fromisoformat(promised) if isinstance(promised, str) else None,
        lines=lines,
        ship_to=str(facts.get("ship_to") or "") or None,
    )


def _promise(
    row: Notification, order: Order, shipments: list[Shipment], facts: Facts
) -> tuple[tuple[date, date] | None, tuple[date, date] | None]:
    """Our promise (the EDD engine's) for the shipment the message is about, else the order's,
    and the different window told before it."""
    subject = shipments[0] if row.shipment_id and shipments else None
    if subject is not None and subject.edd_earliest is not None and subject.edd_latest is not None:
        current = (subject.edd_earliest, subject.edd_latest)
        earlier = facts.promised.get(subject.id, [])
        previous = next((w for w in reversed(earlier) if w != current), None)
        return current, previous
    if order.edd_earliest is not None and order.edd_latest is not None:
        return (order.edd_earliest, order.edd_latest), None
    return None, None


def _estimates(
    revisions: list[list[DeliveryEstimate]],
) -> tuple[tuple[date, date] | None, tuple[date, date] | None]:
    """The promise the message tells (the last parcel's newest estimate) and the one before it."""
    known = [rows for rows in revisions if rows]
    if not known:
        return None, None
    rows = max(known, key=lambda r: (r[-1].latest, r[-1].earliest))
    current = (rows[-1].earliest, rows[-1].latest)
    previous = (rows[-2].earliest, rows[-2].latest) if len(rows) > 1 else None
    return current, previous
