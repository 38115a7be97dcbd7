"""Domain events: facts a feature records on the unit of work when something happened.

A feature records what it did (``uow.record(ParcelStatusChanged(...))``) and never calls
the features that care. The handler table in :mod:`ordertrack.handlers` says who reacts:
derived state in the same transaction, side effects as outbox rows. Events are plain,
immutable data named after facts in the past tense; they carry ids, not ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to one merchant's data."""

    merchant_id: str


# --- tracking ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParcelScanned(Event):
    """New carrier events were attached to a parcel (from any source: push, poll, claim).

    A parcel is an outbound shipment's (``shipment_id``) or an inbound shipment's from a
    supplier (``inbound_shipment_id``), never both: each reaction reads the one it cares for."""

    parcel_id: str
    shipment_id: str | None
    received_at: datetime
    inbound_shipment_id: str | None = None


@dataclass(frozen=True, slots=True)
class ParcelStatusChanged(Event):
    """A parcel's derived status, reason or delivery time changed (of an outbound shipment or,
    with ``inbound_shipment_id``, of a supplier's inbound shipment)."""

    parcel_id: str
    shipment_id: str | None
    previous: str
    current: str
    inbound_shipment_id: str | None = None


# --- shipments -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShipmentCreated(Event):
    """A shipment with its parcels was registered for an order."""

    shipment_id: str
    order_id: str
    carrier: str
    parcel_ids: tuple[str, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class ShipmentStatusChanged(Event):
    """A shipment's derived status changed (from its parcels)."""

    shipment_id: str
    order_id: str
    previous: str
    current: str
    reason: str | None = None


# --- orders --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderPlaced(Event):
    order_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderConfirmed(Event):
    order_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderCancelled(Event):
    order_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderStatusChanged(Event):
    """An order's derived status changed (from its lines and shipments)."""

    order_id: str
    previous: str
    current: str


# --- promises ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PromiseRevised(Event):
    """The delivery window promised for a shipment changed, and why (the revision stage)."""

    shipment_id: str
    order_id: str
    stage: str
    earliest: date | None
    latest: date | None
    notify: bool = True
    # When it was revised (a check's clock); None reads as now.
    at: datetime | None = None
    most_likely: date | None = None
    # Why it changed (eta.estimating.Cause: picked_up, customs_delay...); None: not said.
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class OrderPromiseRevised(Event):
    """The delivery window promised for a whole order changed (its last part's)."""

    order_id: str
    stage: str
    earliest: date
    latest: date
    most_likely: date
    # A later window for units still waiting for stock is told to the shopper (the shipments'
    # own delays are told by PromiseRevised); why, as eta's Cause; when (None reads as now).
    notify: bool = False
    cause: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CarrierEstimateChanged(Event):
    """A carrier's own delivery estimate for a parcel still on its way arrived or moved."""

    parcel_id: str
    shipment_id: str | None
    at: datetime
    inbound_shipment_id: str | None = None


# --- inventory -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StockReceived(Event):
    """Units arrived in a warehouse (a receipt, a count that found more, a return)."""

    warehouse: str
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class StockRanLow(Event):
    """A level's available units fell below its low-stock threshold (one alert was raised)."""

    alert_id: str
    warehouse: str
    sku: str
    available: int
    threshold: int
    at: datetime


@dataclass(frozen=True, slots=True)
class BackorderFilled(Event):
    """Units that had arrived were reserved for an order line waiting on them."""

    order_id: str
    order_line_id: str
    warehouse: str
    sku: str
    quantity: int
    remaining: int  # units of the line still backordered


# --- attention -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttentionOpened(Event):
    """A shipment started needing someone's attention (late, stalled, exception...)."""

    shipment_id: str
    order_id: str
    kind: str
    # The finding in words ("no scan for 5.0 days; usually at most 2.0 days"), and when the
    # check found it (None reads as now).
    detail: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AttentionClosed(Event):
    shipment_id: str
    order_id: str
    kind: str


@dataclass(frozen=True, slots=True)
class AttentionResolved(Event):
    """Staff resolved an item by hand, with a reason (it is also closed: ``AttentionClosed``)."""

    item_id: str
    shipment_id: str
    order_id: str
    kind: str
    resolution: str
    staff_id: str


@dataclass(frozen=True, slots=True)
class ShopperMessaged(Event):
    """Staff wrote to the shopper about a shipment in trouble; ``message_id`` names this message."""

    message_id: str
    order_id: str
    shipment_id: str
    text: str


# --- suppliers and purchase orders --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PurchaseOrderCreated(Event):
    """A draft purchase order was written; nothing was sent to the supplier yet."""

    purchase_order_id: str
    supplier_id: str


@dataclass(frozen=True, slots=True)
class PurchaseOrderSent(Event):
    """The merchant sent the purchase order to its supplier."""

    purchase_order_id: str
    supplier_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PurchaseOrderConfirmed(Event):
    """The supplier confirmed (or confirmed again) its quantities and promised dates."""

    purchase_order_id: str
    supplier_id: str
    promised_ship_date: date | None
    promised_arrival_date: date | None
    at: datetime


@dataclass(frozen=True, slots=True)
class PurchaseOrderCancelled(Event):
    purchase_order_id: str
    supplier_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PurchaseOrderLineShortClosed(Event):
    """Nothing more is expected on a line: what came is all that will come."""

    purchase_order_id: str
    line_id: str
    sku: str
    expected: int
    received: int


@dataclass(frozen=True, slots=True)
class PurchaseOrderStatusChanged(Event):
    """A purchase order's derived status changed."""

    purchase_order_id: str
    previous: str
    status: str


@dataclass(frozen=True, slots=True)
class InboundShipmentDeclared(Event):
    """The supplier (or staff, the API, a CSV) declared an advance shipping notice: which PO
    lines and quantities left in which parcels."""

    purchase_order_id: str
    inbound_shipment_id: str
    skus: tuple[str, ...]
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class InboundShipmentStatusChanged(Event):
    """An inbound shipment's derived status changed (its parcels moved, it arrived, it was
    received or cancelled)."""

    purchase_order_id: str
    inbound_shipment_id: str
    previous: str
    status: str
    at: datetime


@dataclass(frozen=True, slots=True)
class InboundExpectationChanged(Event):
    """When units of these SKUs are expected at the warehouse may have changed: a PO was
    confirmed with dates, an ASN declared or cancelled, its parcels' promise moved, goods were
    received or a line short-closed. Available-to-promise and the promises of the customer
    orders waiting on these SKUs are worked out again from the facts."""

    skus: tuple[str, ...]
    warehouse_id: str
    cause: str  # eta's Cause value for the shopper, e.g. "supplier_delay", "stock_arrived"
    at: datetime


@dataclass(frozen=True, slots=True)
class GoodsReceived(Event):
    """Units were counted in at the dock: ``good`` went into stock, ``damaged`` did not."""

    purchase_order_id: str
    inbound_shipment_id: str | None
    warehouse_id: str
    skus: tuple[str, ...]
    good: int
    damaged: int
    actor: str
    at: datetime
