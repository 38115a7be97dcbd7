"""Load a large simulated stream straight into the database, under the services' rules.

``ordertrack simulate --to-db`` writes a million orders with twenty scans each; through the
services that is tens of millions of statements. This loader reads the stream in chunks of
orders (with the records interleaved between them), plays each chunk in memory with the
services' own rules and pure functions, and writes the chunk's rows in bulk: on PostgreSQL
COPY for new rows and one UPDATE from a COPY-filled temporary table per table for changed
ones, on SQLite executemany. One chunk is one transaction. Larger chunks cost memory and save
time: a parcel still travelling is read and rewritten once per chunk that has news of it. The
default, 50,000 orders, holds about 3.5 GB in the loading process at the density of a million
orders over 90 days.

What is the same as the services (the equivalence test compares both paths):

- rows: ids (``new_id``), orders with their customer (upserted by email) and lines, shipments
  with lines, parcels and parcel items (``_allocate``/``_pack`` of the shipments service),
  tracking events built by the ingest service's ``_row`` (same ``dedupe_key``, UTC offset,
  raw input), stored once per dedupe key;
- matching: ``match_parcel`` with the recycle window at arrival, unknown numbers parked with
  ``parcel_id`` NULL, parked and recycled-number scans claimed when their parcel is created
  (the rule of ``claim_events_for_new_parcels``), a number still travelling refused;
- state: parcels by ``extend_tracking_state``/``derive_tracking_state``, shipments by
  ``derive_shipment_status``, orders by ``derive_order_status``; ``next_check_at`` as ingest,
  claims and shipment creation set it.

The clock is the stream's: a record's ``at`` is "now" for it (created_at, received_at), as
if the services had run at the simulated time.

Left out, on purpose (a bulk load is history, not live traffic):

- notifications and webhooks to merchants (no outbox rows);
- delivery promises: ``edd_*``/``promised_latest`` stay NULL and no ``edd_revisions`` are
  written. Every shipment keeps a ``next_check_at``, so the worker's checks compute each
  shipment's promise and its order's on their first pass (``revise_promises``); an order
  never shipped keeps no promise until it ships;
- stock: a merchant with warehouses is refused (stock rules need the services);
- carrier webhook payload rows: a ``webhook`` record is read by its connector and its
  events are loaded, but no ``carrier_payloads`` row, carrier estimate or unknown-code
  count is kept;
- shipments without a tracking number (the services issue the merchant's own numbers).

Known differences in the counts (not in the rows): a scan repeating a carrier event id that
was already read is counted as a duplicate without being validated again (the API would
report an invalid repeat as rejected); ``refused`` counts, by error code, the orders and
shipments the services would have refused.

The loader assumes nobody else writes the merchant's tracking data while it runs.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, NamedTuple

from psycopg.types.json import Jsonb
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import ColumnElement, Connection, Table, any_, bindparam, func, select, text, update
from sqlalchemy.dialects import postgresql

from ordertrack.carriers import intake, registry
from ordertrack.carriers.model import CarrierAccount
from ordertrack.carriers.tracking_numbers import validate_tracking_number
from ordertrack.catalog.model import Product
from ordertrack.customers.model import Customer
from ordertrack.db.uow import Database
from ordertrack.inventory.model import Warehouse
from ordertrack.kit.errors import OrdertrackError, Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.orders.model import Order, OrderLine
from ordertrack.orders.schemas import OrderIn
from ordertrack.orders.status import OrderFacts, OrderStatus, ShipmentFacts, check_action, derive_order_status
from ordertrack.shipments import rules as shipment_rules
from ordertrack.shipments.model import ParcelItem, Shipment, ShipmentLine
from ordertrack.shipments.schemas import ParcelIn, ShipmentIn, ShipmentLineIn
from ordertrack.simulate.records import Record
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.tracking import rules as tracking_rules
from ordertrack.tracking.model import Parcel, TrackingEvent
from ordertrack.tracking.schemas import UnifiedEventIn
from ordertrack.tracking.status import (
    FINISHED_SHIPMENT_STATUSES,
    EventFact,
    ParcelFacts,
    TrackingState,
    derive_shipment_status,
    derive_tracking_state,
    extend_tracking_state,
)

RECYCLE_WINDOW = timedelta(days=60)  # Settings.recycle_window_days' default
_EVENT = TypeAdapter(UnifiedEventIn)
_IN_SLICE = 5000  # values per IN (...) list: under SQLite's variable limit


@dataclass
class BulkReport:
    """What a bulk load wrote, and what it refused or skipped."""

    orders: int = 0
    shipments: int = 0
    events_stored: int = 0
    duplicates: int = 0
    unmatched: int = 0
    seconds: float = 0.0
    rejected_events: int = 0
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    webhooks: int = 0
    records: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "refused": dict(self.refused), "seconds": round(self.seconds, 1)}


class InventoryMerchant(Unprocessable):
    code = "bulk_needs_tracking_only_merchant"


def load(
    database: Database,
    merchant_id: str,
    records: Iterable[Record | Prepared],
    *,
    progress: Callable[[BulkReport], None] | None = None,
    chunk_orders: int = 50_000,
    recycle_window: timedelta = RECYCLE_WINDOW,
) -> BulkReport:
    """Write ``records`` (in stream order) for the merchant; a chunk of orders per transaction.

    ``records`` may already have been through :func:`prepare` (for example in another
    process, beside the generator): reading them needs no database.
    """
    started = time.perf_counter()
    report = BulkReport()
    with database.engine.connect() as conn:
        if conn.scalar(select(Warehouse.id).where(Warehouse.merchant_id == merchant_id).limit(1)):
            raise InventoryMerchant("bulk loading is for tracking-only merchants (this one keeps stock)")
        polled = set(
            conn.scalars(
                select(CarrierAccount.carrier).where(
                    CarrierAccount.merchant_id == merchant_id, CarrierAccount.enabled.is_(True)
                )
            )
        )
    reader = _Reader(merchant_id)
    items = (item if isinstance(item, Prepared) else reader.read(item) for item in records)
    for chunk in _chunks(items, chunk_orders):
        for item in chunk:
            report.rejected_events += item.rejected_events
            report.webhooks += item.webhook
            if item.body is None:
                report.refused[f"invalid_{item.kind}"] += 1
        with database.engine.begin() as conn:
            _Chunk(conn, merchant_id, recycle_window, polled, report).play(
                [item for item in chunk if item.body is not None]
            )
        report.records += len(chunk)
        report.seconds = time.perf_counter() - started
        if progress is not None:
            progress(report)
    with database.engine.connect() as conn:
        report.unmatched = (
            conn.scalar(
                select(func.count(TrackingEvent.id)).where(
                    TrackingEvent.merchant_id == merchant_id, TrackingEvent.parcel_id.is_(None)
                )
            )
            or 0
        )
    report.seconds = time.perf_counter() - started
    return report


# --- reading records: everything that needs no database ------------------------------------


class Prepared(NamedTuple):
    """A record read and checked, ready to be played against the database."""

    kind: str
    at: datetime  # UTC
    order_number: str | None  # shipment records: the order shipped
    body: Any  # OrderIn | ShipmentIn | event rows; None when the record cannot be read
    rejected_events: int = 0
    webhook: bool = False


def prepare(merchant_id: str, records: Iterable[Record]) -> Iterator[Prepared]:
    """Read and check ``records`` as the API would (schemas, scan validity, dedupe keys)."""
    reader = _Reader(merchant_id)
    for record in records:
        yield reader.read(record)


class _Reader:
    # Identities remembered for spotting repeats; past this, memory wins over speed.
    REMEMBER = 1_000_000

    def __init__(self, merchant_id: str) -> None:
        self.merchant_id = merchant_id
        self.keys_by_identity: dict[tuple[str, str, str], str] = {}

    def read(self, record: Record) -> Prepared:
        kind = record["kind"]
        at = datetime.fromisoformat(record["at"]).astimezone(UTC)
        try:
            if kind == "order":
                return Prepared(kind, at, None, OrderIn.model_validate(record["order"]))
            if kind == "shipment":
                shipment = ShipmentIn.model_validate(record["shipment"])
                return Prepared(kind, at, record["order_number"], shipment)
        except ValidationError:
            return Prepared(kind, at, record.get("order_number"), None)
        raws = record["events"] if kind == "events" else self._webhook_events(record)
        rows, rejected = self._rows(raws, at)
        return Prepared(kind, at, None, rows, rejected, kind == "webhook")

    def _rows(self, raws: Sequence[Any], received_at: datetime) -> tuple[list[dict[str, Any]], int]:
        if len(self.keys_by_identity) > self.REMEMBER:
            self.keys_by_identity.clear()
        rows: list[dict[str, Any]] = []
        rejected = 0
        for raw in raws:
            identity = _identity(raw)
            if identity is not None and identity in self.keys_by_identity:
                # The same carrier id again (EasyPost resends a tracker's whole history): the
                # dedupe key is known without reading the scan again, and it is a duplicate.
                rows.append({"dedupe_key": self.keys_by_identity[identity], "repeat": True})
                continue
            try:
                event = _EVENT.validate_python(raw)
            except ValidationError:
                rejected += 1
                continue
            if tracking_rules.implausible_time(event.occurred_at, received_at):
                rejected += 1
                continue
            row = tracking_rules.event_row(self.merchant_id, event, raw, received_at)
            rows.append(row)
            if identity is not None:
                self.keys_by_identity[identity] = row["dedupe_key"]
        return rows, rejected

    def _webhook_events(self, record: Record) -> list[dict[str, Any]]:
        connector = registry.connector(record["carrier"])
        reading = intake.read_safely(connector, json.dumps(record["body"]).encode())
        return [e for t in reading.trackings for e in intake.unified_events(t, connector.slug)]


def _chunks(items: Iterable[Prepared], orders_per_chunk: int) -> Iterator[list[Prepared]]:
    chunk: list[Prepared] = []
    orders = 0
    for item in items:
        chunk.append(item)
        if item.kind == "order":
            orders += 1
            if orders >= orders_per_chunk:
                yield chunk
                chunk, orders = [], 0
    if chunk:
        yield chunk


# --- the chunk's picture of the rows it touches ------------------------------------------


@dataclass
class _Parcel:
    id: str
    shipment_id: str
    tracking_number: str
    carrier: str
    created_at: datetime
    stored: TrackingState | None  # as in the database before the chunk; None: new parcel
    state: TrackingState | None  # running state; None: derive from every event at the end
    has_stored_events: bool
    row: dict[str, Any] | None = None  # a new parcel's columns
    touched_at: datetime | None = None


@dataclass
class _Shipment:
    id: str
    order_id: str
    quantities: dict[str, int]
    stored: ParcelFacts | None  # None: new shipment
    row: dict[str, Any] | None = None
    check_at: datetime | None = None  # next_check_at set in this chunk
    touched_at: datetime | None = None
    parcels_by_seq: dict[int, str] = field(default_factory=dict)

    @property
    def parcel_ids(self) -> list[str]:
        return [self.parcels_by_seq[seq] for seq in sorted(self.parcels_by_seq)]


@dataclass
class _Order:
    id: str
    customer_id: str | None
    lines: list[SimpleNamespace]  # id, sku, quantity: what _allocate reads of an OrderLine
    confirmed_at: datetime | None
    cancelled: bool
    shipment_ids: list[str]
    stored: tuple[str, bool, datetime | None] | None  # status, attention, confirmed_at; None: new
    row: dict[str, Any] | None = None
    touched_at: datetime | None = None


class _Claim(NamedTuple):
    parcel_id: str
    tracking_number: str
    carrier: str
    since: datetime
    older: frozenset[str]


class _Chunk:
    """One transaction: read what the chunk needs, play its records, write the outcome."""

    def __init__(
        self,
        conn: Connection,
        merchant_id: str,
        window: timedelta,
        polled: set[str],
        report: BulkReport,
    ) -> None:
        self.conn = conn
        self.merchant_id = merchant_id
        self.window = window
        self.polled = polled
        self.report = report
        self.parcels: dict[str, _Parcel] = {}
        self.by_number: dict[tuple[str, str], list[_Parcel]] = defaultdict(list)
        self.shipments: dict[str, _Shipment] = {}
        self.orders: dict[str, _Order] = {}
        self.order_by_number: dict[str, str] = {}
        self.taken_numbers: set[str] = set()
        self.customers: dict[str, dict[str, Any]] = {}
        self.changed_customers: set[str] = set()
        self.new_customers: set[str] = set()
        self.product_names: dict[str, str] = {}
        self.events: list[dict[str, Any]] = []  # new rows, in arrival order
        self.events_by_number: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.stored_keys: set[str] = set()
        self.seen_keys: set[str] = set()
        self.numbers_with_stored_events: set[tuple[str, str]] = set()
        self.new_lines: list[dict[str, Any]] = []
        self.new_shipment_lines: list[dict[str, Any]] = []
        self.new_items: list[dict[str, Any]] = []
        self.last_at = datetime.now(UTC)  # the chunk's clock: its latest record so far
        self.claims: list[_Claim] = []  # claims of stored events, written after the new parcels

    # -- reading -------------------------------------------------------------------------

    def _in(self, statement_for: Callable[[list[Any]], Any], values: Iterable[Any]) -> Iterator[Any]:
        """The rows of ``statement_for(part)`` for every part of ``values`` (one part on PostgreSQL)."""
        wanted = sorted(set(values))
        size = len(wanted) if self.conn.dialect.name == "postgresql" else _IN_SLICE
        for start in range(0, len(wanted), max(size, 1)):
            yield from self.conn.execute(statement_for(wanted[start : start + size]))

    def _member(self, column: Any, values: list[Any]) -> ColumnElement[bool]:
        """``column IN values``; on PostgreSQL ``= ANY(array)``, one parameter however many values
        (a list of thousands of parameters costs more to send and plan than to run)."""
        if self.conn.dialect.name == "postgresql":
            return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))  # type: ignore[no-any-return]
        return column.in_(values)  # type: ignore[no-any-return]

    def _prefetch(self, chunk: list[Prepared]) -> None:
        m = self.merchant_id
        numbers: set[str] = set()
        shipped_numbers: set[str] = set()
        order_numbers: set[str] = set()
        referenced: set[str] = set()
        emails: set[str] = set()
        skus: set[str] = set()
        keys: set[str] = set()
        for item in chunk:
            body = item.body
            if item.kind == "order":
                order_numbers.add(body.number)
                emails.add(body.customer.email.lower())
                skus.update(line.sku for line in body.lines)
            elif item.kind == "shipment":
                referenced.add(item.order_number or "")
                for parcel in body.parcels or [ParcelIn(tracking_number=body.tracking_number)]:
                    if parcel.tracking_number:
                        shipped_numbers.add(parcel.tracking_number)
            else:
                for row in body:
                    if "repeat" not in row:
                        numbers.add(row["tracking_number"])
                        keys.add(row["dedupe_key"])
        numbers |= shipped_numbers
        self.taken_numbers = {
            number
            for (number,) in self._in(
                lambda part: select(Order.number).where(
                    Order.merchant_id == m, self._member(Order.number, part)
                ),
                order_numbers,
            )
        }
        self.stored_keys = {
            key
            for (key,) in self._in(
                lambda part: select(TrackingEvent.dedupe_key).where(
                    TrackingEvent.merchant_id == m, self._member(TrackingEvent.dedupe_key, part)
                ),
                keys,
            )
        }
        self.numbers_with_stored_events = {
            (number, carrier)
            for number, carrier in self._in(
                lambda part: (
                    select(TrackingEvent.tracking_number, TrackingEvent.carrier)
                    .where(TrackingEvent.merchant_id == m, self._member(TrackingEvent.tracking_number, part))
                    .distinct()
                ),
                shipped_numbers,
            )
        }
        for row in self._in(
            lambda part: select(Customer).where(
                Customer.merchant_id == m, self._member(Customer.email, part)
            ),
            emails,
        ):
            self.customers[row.email] = {c.name: getattr(row, c.name) for c in Customer.__table__.columns}
        self.product_names = dict(
            self._in(
                lambda part: select(Product.sku, Product.name).where(
                    Product.merchant_id == m, self._member(Product.sku, part)
                ),
                skus,
            )
        )
        shipment_ids = {
            row.shipment_id
            for row in self._in(
                lambda part: select(Parcel.shipment_id).where(
                    Parcel.merchant_id == m, self._member(Parcel.tracking_number, part)
                ),
                numbers,
            )
        }
        order_ids = {
            row.id
            for row in self._in(
                lambda part: select(Order.id).where(Order.merchant_id == m, self._member(Order.number, part)),
                referenced,
            )
        }
        order_ids |= {
            row.order_id
            for row in self._in(
                lambda part: select(Shipment.order_id).where(
                    Shipment.merchant_id == m, self._member(Shipment.id, part)
                ),
                shipment_ids,
            )
        }
        self._load_orders(order_ids)

    def _load_orders(self, order_ids: set[str]) -> None:
        """The orders, every shipment of theirs and every parcel of those, as stored."""
        m = self.merchant_id
        lines_of: dict[str, list[tuple[int, SimpleNamespace]]] = defaultdict(list)
        for row in self._in(
            lambda part: select(Order).where(Order.merchant_id == m, self._member(Order.id, part)), order_ids
        ):
            self.orders[row.id] = _Order(
                row.id,
                row.customer_id,
                [],
                row.confirmed_at,
                row.cancelled_at is not None,
                [],
                (row.status, row.attention, row.confirmed_at),
            )
            self.order_by_number[row.number] = row.id
        for row in self._in(
            lambda part: select(OrderLine).where(
                OrderLine.merchant_id == m, self._member(OrderLine.order_id, part)
            ),
            order_ids,
        ):
            lines_of[row.order_id].append(
                (row.line_no, SimpleNamespace(id=row.id, sku=row.sku, quantity=row.quantity))
            )
        for order_id, lines in lines_of.items():
            self.orders[order_id].lines = [line for _, line in sorted(lines, key=lambda pair: pair[0])]
        for row in self._in(
            lambda part: select(Shipment).where(
                Shipment.merchant_id == m, self._member(Shipment.order_id, part)
            ),
            order_ids,
        ):
            self.shipments[row.id] = _Shipment(
                row.id, row.order_id, {}, ParcelFacts(row.status, row.reason, row.delivered_at)
            )
        for shipment in sorted(self.shipments.values(), key=lambda s: s.id):
            self.orders[shipment.order_id].shipment_ids.append(shipment.id)
        for row in self._in(
            lambda part: select(
                ShipmentLine.shipment_id, ShipmentLine.order_line_id, ShipmentLine.quantity
            ).where(ShipmentLine.merchant_id == m, self._member(ShipmentLine.shipment_id, part)),
            self.shipments,
        ):
            quantities = self.shipments[row.shipment_id].quantities
            quantities[row.order_line_id] = quantities.get(row.order_line_id, 0) + row.quantity
        for row in self._in(
            lambda part: select(Parcel).where(
                Parcel.merchant_id == m, self._member(Parcel.shipment_id, part)
            ),
            self.shipments,
        ):
            ref = tracking_parcels.parcel_ref(row)
            parcel = _Parcel(
                row.id,
                row.shipment_id,
                row.tracking_number,
                row.carrier,
                row.created_at,
                ref.state,
                ref.state,
                row.event_count > 0,
            )
            self._add_parcel(parcel, row.seq)

    def _add_parcel(self, parcel: _Parcel, seq: int) -> None:
        self.parcels[parcel.id] = parcel
        self.shipments[parcel.shipment_id].parcels_by_seq[seq] = parcel.id
        same = self.by_number[(parcel.tracking_number, parcel.carrier)]
        same.append(parcel)
        same.sort(key=lambda p: (p.created_at, p.id), reverse=True)  # newest first, as ingest reads them

    # -- playing -------------------------------------------------------------------------

    def play(self, chunk: list[Prepared]) -> None:
        self._prefetch(chunk)
        for item in chunk:
            self.last_at = item.at
            if item.kind == "order":
                self._place_order(item.body, item.at)
            elif item.kind == "shipment":
                try:
                    self._create_shipment(item.order_number or "", item.body, item.at)
                except OrdertrackError as error:
                    self.report.refused[error.code] += 1
            else:
                self._ingest(item.body, item.at)
        self._write()

    def _place_order(self, data: OrderIn, now: datetime) -> None:
        if data.number in self.taken_numbers or data.number in self.order_by_number:
            self.report.refused["duplicate_order_number"] += 1
            return
        customer_id = self._upsert_customer(data, now)
        address = data.shipping_address
        order_id = new_id("ord")
        lines = []
        for index, line in enumerate(data.lines, start=1):
            row = {
                "id": new_id("oln"),
                "merchant_id": self.merchant_id,
                "order_id": order_id,
                "line_no": index,
                "sku": line.sku,
                "name": line.name or self.product_names.get(line.sku),
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            self.new_lines.append(row)
            lines.append(SimpleNamespace(id=row["id"], sku=line.sku, quantity=line.quantity))
        order = _Order(order_id, customer_id, lines, None, False, [], None, touched_at=now)
        order.row = {
            "id": order_id,
            "merchant_id": self.merchant_id,
            "number": data.number,
            "customer_id": customer_id,
            "currency": data.currency,
            "placed_at": data.placed_at.astimezone(UTC),
            "source": data.source,
            "ship_name": address.name or data.customer.name,
            "ship_line1": address.line1,
            "ship_line2": address.line2,
            "ship_city": address.city,
            "ship_region": address.region,
            "ship_postal_code": address.postal_code,
            "ship_country": address.country,
            "confirmed_at": None,
            "cancelled_at": None,
            "created_at": now,
            "updated_at": now,
        }
        self.orders[order_id] = order
        self.order_by_number[data.number] = order_id
        self.report.orders += 1

    def _upsert_customer(self, data: OrderIn, now: datetime) -> str:
        """As ``customers.service.upsert_customer``: by email, newer details win."""
        email = data.customer.email.lower()
        customer = self.customers.get(email)
        if customer is None:
            customer = {
                "id": new_id("cus"),
                "merchant_id": self.merchant_id,
                "email": email,
                "created_at": now,
            }
            customer.update(name=None, phone=None, locale=None, timezone=None)
            self.customers[email] = customer
            self.new_customers.add(email)
        for name in ("name", "phone", "locale"):
            value = getattr(data.customer, name)
            if value is not None and customer[name] != value:
                customer[name] = value
                self.changed_customers.add(email)
        return str(customer["id"])

    def _create_shipment(self, order_number: str, data: ShipmentIn, now: datetime) -> None:
        """As ``shipments.service.create_shipment``, for a tracking-only merchant."""
        order_id = self.order_by_number.get(order_number)
        if order_id is None:
            self.report.refused["order_not_found"] += 1
            return
        order = self.orders[order_id]
        check_action("ship", self._order_status(order))
        already: dict[str, int] = defaultdict(int)
        for shipment_id in order.shipment_ids:
            for line_id, qty in self.shipments[shipment_id].quantities.items():
                already[line_id] += qty
        remaining = {line.id: line.quantity - already.get(line.id, 0) for line in order.lines}
        wanted = data.lines
        packed_quantities = data.packed_quantities()
        if wanted is None and packed_quantities is not None:
            wanted = [ShipmentLineIn(sku=sku, quantity=qty) for sku, qty in packed_quantities.items()]
        allocation = shipment_rules.allocate(order.lines, remaining, wanted)
        packed = (
            data.parcels if data.parcels is not None else [ParcelIn(tracking_number=data.tracking_number)]
        )
        if any(box.tracking_number is None for box in packed):
            self.report.refused["no_tracking_number"] += 1
            return
        numbers = [validate_tracking_number(data.carrier, box.tracking_number or "") for box in packed]
        for number in numbers:
            for parcel in self.by_number.get((number, data.carrier), ()):
                if (
                    parcel.created_at >= now - self.window
                    and self._parcel_status(parcel) not in FINISHED_SHIPMENT_STATUSES
                ):
                    raise shipment_rules.TrackingNumberInUse(f"tracking number {number} is in use")
        shipment = _Shipment(new_id("shp"), order.id, {}, None, check_at=now, touched_at=now)
        shipment.row = {
            "id": shipment.id,
            "merchant_id": self.merchant_id,
            "order_id": order.id,
            "warehouse": data.warehouse,
            "carrier": data.carrier,
            "service": data.service,
            "handed_over_at": None,
            "created_at": now,
        }
        for line_id, sku, qty in allocation:
            self.new_shipment_lines.append(
                {
                    "id": new_id("sln"),
                    "merchant_id": self.merchant_id,
                    "shipment_id": shipment.id,
                    "order_line_id": line_id,
                    "sku": sku,
                    "quantity": qty,
                }
            )
            shipment.quantities[line_id] = shipment.quantities.get(line_id, 0) + qty
        self.shipments[shipment.id] = shipment
        order.shipment_ids.append(shipment.id)
        if order.confirmed_at is None:
            order.confirmed_at = now
        order.touched_at = now
        self.report.shipments += 1
        contents = shipment_rules.pack(allocation, packed)
        new_parcels = []
        for seq, (number, box, items) in enumerate(zip(numbers, packed, contents, strict=True), start=1):
            parcel = _Parcel(
                new_id("pcl"), shipment.id, number, data.carrier, now, None, TrackingState(), False
            )
            parcel.row = {
                "id": parcel.id,
                "merchant_id": self.merchant_id,
                "shipment_id": shipment.id,
                "seq": seq,
                "tracking_number": number,
                "carrier": data.carrier,
                "weight_grams": box.weight_grams,
                "length_mm": box.length_mm,
                "width_mm": box.width_mm,
                "height_mm": box.height_mm,
                "next_poll_at": now if data.carrier in self.polled else None,
                "last_polled_at": None,
                "created_at": now,
            }
            for line_id, sku, qty in items:
                self.new_items.append(
                    {
                        "id": new_id("pci"),
                        "merchant_id": self.merchant_id,
                        "parcel_id": parcel.id,
                        "order_line_id": line_id,
                        "sku": sku,
                        "quantity": qty,
                    }
                )
            self._add_parcel(parcel, seq)
            new_parcels.append(parcel)
        self._claim(new_parcels, now)

    def _claim(self, new_parcels: list[_Parcel], now: datetime) -> None:
        """As ``tracking.service.claim_events_for_new_parcels``."""
        new_ids = {p.id for p in new_parcels}
        touched = set(new_ids)
        for parcel in new_parcels:
            key = (parcel.tracking_number, parcel.carrier)
            older = {p.id for p in self.by_number[key] if p.id not in new_ids}
            since = parcel.created_at - self.window
            moved = False
            for row in self.events_by_number.get(key, ()):
                if row["occurred_at"] >= since and (row["parcel_id"] is None or row["parcel_id"] in older):
                    row["parcel_id"] = parcel.id
                    moved = True
            if key in self.numbers_with_stored_events:
                owner: ColumnElement[bool] = TrackingEvent.parcel_id.is_(None)
                if older:
                    owner = owner | TrackingEvent.parcel_id.in_(sorted(older))
                # Earlier claims of this chunk only moved stored events between parcels in
                # ``owner``, so the stored owners still tell what this claim takes.
                stored = self.conn.execute(
                    select(TrackingEvent.id)
                    .where(
                        TrackingEvent.merchant_id == self.merchant_id,
                        TrackingEvent.tracking_number == parcel.tracking_number,
                        TrackingEvent.carrier == parcel.carrier,
                        TrackingEvent.occurred_at >= since,
                        owner,
                    )
                    .limit(1)
                ).first()
                if stored is not None:
                    moved = True
                    parcel.has_stored_events = True
                    self.claims.append(
                        _Claim(parcel.id, parcel.tracking_number, parcel.carrier, since, frozenset(older))
                    )
            if moved:
                touched |= older
        for parcel_id in touched:
            parcel = self.parcels[parcel_id]
            parcel.state = None  # derived again from every event, as the service does
            parcel.touched_at = now
            shipment = self.shipments[parcel.shipment_id]
            shipment.check_at = shipment.touched_at = now
            self.orders[shipment.order_id].touched_at = now

    def _ingest(self, rows: list[dict[str, Any]], now: datetime) -> None:
        """As ``tracking.service.ingest_events`` for one batch."""
        new_by_parcel: dict[str, list[EventFact]] = defaultdict(list)
        for row in rows:
            key = row["dedupe_key"]
            if "repeat" in row or key in self.stored_keys or key in self.seen_keys:
                self.report.duplicates += 1
                continue
            self.seen_keys.add(key)
            number = (row["tracking_number"], row["carrier"])
            candidates: Any = self.by_number.get(number, ())  # newest first, as ingest reads them
            hit = tracking_rules.match_parcel(
                candidates,
                row["occurred_at"],
                self.window,
            )
            row["parcel_id"] = hit.id if hit else None
            self.events.append(row)
            self.events_by_number[number].append(row)
            self.report.events_stored += 1
            if hit is not None:
                new_by_parcel[hit.id].append(_fact(row))
        for parcel_id, facts in new_by_parcel.items():
            parcel = self.parcels[parcel_id]
            if parcel.state is not None:
                parcel.state = extend_tracking_state(parcel.state, facts)
            parcel.touched_at = now
            shipment = self.shipments[parcel.shipment_id]
            shipment.check_at = shipment.touched_at = now
            self.orders[shipment.order_id].touched_at = now

    # -- derived state, on demand and at the end -----------------------------------------

    def _state(self, parcel: _Parcel, stored: dict[str, list[EventFact]] | None = None) -> TrackingState:
        """The parcel's state now: its running state, else derived from every event it owns."""
        if parcel.state is not None:
            return parcel.state
        number = (parcel.tracking_number, parcel.carrier)
        facts = [_fact(row) for row in self.events_by_number.get(number, ()) if row["parcel_id"] == parcel.id]
        if parcel.has_stored_events:
            if stored is None:
                stored = self._stored_facts([parcel])
            facts += stored.get(parcel.id, [])
        return derive_tracking_state(facts)

    def _stored_facts(self, parcels: Sequence[_Parcel]) -> dict[str, list[EventFact]]:
        """The stored events of these parcels' numbers, by owner once this chunk's claims apply.

        Claims of stored events are written last (their new parcels must exist first), so the
        owners are worked out here the way the claims' UPDATEs will set them, in order.
        """
        numbers = {(p.tracking_number, p.carrier) for p in parcels}
        claims: dict[tuple[str, str], list[_Claim]] = defaultdict(list)
        for claim in self.claims:
            claims[(claim.tracking_number, claim.carrier)].append(claim)
        facts: dict[str, list[EventFact]] = defaultdict(list)
        for parcel_id, number, carrier, occurred_at, status, reason, key in self._in(
            lambda part: select(
                TrackingEvent.parcel_id,
                TrackingEvent.tracking_number,
                TrackingEvent.carrier,
                TrackingEvent.occurred_at,
                TrackingEvent.status,
                TrackingEvent.reason,
                TrackingEvent.dedupe_key,
            ).where(
                TrackingEvent.merchant_id == self.merchant_id,
                self._member(TrackingEvent.tracking_number, part),
            ),
            {number for number, _carrier in numbers},
        ):
            if (number, carrier) not in numbers:
                continue
            owner = parcel_id
            for claim in claims.get((number, carrier), ()):
                if occurred_at >= claim.since and (owner is None or owner in claim.older):
                    owner = claim.parcel_id
            if owner is not None:
                facts[owner].append(EventFact(occurred_at, status, reason, key))
        return facts

    def _parcel_status(self, parcel: _Parcel) -> str:
        return str(self._state(parcel).status)

    def _shipment_facts(self, shipment: _Shipment) -> ParcelFacts:
        states = [self._state(self.parcels[pid]) for pid in shipment.parcel_ids]
        return derive_shipment_status([ParcelFacts(s.status, s.reason, s.delivered_at) for s in states])

    def _order_status(self, order: _Order) -> str:
        return str(self._derive_order(order, {}).status)

    def _derive_order(self, order: _Order, shipment_states: dict[str, ParcelFacts]) -> Any:
        facts = [
            ShipmentFacts(
                status=str((shipment_states.get(sid) or self._shipment_facts(self.shipments[sid])).status),
                quantities=self.shipments[sid].quantities,
            )
            for sid in order.shipment_ids
        ]
        return derive_order_status(
            OrderFacts(
                ordered={line.id: line.quantity for line in order.lines},
                confirmed=order.confirmed_at is not None,
                cancelled=order.cancelled,
                shipments=facts,
            )
        )

    # -- writing -------------------------------------------------------------------------

    def _write(self) -> None:
        dirty = [p for p in self.parcels.values() if p.state is None and p.has_stored_events]
        stored_facts = self._stored_facts(dirty) if dirty else {}
        parcel_states = {pid: self._state(p, stored_facts) for pid, p in self.parcels.items()}
        shipment_states: dict[str, ParcelFacts] = {}
        for shipment in self.shipments.values():
            states = [parcel_states[pid] for pid in shipment.parcel_ids]
            shipment_states[shipment.id] = derive_shipment_status(
                [ParcelFacts(s.status, s.reason, s.delivered_at) for s in states]
            )

        new_customers = [self.customers[e] for e in sorted(self.new_customers)]
        changed_customers = [self.customers[e] for e in sorted(self.changed_customers - self.new_customers)]
        self._insert(Customer.__table__, new_customers)
        self._update(Customer.__table__, changed_customers, ("name", "phone", "locale"))

        new_orders, changed_orders = [], []
        for order in self.orders.values():
            derived = self._derive_order(order, shipment_states)
            if order.row is not None:
                row = dict(order.row, confirmed_at=order.confirmed_at, status=str(derived.status))
                row.update(
                    attention=derived.attention, edd_earliest=None, edd_latest=None, edd_most_likely=None
                )
                if (derived.status, derived.attention) != (OrderStatus.pending, False):
                    row["updated_at"] = order.touched_at
                new_orders.append(row)
            elif order.stored != (derived.status, derived.attention, order.confirmed_at):
                changed_orders.append(
                    {
                        "id": order.id,
                        "status": str(derived.status),
                        "attention": derived.attention,
                        "confirmed_at": order.confirmed_at,
                        "updated_at": order.touched_at or self.last_at,
                    }
                )
        self._insert(Order.__table__, new_orders)
        self._insert(OrderLine.__table__, self.new_lines)
        self._update(Order.__table__, changed_orders, ("status", "attention", "confirmed_at", "updated_at"))

        new_shipments, changed_shipments = [], []
        for shipment in self.shipments.values():
            derived = shipment_states[shipment.id]
            shipment_columns: dict[str, Any] = {
                "status": str(derived.status),
                "reason": derived.reason,
                "delivered_at": derived.delivered_at,
            }
            if shipment.row is not None:
                new_shipments.append(
                    dict(
                        shipment.row,
                        **shipment_columns,
                        updated_at=shipment.touched_at,
                        edd_earliest=None,
                        edd_latest=None,
                        edd_most_likely=None,
                        promised_latest=None,
                        next_check_at=shipment.check_at,
                    )
                )
            elif shipment.check_at is not None or shipment.stored != derived:
                row = {
                    "id": shipment.id,
                    **shipment_columns,
                    "updated_at": shipment.touched_at or self.last_at,
                    "next_check_at": shipment.check_at,
                }
                changed_shipments.append(row)
        self._insert(Shipment.__table__, new_shipments)
        self._insert(ShipmentLine.__table__, self.new_shipment_lines)
        # A shipment whose derived state moved without a check being scheduled keeps its check time.
        keep = [r for r in changed_shipments if r["next_check_at"] is None]
        self._update(
            Shipment.__table__,
            [r for r in changed_shipments if r["next_check_at"] is not None],
            ("status", "reason", "delivered_at", "updated_at", "next_check_at"),
        )
        self._update(Shipment.__table__, keep, ("status", "reason", "delivered_at", "updated_at"))

        new_parcels, changed_parcels = [], []
        for parcel_id, parcel in self.parcels.items():
            columns = tracking_parcels.state_columns(parcel_states[parcel_id])
            columns["updated_at"] = parcel.touched_at or parcel.created_at
            if parcel.row is not None:
                new_parcels.append({**parcel.row, **columns})
            elif parcel.touched_at is not None:
                changed_parcels.append({"id": parcel_id, **columns})
        self._insert(Parcel.__table__, new_parcels)
        self._insert(ParcelItem.__table__, self.new_items)
        self._update(
            Parcel.__table__,
            changed_parcels,
            tuple(k for k in changed_parcels[0] if k != "id") if changed_parcels else (),
        )
        for claim in self.claims:
            owner: ColumnElement[bool] = TrackingEvent.parcel_id.is_(None)
            if claim.older:
                owner = owner | TrackingEvent.parcel_id.in_(sorted(claim.older))
            self.conn.execute(
                update(TrackingEvent)
                .where(
                    TrackingEvent.merchant_id == self.merchant_id,
                    TrackingEvent.tracking_number == claim.tracking_number,
                    TrackingEvent.carrier == claim.carrier,
                    TrackingEvent.occurred_at >= claim.since,
                    owner,
                )
                .values(parcel_id=claim.parcel_id)
            )
        self._insert(TrackingEvent.__table__, self.events, skip=("id",))

    def _insert(self, table: Table | Any, rows: list[dict[str, Any]], skip: tuple[str, ...] = ()) -> None:
        if not rows:
            return
        columns = [c.name for c in table.columns if c.name not in skip]
        if self.conn.dialect.name != "postgresql":
            self.conn.execute(table.insert(), [{c: row.get(c) for c in columns} for row in rows])
            return
        self._copy(table.name, columns, rows)

    def _update(self, table: Table | Any, rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
        if not rows:
            return
        if self.conn.dialect.name == "postgresql":
            self._update_from_copy(table, rows, columns)
            return
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.merchant_id == self.merchant_id)
            .values({c: bindparam(f"b_{c}") for c in columns})
        )
        self.conn.execute(statement, [{f"b_{k}": row[k] for k in ("id", *columns)} for row in rows])

    def _update_from_copy(
        self, table: Table | Any, rows: list[dict[str, Any]], columns: Sequence[str]
    ) -> None:
        """One UPDATE ... FROM a temporary table filled by COPY. A chunk changes tens of thousands
        of rows; a statement each took about a sixth of the loader's time."""
        changes = f"bulk_changes_{table.name}"
        names = ("id", *columns)
        self.conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {changes} ON COMMIT DROP AS"
            f" SELECT {', '.join(names)} FROM {table.name} WITH NO DATA"
        )
        self._copy(changes, names, rows)
        assignments = ", ".join(f"{c} = changes.{c}" for c in columns)
        self.conn.execute(
            text(
                f"UPDATE {table.name} AS target SET {assignments} FROM {changes} AS changes"
                " WHERE target.id = changes.id AND target.merchant_id = :merchant"
            ),
            {"merchant": self.merchant_id},
        )
        self.conn.exec_driver_sql(f"DROP TABLE {changes}")

    def _copy(self, table_name: str, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
        raw = self.conn.connection.driver_connection
        assert raw is not None
        with raw.cursor().copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row([_copy_value(row.get(c)) for c in columns])


def _identity(raw: Any) -> tuple[str, str, str] | None:
    """(tracking number, carrier, carrier's event id) as sent; the dedupe key follows from it."""
    if not isinstance(raw, dict):
        return None
    parts = (raw.get("tracking_number"), raw.get("carrier"), raw.get("event_id"))
    if not all(isinstance(part, str) and part for part in parts):
        return None
    return parts  # type: ignore[return-value]


def _fact(row: dict[str, Any]) -> EventFact:
    return EventFact(row["occurred_at"], row["status"], row["reason"], row["dedupe_key"])


def _copy_value(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, dict | list) else value


__all__ = ["BulkReport", "InventoryMerchant", "Prepared", "load", "prepare"]
