"""The rules of making a shipment, over plain data: which order lines it carries, what each
parcel holds, and when a tracking number may not be used again.

Both the shipments service and the simulator's bulk loader call these, so the two cannot
drift apart. No database and no clock: the caller passes the order's lines, what is left
of them, and "now".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from ordertrack.kit.errors import Conflict, Unprocessable
from ordertrack.shipments.schemas import ParcelIn, ShipmentIn, ShipmentLineIn
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES


class OverShipment(Conflict):
    code = "over_shipment"


class SkuNotInOrder(Unprocessable):
    code = "sku_not_in_order"


class TrackingNumberInUse(Conflict):
    code = "tracking_number_in_use"


class OrderedLine(Protocol):
    """What allocation reads of an order line."""

    @property
    def id(self) -> str: ...
    @property
    def sku(self) -> str: ...
    @property
    def quantity(self) -> int: ...


class Allotted(NamedTuple):
    """Units of one order line in a shipment, or in one of its parcels."""

    order_line_id: str
    sku: str
    quantity: int


def remaining_quantities(lines: Sequence[OrderedLine], shipped: Mapping[str, int]) -> dict[str, int]:
    """Per order line id: the units not yet on any shipment."""
    return {line.id: line.quantity - shipped.get(line.id, 0) for line in lines}


def requested_lines(data: ShipmentIn) -> list[ShipmentLineIn] | None:
    """The lines asked for: stated, else the parcels' stated contents; None means "all that is left"."""
    if data.lines is not None:
        return data.lines
    packed = data.packed_quantities()
    if packed is None:
        return None
    return [ShipmentLineIn(sku=sku, quantity=qty) for sku, qty in packed.items()]


def boxes(data: ShipmentIn) -> list[ParcelIn]:
    """The shipment's parcels: as listed, else one parcel with the shipment's tracking number."""
    return data.parcels if data.parcels is not None else [ParcelIn(tracking_number=data.tracking_number)]


def allocate(
    lines: Sequence[OrderedLine], remaining: Mapping[str, int], wanted: Sequence[ShipmentLineIn] | None
) -> list[Allotted]:
    """What the shipment carries, line by line; ``wanted`` None means "all that is left".

    A SKU on several lines is taken from the first line with units left, then the next.
    Raises :class:`SkuNotInOrder` or :class:`OverShipment` rather than ship more than is left.
    """
    if wanted is None:
        everything = [
            Allotted(line.id, line.sku, remaining[line.id]) for line in lines if remaining[line.id] > 0
        ]
        if not everything:
            raise OverShipment("every unit of this order has already shipped")
        return everything
    allocation: list[Allotted] = []
    left = dict(remaining)
    for want in wanted:
        candidates = [line for line in lines if line.sku == want.sku]
        if not candidates:
            raise SkuNotInOrder(f"SKU {want.sku!r} is not on this order")
        need = want.quantity
        for line in candidates:
            take = min(need, left[line.id])
            if take:
                allocation.append(Allotted(line.id, line.sku, take))
                left[line.id] -= take
                need -= take
        if need:
            raise OverShipment(
                f"only {want.quantity - need} of SKU {want.sku!r} are left to ship",
                details={"sku": want.sku, "requested": want.quantity, "available": want.quantity - need},
            )
    merged: dict[tuple[str, str], int] = defaultdict(int)
    for line_id, sku, qty in allocation:
        merged[(line_id, sku)] += qty
    return [Allotted(line_id, sku, qty) for (line_id, sku), qty in merged.items()]


def pack(allocation: Sequence[Allotted], parcels: Sequence[ParcelIn]) -> list[list[Allotted]]:
    """What each parcel holds: its stated contents spread over the order lines being shipped.

    A lone parcel without stated contents holds the whole shipment; several parcels without
    contents stay unitemised (their packing slip covers the shipment). The schema has
    already checked that stated contents add up to the shipment, SKU by SKU.
    """
    if parcels[0].contents is None:
        wanted = (
            [[(sku, qty) for _line_id, sku, qty in allocation]] if len(parcels) == 1 else [[]] * len(parcels)
        )
    else:
        wanted = [[(line.sku, line.quantity) for line in box.contents or []] for box in parcels]
    left = {line_id: qty for line_id, _sku, qty in allocation}
    packed: list[list[Allotted]] = []
    for contents in wanted:
        items: list[Allotted] = []
        for sku, need in contents:
            for line_id, line_sku, _qty in allocation:
                take = min(need, left[line_id]) if line_sku == sku else 0
                if take:
                    items.append(Allotted(line_id, sku, take))
                    left[line_id] -= take
                    need -= take
        packed.append(items)
    return packed


def recycled_after(now: datetime, recycle_window: timedelta) -> datetime:
    """Parcels created before this may have handed their number back to the carrier."""
    return now - recycle_window


def number_in_flight(created_at: datetime, status: str, *, since: datetime) -> bool:
    """A number on a parcel created since ``since`` and not finished is still travelling:
    using it again is a typo, not a carrier's recycling."""
    return created_at >= since and status not in FINISHED_SHIPMENT_STATUSES


@dataclass(frozen=True)
class ShipmentFacts:
    """What an order's status is derived from, per shipment: its status and the units of each
    order line it carries."""

    status: str
    quantities: Mapping[str, int] = field(default_factory=dict)  # order line id -> quantity
