"""Pure stock rules: where an order's units come from, and what a movement does to a level.

No session, no clock. The allocation prefers one warehouse that fills the whole order,
otherwise the fewest warehouses that fill as much as can be filled at all; what no
warehouse has is backordered. Among warehouses that do equally well, the one nearest the
order comes first (:func:`rank_warehouses`: same country, then the same customs area (the
EU), then the same continent, then the shorter distance, then the merchant's priority and code).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations

from ordertrack.kit import geo
from ordertrack.kit.errors import Conflict, Unprocessable

# Beyond this many candidate warehouses the exact search gives way to a greedy one.
EXACT_SEARCH_LIMIT = 12

# The most units one request or import row may carry: a count, a receipt, a threshold, an
# adjustment either way. Far beyond any real shelf, well inside the columns.
MAX_QUANTITY = 1_000_000_000
# The most a level may hold: stock columns are 32-bit INTEGER on PostgreSQL. SQLite would
# store more and PostgreSQL would fail the statement, so the rule refuses it on both first.
MAX_ON_HAND = 2_147_483_647


class MovementKind(StrEnum):
    receipt = "receipt"
    adjustment = "adjustment"
    reservation = "reservation"
    release = "release"
    shipment = "shipment"


class InsufficientStock(Conflict):
    code = "insufficient_stock"


class InvalidMovement(Unprocessable):
    code = "invalid_stock_movement"


class StockOutOfRange(Unprocessable):
    code = "stock_out_of_range"


@dataclass(frozen=True)
class Level:
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class Delta:
    on_hand: int
    reserved: int


def movement_delta(kind: MovementKind, quantity: int) -> Delta:
    """What one movement of ``quantity`` units does to on_hand and reserved."""
    match kind:
        case MovementKind.receipt:
            return Delta(quantity, 0)
        case MovementKind.adjustment:
            return Delta(quantity, 0)
        case MovementKind.reservation:
            return Delta(0, quantity)
        case MovementKind.release:
            return Delta(0, -quantity)
        case MovementKind.shipment:
            return Delta(-quantity, -quantity)
    raise AssertionError(kind)


def apply_movement(level: Level, kind: MovementKind, quantity: int) -> Level:
    """The level after the movement, or an error if it would break 0 <= reserved <= on_hand
    or hold more than :data:`MAX_ON_HAND`."""
    if kind != MovementKind.adjustment and quantity <= 0:
        raise InvalidMovement(f"a {kind} moves a positive quantity, not {quantity}")
    delta = movement_delta(kind, quantity)
    after = Level(level.on_hand + delta.on_hand, level.reserved + delta.reserved)
    if after.on_hand > MAX_ON_HAND:
        raise StockOutOfRange(
            f"{kind} of {quantity} would make {after.on_hand:,} on hand;"
            f" a stock level holds at most {MAX_ON_HAND:,}",
            details={"on_hand": level.on_hand, "quantity": quantity, "max_on_hand": MAX_ON_HAND},
        )
    if after.reserved < 0:
        raise InvalidMovement(f"cannot release {quantity}: only {level.reserved} reserved")
    if after.on_hand < after.reserved:
        raise InsufficientStock(
            f"{kind} of {quantity} would leave {after.on_hand} on hand under {after.reserved} reserved",
            details={"on_hand": level.on_hand, "reserved": level.reserved, "quantity": quantity},
        )
    return after


@dataclass(frozen=True)
class LineNeed:
    line_id: str
    sku: str
    quantity: int


@dataclass(frozen=True)
class Assignment:
    line_id: str
    sku: str
    warehouse: str
    quantity: int


@dataclass(frozen=True)
class Allocation:
    assignments: tuple[Assignment, ...]
    backordered: tuple[LineNeed, ...]

    @property
    def warehouses(self) -> list[str]:
        return sorted({a.warehouse for a in self.assignments})


Availability = Mapping[str, Mapping[str, int]]  # warehouse -> sku -> available units


def _fillable(needs: Sequence[LineNeed], available: Availability, warehouses: Sequence[str]) -> int:
    """Units of these needs the given warehouses can fill together."""
    wanted: dict[str, int] = {}
    for need in needs:
        wanted[need.sku] = wanted.get(need.sku, 0) + need.quantity
    return sum(
        min(qty, sum(max(0, available.get(w, {}).get(sku, 0)) for w in warehouses))
        for sku, qty in wanted.items()
    )


def _choose_warehouses(needs: Sequence[LineNeed], available: Availability, order: Sequence[str]) -> list[str]:
    best = _fillable(needs, available, order)
    if best == 0:
        return []
    if len(order) <= EXACT_SEARCH_LIMIT:
        for size in range(1, len(order) + 1):
            candidates = [
                list(c) for c in combinations(order, size) if _fillable(needs, available, c) == best
            ]
            if candidates:
                return candidates[0]  # combinations keep the preference order: first wins
    chosen: list[str] = []
    while _fillable(needs, available, chosen) < best:
        rest = [w for w in order if w not in chosen]
        chosen.append(max(rest, key=lambda w: _fillable(needs, available, [*chosen, w])))
    return chosen


def allocate(needs: Sequence[LineNeed], available: Availability, preference: Sequence[str]) -> Allocation:
    """Reserve from one warehouse if one can fill everything, else from the fewest that fill
    the most; ``preference`` orders warehouses for ties. The rest is backordered."""
    chosen = _choose_warehouses(needs, available, preference)
    left = {w: dict(available.get(w, {})) for w in chosen}
    assignments: list[Assignment] = []
    backordered: list[LineNeed] = []
    for need in needs:
        missing = need.quantity
        for warehouse in chosen:
            take = min(missing, max(0, left[warehouse].get(need.sku, 0)))
            if take:
                assignments.append(Assignment(need.line_id, need.sku, warehouse, take))
                left[warehouse][need.sku] -= take
                missing -= take
        if missing:
            backordered.append(LineNeed(need.line_id, need.sku, missing))
    return Allocation(tuple(assignments), tuple(backordered))


@dataclass(frozen=True)
class Site:
    """A warehouse as the choice of where to ship from sees it."""

    id: str
    code: str
    country: str
    point: geo.Point | None  # None: not placed (no position, an unknown country)
    priority: int = 100


@dataclass(frozen=True)
class Destination:
    country: str | None
    point: geo.Point | None


def rank_warehouses(sites: Sequence[Site], destination: Destination) -> list[str]:
    """Warehouse ids, the one a merchant would ship from first: in the destination's country,
    then inside its customs area (no declaration, no duties: Leipzig before Northampton for
    Paris), then on its continent, then the nearer (great-circle; an unplaced one after every
    placed one), then the merchant's priority, then the code (stable)."""
    country = (destination.country or "").upper()
    continent = geo.continent(country)
    area = geo.customs_area(country)

    def key(site: Site) -> tuple[bool, bool, bool, float, int, str]:
        far = (
            geo.distance_km(site.point, destination.point)
            if site.point is not None and destination.point is not None
            else float("inf")
        )
        same_continent = continent is not None and geo.continent(site.country) == continent
        return (
            site.country.upper() != country,
            geo.customs_area(site.country) != area,
            not same_continent,
            far,
            site.priority,
            site.code,
        )

    return [site.id for site in sorted(sites, key=key)]


@dataclass(frozen=True)
class HeldUnits:
    """Units of a SKU held at one warehouse for one order (a reservation)."""

    sku: str
    location: str | None
    order_id: str
    quantity: int


@dataclass(frozen=True)
class PickLine:
    sku: str
    location: str | None
    quantity: int
    orders: tuple[tuple[str, str, int], ...]  # (order id, order number, quantity)


def pick_list(held: Sequence[HeldUnits], order_numbers: Mapping[str, str]) -> list[PickLine]:
    """One line per SKU, in walking order (by location, unplaced SKUs last), with the orders
    each unit is for (named by ``order_numbers``, order id -> number), oldest order first."""
    by_sku: dict[str, list[HeldUnits]] = {}
    for units in held:
        if units.quantity > 0:
            by_sku.setdefault(units.sku, []).append(units)
    lines = [
        PickLine(
            sku=sku,
            location=group[0].location,
            quantity=sum(u.quantity for u in group),
            orders=tuple(
                (u.order_id, order_numbers.get(u.order_id, ""), u.quantity)
                for u in sorted(group, key=lambda u: u.order_id)
            ),
        )
        for sku, group in by_sku.items()
    ]
    return sorted(lines, key=lambda line: (line.location is None, line.location or "", line.sku))
