"""Who reacts to what: the product's one table of domain events and their handlers.

Read it as the table of contents of the product's reactions. A feature records a fact on
the unit of work (:mod:`ordertrack.events`); when the unit of work settles (at the latest
on commit) every handler listed here for that fact runs, in order, inside the same
transaction. Handlers that derive state change it directly; handlers with side effects
(messages, webhooks, page pushes) write outbox rows that workers deliver after commit.

A handler is a plain function ``handler(uow, events)`` taking every event of its type
recorded since the last round, so a batch of 100 scans costs one round, not 100. Handlers
may record further events; they run in the next round.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ordertrack.analytics import handlers as analytics
from ordertrack.analytics import ratings
from ordertrack.carriers import accounts as carrier_accounts
from ordertrack.checks import handlers as checks
from ordertrack.checks import restocking
from ordertrack.db.uow import UnitOfWork
from ordertrack.events import (
    AttentionClosed,
    AttentionOpened,
    BackorderFilled,
    CarrierEstimateChanged,
    Event,
    GoodsReceived,
    InboundExpectationChanged,
    InboundShipmentDeclared,
    OrderConfirmed,
    OrderPlaced,
    OrderPromiseRevised,
    OrderStatusChanged,
    ParcelScanned,
    ParcelStatusChanged,
    PromiseRevised,
    PurchaseOrderConfirmed,
    PurchaseOrderLineShortClosed,
    PurchaseOrderSent,
    PurchaseOrderStatusChanged,
    ShipmentCreated,
    ShipmentStatusChanged,
    ShopperMessaged,
    StockRanLow,
)
from ordertrack.notifications import handlers as notifications
from ordertrack.orders import handlers as orders
from ordertrack.purchasing import inbound as purchasing_inbound
from ordertrack.purchasing import supplier_messages
from ordertrack.shipments import handlers as shipments

Handler = Callable[[UnitOfWork, Sequence[Any]], None]

# Derived state first, messages (outbox rows) last: a message is read back when it is sent.
HANDLERS: dict[type[Event], tuple[Handler, ...]] = {
    # A scan: tracking stored it and moved the parcel.
    ParcelScanned: (checks.schedule_checks_after_scans, analytics.mark_shipments_due),
    # A parcel is an outbound shipment's or a supplier's inbound shipment's: each derives its own.
    ParcelStatusChanged: (
        shipments.rederive_shipments_of_parcels,
        purchasing_inbound.rederive_after,
        analytics.mark_shipments_due,
    ),
    # Shipments.
    ShipmentCreated: (
        orders.rederive_orders_of_shipments,
        carrier_accounts.start_polling_new_parcels,
        checks.promise_new_shipments,
        analytics.mark_shipments_due,
        notifications.notify_shipped,
    ),
    ShipmentStatusChanged: (
        orders.rederive_orders_of_shipments,
        analytics.mark_shipments_due,
        notifications.notify_shipment_moves,
    ),
    # Orders.
    OrderPlaced: (checks.promise_placed_orders,),
    OrderConfirmed: (restocking.promise_backordered_orders, notifications.notify_order_confirmed),
    OrderStatusChanged: (analytics.mark_cancelled_orders_due, ratings.ask_after_delivery),
    # Promises.
    CarrierEstimateChanged: (
        checks.revise_after_carrier_estimates,
        purchasing_inbound.rederive_after,
        analytics.mark_shipments_due,
    ),
    PromiseRevised: (
        checks.keep_shipment_promises,
        analytics.mark_shipments_due,
        notifications.notify_revised_promises,
    ),
    OrderPromiseRevised: (checks.keep_order_promises, notifications.notify_revised_order_promises),
    # Attention.
    AttentionOpened: (checks.flag_orders_needing_attention, notifications.alert_staff_of_attention),
    AttentionClosed: (checks.flag_orders_needing_attention,),
    ShopperMessaged: (notifications.send_shopper_messages,),
    # Stock.
    BackorderFilled: (checks.promise_restocked_orders,),
    # Inbound shipments: status and expected arrival from their parcels, notice and counts.
    InboundShipmentDeclared: (purchasing_inbound.rederive_after,),
    GoodsReceived: (purchasing_inbound.rederive_after,),
    # Inbound: the orders waiting for stock are due a new promise (the worker revises them).
    InboundExpectationChanged: (restocking.revise_after_inbound_changes,),
    PurchaseOrderConfirmed: (restocking.revise_after_purchase_order_changes,),
    PurchaseOrderStatusChanged: (restocking.revise_after_purchase_order_changes,),
    PurchaseOrderLineShortClosed: (restocking.revise_after_short_closes,),
    # The supplier gets the order with its link (an outbox row).
    PurchaseOrderSent: (supplier_messages.tell_suppliers_of_sent_orders,),
    StockRanLow: (notifications.alert_staff_of_low_stock,),
}

# A chain of reactions deeper than this is a loop (an event whose handler records it again).
MAX_ROUNDS = 16


class HandlerLoop(RuntimeError):
    """Handlers kept recording events past ``MAX_ROUNDS``: one of them feeds itself."""


def dispatch(uow: UnitOfWork, table: dict[type[Event], tuple[Handler, ...]] | None = None) -> None:
    """Run the handlers of the unit of work's recorded events until none are left."""
    handlers = HANDLERS if table is None else table
    for _round in range(MAX_ROUNDS):
        if not uow.events:
            return
        pending, uow.events = uow.events, []
        by_type: dict[type[Event], list[Event]] = {}
        for event in pending:
            by_type.setdefault(type(event), []).append(event)
        for event_type, events in by_type.items():
            for handler in handlers.get(event_type, ()):
                handler(uow, events)
    if uow.events:
        raise HandlerLoop(f"events still recorded after {MAX_ROUNDS} rounds: {uow.events[:3]}")
