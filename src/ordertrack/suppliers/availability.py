"""Available to promise, as plain data: what is on the shelf, what is held, what is on its way
and when, and which waiting order line each inbound unit will fill.

Pure: the caller (:mod:`ordertrack.suppliers.atp`) reads the facts, this module only counts.
Everything here is a function of the facts as a set: the inputs are put into one total order
(dates, then placement times, then ids) before anything is counted, so the same facts given
in any order give the same schedule and the same promises (the issue's rule).

The arithmetic of one inbound line (docs/suppliers.md, "Available to promise"):

- a purchase order line still expects ``(confirmed or ordered) - received - damaged`` units,
  none once it is short-closed or its PO cancelled (a draft promises nothing: not sent);
- of those, the units in a declared ASN arrive when that ASN is expected (the carrier's
  newest word for its parcels when tracked, else what the supplier declared);
- the rest, not shipped yet, arrive on the supplier's promised arrival date when it confirmed
  one, else on the day the sent PO's lead time and transit give.

Backordered order lines take inbound units oldest order first, earliest arrival first: the
inventory fills backorders in exactly that order when the units are received
(:func:`ordertrack.inventory.backorders.fill_backorders`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

# The day an inbound with no other date is expected: sent + lead time + this many business days
# in transit (inside one country, else across a border), when nothing better is known.
TRANSIT_DAYS_DOMESTIC = 3
TRANSIT_DAYS_INTERNATIONAL = 10


@dataclass(frozen=True, slots=True)
class OpenLine:
    """One purchase order line as the schedule needs it."""

    purchase_order_id: str
    purchase_order_line_id: str
    warehouse_id: str
    sku: str
    expected: int  # the supplier's confirmed quantity, else the ordered one
    received: int  # good units counted in
    damaged: int  # units that came but did not go into stock
    short_closed: bool
    # When the units not shipped yet arrive: the promised arrival, else sent + lead + transit.
    unshipped_arrive_on: date


@dataclass(frozen=True, slots=True)
class ShippedPart:
    """Units of one PO line in one (not cancelled) ASN, with the ASN's expected arrival."""

    inbound_shipment_id: str
    purchase_order_line_id: str
    quantity: int
    received: int
    damaged: int
    arrive_on: date


@dataclass(frozen=True, slots=True)
class Inbound:
    """Open units of one SKU expected at one warehouse on one day, from one PO line (and ASN)."""

    arrive_on: date
    warehouse_id: str
    sku: str
    quantity: int
    purchase_order_id: str
    purchase_order_line_id: str
    inbound_shipment_id: str | None  # None: not shipped yet

    @property
    def key(self) -> tuple[date, str, str, str]:
        return (
            self.arrive_on,
            self.purchase_order_line_id,
            self.inbound_shipment_id or "",
            self.warehouse_id,
        )


@dataclass(frozen=True, slots=True)
class ShelfStock:
    warehouse_id: str
    sku: str
    on_hand: int
    reserved: int


@dataclass(frozen=True, slots=True)
class Waiting:
    """A backordered order line: units no warehouse held when the order was confirmed."""

    order_id: str
    order_line_id: str
    sku: str
    quantity: int
    placed_at: datetime


@dataclass(frozen=True, slots=True)
class Source:
    """Units of a waiting line that one inbound will bring."""

    quantity: int
    arrive_on: date | None  # None: free in stock already
    warehouse_id: str
    purchase_order_id: str | None
    inbound_shipment_id: str | None


@dataclass(frozen=True, slots=True)
class Cover:
    """What fills one waiting order line and when its last unit arrives."""

    waiting: Waiting
    sources: tuple[Source, ...]
    uncovered: int  # units no known inbound brings

    @property
    def arrive_on(self) -> date | None:
        """The day its last unit arrives; None when some units have no inbound (or all are free now)."""
        if self.uncovered:
            return None
        days = [s.arrive_on for s in self.sources if s.arrive_on is not None]
        return max(days) if days else None

    @property
    def covered(self) -> bool:
        return self.uncovered == 0


@dataclass(frozen=True, slots=True)
class Availability:
    """One SKU at one warehouse (``warehouse_id`` None: across the merchant's warehouses)."""

    sku: str
    warehouse_id: str | None
    on_hand: int
    reserved: int
    backordered: int
    inbound: tuple[tuple[date, int], ...]  # open units by expected day, earliest first

    @property
    def available(self) -> int:
        """Free to sell now: on the shelf and not held for an order."""
        return max(0, self.on_hand - self.reserved)

    @property
    def inbound_total(self) -> int:
        return sum(quantity for _, quantity in self.inbound)

    def free_by(self) -> tuple[tuple[date, int], ...]:
        """Units free to promise to a new order on or after each inbound day (cumulative, after
        the backorders ahead of it took theirs), earliest first; only days that add some."""
        free, owed = self.available, self.backordered
        found: list[tuple[date, int]] = []
        for day, quantity in self.inbound:
            taken = min(owed, quantity)
            owed -= taken
            if quantity - taken > 0:
                free += quantity - taken
                found.append((day, free))
        return tuple(found)

    def ready_on(self, quantity: int) -> date | None:
        """The first inbound day from which ``quantity`` new units can be promised (None: none
        covers it; callers check :attr:`available` for "now")."""
        for day, free in self.free_by():
            if free >= quantity:
                return day
        return None


def inbound_units(lines: Iterable[OpenLine], shipped: Iterable[ShippedPart]) -> list[Inbound]:
    """The open inbound units of these PO lines, by ASN and day, in the canonical order.

    A line expects what is not counted in yet; the ASN parts say when their units arrive (each
    part no more than it still owes, and no more than the line owes in all), the remainder
    arrives on the line's own date. Never negative: an over-receipt leaves nothing open."""
    parts: dict[str, list[ShippedPart]] = defaultdict(list)
    for part in shipped:
        parts[part.purchase_order_line_id].append(part)
    found: list[Inbound] = []
    for line in lines:
        owed = 0 if line.short_closed else max(0, line.expected - line.received - line.damaged)
        for part in sorted(
            parts.get(line.purchase_order_line_id, ()), key=lambda p: (p.arrive_on, p.inbound_shipment_id)
        ):
            take = min(owed, max(0, part.quantity - part.received - part.damaged))
            if take > 0:
                found.append(
                    Inbound(
                        part.arrive_on,
                        line.warehouse_id,
                        line.sku,
                        take,
                        line.purchase_order_id,
                        line.purchase_order_line_id,
                        part.inbound_shipment_id,
                    )
                )
                owed -= take
        if owed > 0:
            found.append(
                Inbound(
                    line.unshipped_arrive_on,
                    line.warehouse_id,
                    line.sku,
                    owed,
                    line.purchase_order_id,
                    line.purchase_order_line_id,
                    None,
                )
            )
    return sorted(found, key=lambda i: i.key)


def availability(
    sku: str,
    levels: Iterable[ShelfStock],
    inbound: Iterable[Inbound],
    backordered: int,
    warehouse_id: str | None = None,
) -> Availability:
    """One SKU's numbers at one warehouse (or all of them when ``warehouse_id`` is None).
    Backorders are the merchant's, not a warehouse's: they are owed by whichever warehouse
    receives first, so they count against every view of the SKU."""
    here = [x for x in levels if x.sku == sku and (warehouse_id is None or x.warehouse_id == warehouse_id)]
    by_day: dict[date, int] = defaultdict(int)
    for unit in inbound:
        if unit.sku == sku and (warehouse_id is None or unit.warehouse_id == warehouse_id):
            by_day[unit.arrive_on] += unit.quantity
    return Availability(
        sku=sku,
        warehouse_id=warehouse_id,
        on_hand=sum(x.on_hand for x in here),
        reserved=sum(x.reserved for x in here),
        backordered=max(0, backordered),
        inbound=tuple(sorted(by_day.items())),
    )


def allocate(
    waiting: Iterable[Waiting],
    inbound: Iterable[Inbound],
    levels: Iterable[ShelfStock] = (),
    *,
    warehouse_order: Mapping[str, int] | None = None,
) -> dict[str, Cover]:
    """Which inbound fills each waiting order line (by order line id): per SKU, free units on
    the shelf first, then inbound earliest arrival first, given to the oldest order first.

    The warehouse preference (``warehouse_order``: lower first) breaks ties between units free
    at several warehouses or arriving on the same day, as the inventory does when it fills."""
    rank = warehouse_order or {}
    queues: dict[str, list[Source]] = defaultdict(list)
    for level in sorted(levels, key=lambda x: (rank.get(x.warehouse_id, 0), x.warehouse_id, x.sku)):
        free = level.on_hand - level.reserved
        if free > 0:
            queues[level.sku].append(Source(free, None, level.warehouse_id, None, None))
    for unit in sorted(
        inbound,
        key=lambda i: (
            i.arrive_on,
            rank.get(i.warehouse_id, 0),
            i.warehouse_id,
            i.purchase_order_line_id,
            i.inbound_shipment_id or "",
        ),
    ):
        if unit.quantity > 0:
            queues[unit.sku].append(
                Source(
                    unit.quantity,
                    unit.arrive_on,
                    unit.warehouse_id,
                    unit.purchase_order_id,
                    unit.inbound_shipment_id,
                )
            )
    position = defaultdict(int)  # per SKU: the next source to take from
    left: dict[tuple[str, int], int] = {}
    covers: dict[str, Cover] = {}
    for line in sorted(waiting, key=lambda w: (w.placed_at, w.order_id, w.order_line_id)):
        need = max(0, line.quantity)
        taken: list[Source] = []
        queue = queues.get(line.sku, [])
        while need > 0 and position[line.sku] < len(queue):
            index = position[line.sku]
            source = queue[index]
            remaining = left.get((line.sku, index), source.quantity)
            take = min(need, remaining)
            taken.append(
                Source(
                    take,
                    source.arrive_on,
                    source.warehouse_id,
                    source.purchase_order_id,
                    source.inbound_shipment_id,
                )
            )
            need -= take
            remaining -= take
            left[(line.sku, index)] = remaining
            if remaining == 0:
                position[line.sku] += 1
        covers[line.order_line_id] = Cover(line, tuple(taken), need)
    return covers


def order_arrivals(covers: Iterable[Cover]) -> dict[str, tuple[date | None, bool]]:
    """Per order: the day its last awaited unit arrives and whether every unit is covered
    (False: some line waits on stock no open purchase order brings)."""
    found: dict[str, tuple[date | None, bool]] = {}
    for cover in covers:
        day, covered = found.get(cover.waiting.order_id, (None, True))
        days = [d for d in (day, cover.arrive_on) if d is not None]
        found[cover.waiting.order_id] = (max(days) if days else None, covered and cover.covered)
    return found
