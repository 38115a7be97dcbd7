"""The unified statuses of parcels, shipments and tracking events: the product's one vocabulary
for where a parcel is (docs/design.md, "Unified shipment statuses"; docs/glossary.md).

In the core so every layer can name them: the carriers' code tables map onto them, tracking
derives them (:mod:`ordertrack.tracking.status`), and promises and attention reason about
them. Pure: no I/O.
"""

from __future__ import annotations

from enum import StrEnum


class ShipmentStatus(StrEnum):
    """Unified status of a parcel or shipment; ``pending`` means no event yet."""

    pending = "pending"
    info_received = "info_received"
    in_transit = "in_transit"
    out_for_delivery = "out_for_delivery"
    available_for_pickup = "available_for_pickup"
    failed_attempt = "failed_attempt"
    delivered = "delivered"
    exception = "exception"
    returning = "returning"
    returned = "returned"


class EventStatus(StrEnum):
    """The statuses a tracking event may carry (every shipment status but ``pending``)."""

    info_received = "info_received"
    in_transit = "in_transit"
    out_for_delivery = "out_for_delivery"
    available_for_pickup = "available_for_pickup"
    failed_attempt = "failed_attempt"
    delivered = "delivered"
    exception = "exception"
    returning = "returning"
    returned = "returned"


# A parcel or shipment in one of these has finished its journey (at the shopper's or back with
# the sender): nothing is polled, watched or promised for it any more. The one definition.
FINISHED_SHIPMENT_STATUSES = frozenset({ShipmentStatus.delivered, ShipmentStatus.returned})
