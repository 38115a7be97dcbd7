"""Three months of delivered history for the demo shop, so its analytics say something.

The demo's stories (``demo.seed``) cover every status in a few weeks; figures over a quarter
need many more settled shipments. These are told with the same journeys (``demo.scans``) from
the same warehouses, lanes and shoppers, and written through the simulator's bulk loader
(``simulate.bulk.play``: the services' rules, rows written in bulk), in the seed's transaction:
the service path costs about 0.1 s an order, far too slow for a demo that starts in seconds.

The bulk loader keeps no promises, so each shipment gets the one the lane's own history
supports, recorded when it was registered: from the hand-off day (the shopper's local day), the
lane's 10th to 75th percentile of whole days in transit (carrier and destination country;
nearest-rank over these stories' plain deliveries). A quarter of plain deliveries at most, and
most parcels held by weather or missed at the door, then arrive after it, as they would. The
settled shipments are not checked again by the worker: their checks ran back then.
Every shipment is queued for its analytics cells (``analytics.store.mark_due``); the worker
folds them in within seconds of the start.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from ordertrack.analytics import store
from ordertrack.db.uow import UnitOfWork
from ordertrack.demo import seed
from ordertrack.demo.order_plans import OrderPlan, ShipmentPlan
from ordertrack.eta.model import EddRevision
from ordertrack.inventory.model import StockMovement, Warehouse
from ordertrack.kit.ids import new_id
from ordertrack.orders.model import Order
from ordertrack.orders.status import OrderStatus
from ordertrack.shipments.model import Shipment, ShipmentLine
from ordertrack.simulate.bulk import RECYCLE_WINDOW, play
from ordertrack.simulate.bulk.chunk import Chunk
from ordertrack.simulate.bulk.reading import RecordReader
from ordertrack.simulate.bulk.report import BulkReport
from ordertrack.tracking.model import Parcel

SEED = 2290
ORDERS = 180  # over DAYS: about 14 a week
DAYS = 90
FIRST_NUMBER = 10_001  # NW-H10001...: history, apart from the demo's stories (NW-10421...)
# How the stories end: most delivered, some after a failed attempt or a weather hold, a few refused.
ACTOR = "demo history"
OUTCOMES = (
    ("delivered", 84),
    ("failed_then_delivered", 7),
    ("weather_then_delivered", 6),
    ("refused_returned", 3),
)


def add_history(uow: UnitOfWork, merchant_id: str, now: datetime) -> int:
    """Write the history for the demo merchant; how many orders it added."""
    rng = random.Random(SEED)
    taken: set[str] = set()
    outcomes = [name for name, weight in OUTCOMES for _ in range(weight)]
    drafts = []
    for _ in range(ORDERS):
        plan = OrderPlan(OrderStatus.delivered, (ShipmentPlan("rest", (rng.choice(outcomes),)),))
        # Each story ends before a day of the last quarter (and the seed ages it a little more).
        ends_before = now - timedelta(days=rng.uniform(1, DAYS - seed.HISTORY.days))
        drafts.append(seed._draft_order(rng, plan, ends_before, taken))
    drafts.sort(key=lambda d: d.placed_at)

    reader = RecordReader(merchant_id)
    items = []
    numbered = {f"NW-H{number}": draft for number, draft in enumerate(drafts, start=FIRST_NUMBER)}
    for order_number, draft in numbered.items():
        items.append(
            reader.read(
                {
                    "kind": "order",
                    "at": draft.placed_at.isoformat(),
                    "order": seed.order_payload(draft, order_number),
                }
            )
        )
        for shipment in draft.shipments:
            [parcel] = shipment.parcels
            body = {
                "carrier": shipment.lane.carrier,
                "service": shipment.lane.service,
                "tracking_number": parcel.tracking_number,
                "warehouse": shipment.warehouse,
            }
            registered = shipment.registered_at().isoformat()
            items.append(
                reader.read(
                    {"kind": "shipment", "at": registered, "order_number": order_number, "shipment": body}
                )
            )
            events = [scan.as_event(parcel.tracking_number, shipment.lane.carrier) for scan in parcel.scans]
            # Carriers report a parcel's day at its end: one batch when it arrived (or came back).
            last = max(scan.at for scan in parcel.scans)
            items.append(reader.read({"kind": "events", "at": last.isoformat(), "events": events}))
    items.sort(key=lambda item: item.at)
    uow.session.flush()
    chunk = Chunk(uow.session.connection(), merchant_id, RECYCLE_WINDOW, set(), BulkReport(), items[0].at)
    play(chunk, [item for item in items if item.body is not None])
    _promise(uow, merchant_id, drafts)
    _confirm(uow, merchant_id, numbered)
    _stock_in_and_out(uow, merchant_id, numbered)
    return len(drafts)


def _confirm(uow: UnitOfWork, merchant_id: str, numbered: dict[str, Any]) -> None:
    """Confirmed minutes after placing, as the demo's stories are (the loader has no confirming)."""
    orders = Order.__table__
    uow.session.execute(
        update(orders)
        .where(orders.c.merchant_id == merchant_id, orders.c.number == bindparam("n"))
        .values(confirmed_at=bindparam("at")),
        [{"n": number, "at": draft.confirmed_at()} for number, draft in numbered.items()],
    )


def _stock_in_and_out(uow: UnitOfWork, merchant_id: str, numbered: dict[str, Any]) -> None:
    """The units these orders took, received at their warehouse a day before each shipment and
    shipped with it, in the stock ledger: levels stay as the seed set them, the ledger and the
    shipments agree (every shipped unit has its movement)."""
    session = uow.session
    lines = session.execute(
        select(Shipment.order_id, Shipment.created_at, Warehouse.id, ShipmentLine.sku, ShipmentLine.quantity)
        .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
        .join(Order, Order.id == Shipment.order_id)
        .join(Warehouse, (Warehouse.merchant_id == merchant_id) & (Warehouse.code == Shipment.warehouse))
        .where(Shipment.merchant_id == merchant_id, Order.number.in_(list(numbered)))
    ).all()
    moves = []
    for order_id, shipped_at, warehouse_id, sku, quantity in lines:
        common = {"merchant_id": merchant_id, "warehouse_id": warehouse_id, "sku": sku, "reserved_delta": 0}
        moves.append(
            {
                **common,
                "kind": "receipt",
                "on_hand_delta": quantity,
                "order_id": None,
                "actor": ACTOR,
                "reason": "received for an order of the demo's history",
                "created_at": shipped_at - timedelta(days=1),
            }
        )
        moves.append(
            {
                **common,
                "kind": "shipment",
                "on_hand_delta": -quantity,
                "order_id": order_id,
                "actor": ACTOR,
                "reason": None,
                "created_at": shipped_at,
            }
        )
    if moves:
        session.execute(insert(StockMovement.__table__), moves)


def _promise(uow: UnitOfWork, merchant_id: str, drafts: list[Any]) -> None:
    """Each shipment's promise, recorded when it was registered (see the module's words)."""
    session = uow.session
    numbers = {draft.shipments[0].parcels[0].tracking_number: draft for draft in drafts}
    rows = session.execute(
        select(Shipment.id, Shipment.order_id, Parcel.tracking_number)
        .join(Parcel, Parcel.shipment_id == Shipment.id)
        .where(Parcel.merchant_id == merchant_id, Parcel.tracking_number.in_(list(numbers)))
    ).all()
    days_by_lane: dict[tuple[str, str], list[int]] = defaultdict(list)
    journeys = {}
    for draft in drafts:
        shipment = draft.shipments[0]
        scans = shipment.parcels[0].scans
        handed = next(scan for scan in scans if scan.step != "label")
        delivered = next((scan for scan in scans if scan.step == "delivered"), None)
        lane = (shipment.lane.carrier, draft.customer.home.country)
        start = handed.at.astimezone(delivered.at.tzinfo if delivered else handed.at.tzinfo).date()
        if delivered is not None and draft.plan.shipments[0].parcels[0] == "delivered":
            days_by_lane[lane].append((delivered.at.date() - start).days)
        journeys[shipment.parcels[0].tracking_number] = (lane, handed, shipment.registered_at())
    windows = {lane: (_rank(days, 10), _rank(days, 75)) for lane, days in days_by_lane.items()}
    revisions = []
    promised = []
    for shipment_id, order_id, number in rows:
        lane, handed, registered = journeys[number]
        home = numbers[number].customer.home
        low, high = windows.get(lane, (2, 6))
        day = handed.at.astimezone(seed.zone(home.timezone)).date()
        earliest, latest = day + timedelta(days=low), day + timedelta(days=high)
        revisions.append(_revision(merchant_id, order_id, shipment_id, earliest, latest, registered, lane))
        promised.append({"sid": shipment_id, "earliest": earliest, "latest": latest})
    if revisions:
        session.execute(insert(EddRevision.__table__), revisions)
        session.execute(
            update(Shipment.__table__)
            .where(Shipment.__table__.c.id == _bind("sid"))
            .values(
                promised_latest=_bind("latest"), edd_earliest=_bind("earliest"), edd_latest=_bind("latest")
            ),
            promised,
        )
        # Settled long ago: the worker's checks ran back then, not at the demo's start (they
        # would record today's revisions of promises that ended weeks ago).
        session.execute(
            update(Shipment.__table__)
            .where(
                Shipment.__table__.c.id.in_([row[0] for row in rows]),
                Shipment.__table__.c.status.in_(("delivered", "returned")),
            )
            .values(next_check_at=None)
        )
    store.mark_due(uow, merchant_id, [row[0] for row in rows])


def _bind(name: str) -> Any:
    return bindparam(name)


def _rank(values: list[int], percent: int) -> int:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent * len(ordered) / 100) - 1)]


def _revision(
    merchant_id: str,
    order_id: str,
    shipment_id: str,
    earliest: date,
    latest: date,
    at: datetime,
    lane: tuple[str, str],
) -> dict[str, Any]:
    return {
        "id": new_id("edd"),
        "merchant_id": merchant_id,
        "order_id": order_id,
        "shipment_id": shipment_id,
        "earliest": earliest,
        "latest": latest,
        "most_likely": earliest + (latest - earliest) / 2,
        "stage": "shipped",
        "reason": "the lane's usual days in transit (demo history)",
        "cause": None,
        "basis": "typical",
        "basis_deliveries": None,
        "origin_country": None,
        "destination_country": lane[1],
        "delayed": False,
        "recorded_at": at,
    }
