"""What the ship form proposes before anyone types: the warehouse that holds the order's
reserved units, and the carrier the merchant usually sends that destination with."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ordertrack.carriers.tracking_numbers import OWN_CARRIER
from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory.holdings import held_for_order
from ordertrack.orders import service as orders_service
from ordertrack.shipments import service as shipments_service

# How far back "usually" looks: the merchant's newest shipments, enough to see a habit per
# country and recent enough that a change of carrier shows within a few days of shipping.
RECENT_SHIPMENTS = 300


@dataclass(frozen=True)
class ShipDefaults:
    warehouse: str | None  # a warehouse code, or None to leave the form's first choice
    carrier: str
    carrier_reason: str  # why this carrier, in words for the form's help text


def usual_carrier(history: Sequence[tuple[str, str | None]], country: str | None) -> tuple[str, str]:
    """The carrier to propose for a parcel to ``country`` and why, from ``history`` of
    (carrier, destination country) newest first: the one used most for that country (ties:
    the one used most recently), else the last one used anywhere, else the own courier."""
    wanted = (country or "").upper()
    same = [carrier for carrier, to in history if wanted and (to or "").upper() == wanted]
    if same:
        counts = Counter(same)
        best = max(counts.values())
        carrier = next(c for c in same if counts[c] == best)  # newest first: the latest of the tied
        return carrier, f"used most for {wanted} lately ({best} of {len(same)} shipments)"
    if history:
        return history[0][0], "the carrier of your last shipment"
    return OWN_CARRIER, "no shipments yet"


def ship_defaults(uow: UnitOfWork, merchant_id: str, order_id: str, country: str | None) -> ShipDefaults:
    holdings = held_for_order(uow, merchant_id, order_id)
    recent = shipments_service.recent_carriers(uow, merchant_id, RECENT_SHIPMENTS)
    places = orders_service.placements(uow, merchant_id, {o for o, _ in recent})
    history = [(carrier, places[o].country if o in places else None) for o, carrier in recent]
    carrier, reason = usual_carrier(history, country)
    return ShipDefaults(holdings.main_warehouse(), carrier, reason)
