"""Receiving at the dock: counting the lines of an inbound shipment (ASN), or of a purchase
order whose goods came without one, in one transaction.

Each count of a line is a :class:`~ordertrack.suppliers.model.Receipt`: its good units go into
stock through the ledger (one ``receipt`` movement, whose id the receipt keeps), its damaged
units are recorded and not stocked. The PO line's and the ASN line's received and damaged
quantities are the sums of their receipts, and are only ever added to here. What a line's
counts mean — received, short, over, damaged — is derived by :mod:`ordertrack.suppliers.counting`
from the sums, never typed; over-receipts are accepted as counted and flagged.

A count has a natural key (:func:`~ordertrack.suppliers.counting.count_key`: the line and the
client's count id or Idempotency-Key), unique per merchant: a double scan or a retried request
finds the receipt it made and changes nothing. A thousand lines are read and written in a
handful of statements (locked reads of the lines, one query for known keys, one for the stock
levels, bulk inserts), never a few statements per line.

The inbound shipment's own status also depends on its parcels (tracking), so it is derived by
the purchasing use case that calls this one (:mod:`ordertrack.purchasing.receiving`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import defer
from sqlalchemy.orm.attributes import set_committed_value

from ordertrack.db.uow import UnitOfWork
from ordertrack.events import BackorderFilled, GoodsReceived, InboundExpectationChanged
from ordertrack.inventory import repository as inventory_repository
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.errors import Conflict, Unprocessable
from ordertrack.kit.ids import new_ids
from ordertrack.kit.number_keys import number_key
from ordertrack.suppliers import counting, history
from ordertrack.suppliers.counting import Count, Tally
from ordertrack.suppliers.inbound_shipments import InboundShipmentNotFound, find_inbound_shipment
from ordertrack.suppliers.model import (
    InboundShipment,
    InboundShipmentLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
)
from ordertrack.suppliers.purchase_orders import find_purchase_order, refresh_status
from ordertrack.suppliers.receipts import asn_tally, po_tally

# A photo of damage from a phone: a few megabytes at most once the phone has compressed it.
MAX_PHOTO_BYTES = 5_000_000
MAX_NOTE_LENGTH = 1000
# Magic bytes of the photo types the dock may send (the file's first bytes, not its name).
_PHOTO_SIGNATURES = {
    "image/jpeg": lambda data: data[:3] == b"\xff\xd8\xff",
    "image/png": lambda data: data[:8] == b"\x89PNG\r\n\x1a\n",
    "image/webp": lambda data: data[:4] == b"RIFF" and data[8:12] == b"WEBP",
}
PHOTO_TYPES = tuple(_PHOTO_SIGNATURES)


class UnknownReceivingLine(Unprocessable):
    code = "unknown_line"


class AmbiguousSku(Unprocessable):
    code = "ambiguous_sku"


class DuplicateCount(Unprocessable):
    code = "duplicate_count"


class PhotoTooLarge(Unprocessable):
    code = "photo_too_large"


class UnsupportedPhoto(Unprocessable):
    code = "unsupported_photo_type"


class NoteTooLong(Unprocessable):
    code = "note_too_long"


class ReceivingRefused(Conflict):
    """Goods cannot be counted in against a cancelled ASN or PO, or a PO never sent."""

    code = "receiving_refused"

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Photo:
    content: bytes
    content_type: str


@dataclass(frozen=True)
class LineCount:
    """One line as counted: which line (its id, or its SKU), good and damaged units, a note,
    a photo, and the client's id for this count (a double scan sends the same one)."""

    good: int
    damaged: int = 0
    line_id: str | None = None
    sku: str | None = None
    note: str | None = None
    photo: Photo | None = None
    count_id: str | None = None


@dataclass(frozen=True)
class CountedLine:
    """What one count did: its receipt (new, or the one a repeat found) and the line's sums."""

    receipt: Receipt
    duplicate: bool
    line_id: str  # the ASN line's id, or the PO line's when counted without an ASN
    line_no: int
    sku: str
    tally: Tally


@dataclass
class ReceivingResult:
    purchase_order: PurchaseOrder
    inbound_shipment: InboundShipment | None
    lines: list[CountedLine]
    # (on_hand, reserved) of each counted SKU at the PO's warehouse, after the counts.
    stock_after: dict[str, tuple[int, int]] = field(default_factory=dict)
    backorders_filled: list[BackorderFilled] = field(default_factory=list)

    @property
    def counted_anything(self) -> bool:
        return any(not line.duplicate for line in self.lines)


def photo_kind(content_type: str) -> str:
    """``image/jpeg`` of ``Image/JPEG; name=x``: the type alone, as it is stored and served."""
    return content_type.split(";")[0].strip().lower()


def check_photo(photo: Photo) -> None:
    if len(photo.content) > MAX_PHOTO_BYTES:
        raise PhotoTooLarge(f"the photo is {len(photo.content):,} bytes: at most {MAX_PHOTO_BYTES:,}")
    check = _PHOTO_SIGNATURES.get(photo_kind(photo.content_type))
    if check is None or not check(photo.content):
        raise UnsupportedPhoto("a photo must be a JPEG, PNG or WebP image")


def _inbound_shipment_key(uow: UnitOfWork, merchant_id: str, ref: str) -> tuple[str, str]:
    """The inbound shipment's id and its PO's, by id or number as typed, without loading its
    lines (they are loaded once, locked, after the PO)."""
    query = select(InboundShipment.id, InboundShipment.purchase_order_id).where(
        InboundShipment.merchant_id == merchant_id
    )
    found = uow.session.execute(query.where(InboundShipment.id == ref)).first()
    if found is None and (key := number_key(ref)):
        found = uow.session.execute(query.where(InboundShipment.number_key == key)).first()
    if found is None:
        raise InboundShipmentNotFound(f"no inbound shipment {ref!r}")
    return found[0], found[1]


def _check_open(po: PurchaseOrder, asn: InboundShipment | None) -> None:
    if asn is not None and asn.cancelled_at is not None:
        raise ReceivingRefused(
            f"inbound shipment {asn.number} was cancelled: nothing can be counted against it",
            "inbound_shipment_cancelled",
        )
    if po.cancelled_at is not None:
        raise ReceivingRefused(
            f"purchase order {po.number} was cancelled: nothing can be counted against it",
            "purchase_order_cancelled",
        )
    if po.sent_at is None:
        raise ReceivingRefused(
            f"purchase order {po.number} is a draft: send it to the supplier before receiving goods",
            "purchase_order_not_sent",
        )


def _check_line_count(index: int, count: LineCount) -> None:
    try:
        counting.check_count(Count(count.good, count.damaged))
    except Unprocessable as error:
        raise type(error)(f"lines.{index}: {error.message}") from None
    if count.note is not None and len(count.note) > MAX_NOTE_LENGTH:
        raise NoteTooLong(f"lines.{index}.note: at most {MAX_NOTE_LENGTH} characters")
    if count.photo is not None:
        try:
            check_photo(count.photo)
        except Unprocessable as error:
            raise type(error)(f"lines.{index}.photo: {error.message}") from None


def receive(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    purchase_order_ref: str | None = None,
    inbound_shipment_ref: str | None = None,
    counts: Sequence[LineCount],
    actor: str,
    request_key: str | None = None,
    now: datetime,
) -> ReceivingResult:
    """Count ``counts`` in against an inbound shipment (``inbound_shipment_ref``) or straight
    against a purchase order (``purchase_order_ref``), all or nothing.

    ``request_key`` (the request's Idempotency-Key) keys the counts that carry no count id of
    their own. Nothing is written when every count is a repeat."""
    if (purchase_order_ref is None) == (inbound_shipment_ref is None):
        raise ValueError("say either the purchase order or the inbound shipment")
    asn: InboundShipment | None = None
    if inbound_shipment_ref is not None:
        asn_id, po_id = _inbound_shipment_key(uow, merchant_id, inbound_shipment_ref)
        po = find_purchase_order(uow, merchant_id, po_id, lock=True)
        # Locked after its PO, as every path that touches both locks them.
        asn = find_inbound_shipment(uow, merchant_id, asn_id, lock=True)
    else:
        assert purchase_order_ref is not None
        po = find_purchase_order(uow, merchant_id, purchase_order_ref, lock=True)
    _check_open(po, asn)
    if not counts:
        raise counting.NothingCounted("no line was counted: send at least one line")
    for index, count in enumerate(counts):
        _check_line_count(index, count)

    targets = _resolve(counts, po, asn)
    keys: list[str] = []
    seen: set[str] = set()
    for index, (count, (po_line, asn_line)) in enumerate(zip(counts, targets, strict=True)):
        line_id = asn_line.id if asn_line is not None else po_line.id
        keys.append(counting.count_key(merchant_id, line_id, count.count_id or request_key))
        if keys[-1] in seen:
            raise DuplicateCount(
                f"lines.{index}: this line is already counted in this request; "
                "give each count of the same line its own count_id"
            )
        seen.add(keys[-1])

    # A key names its line, and a line is one order's: a key found is this order's count.
    existing = {
        receipt.count_key: receipt
        for receipt in uow.session.scalars(
            select(Receipt)
            .where(Receipt.merchant_id == merchant_id, Receipt.count_key.in_(keys))
            .options(defer(Receipt.photo))
        )
    }
    fresh = [i for i, key in enumerate(keys) if key not in existing]

    receipts: dict[int, Receipt] = {}
    backorders_before = len(uow.events)
    stocked = [i for i in fresh if counts[i].good > 0]
    movement_ids = inventory_service.receive_many(
        uow,
        merchant_id,
        po.warehouse_id,
        [(targets[i][0].sku, counts[i].good) for i in stocked],
        actor=actor,
        reason=f"received on {asn.number if asn else po.number}",
        now=now,
    )
    movement_of = dict(zip(stocked, movement_ids, strict=True))
    # Sorted, the batch's ids (one clock reading, random tails) follow the request's order, so
    # receipts list in the order they were counted.
    for i, receipt_id in zip(fresh, sorted(new_ids("rcp", len(fresh))), strict=True):
        count, (po_line, asn_line) = counts[i], targets[i]
        receipt = Receipt(
            id=receipt_id,
            merchant_id=merchant_id,
            purchase_order_id=po.id,
            purchase_order_line_id=po_line.id,
            inbound_shipment_id=asn.id if asn is not None else None,
            inbound_shipment_line_id=asn_line.id if asn_line is not None else None,
            warehouse_id=po.warehouse_id,
            sku=po_line.sku,
            good_quantity=count.good,
            damaged_quantity=count.damaged,
            note=count.note or None,
            photo=count.photo.content if count.photo else None,
            photo_type=photo_kind(count.photo.content_type) if count.photo else None,
            stock_movement_id=movement_of.get(i),
            count_key=keys[i],
            actor=actor,
            created_at=now,
        )
        receipts[i] = receipt
    _insert_receipts(uow, [receipts[i] for i in fresh])
    _add_to_sums(uow, [(targets[i][0], counts[i]) for i in fresh])
    _add_to_sums(uow, [(asn_line, counts[i]) for i in fresh if (asn_line := targets[i][1]) is not None])
    filled = [e for e in uow.events[backorders_before:] if isinstance(e, BackorderFilled)]

    counted = []
    for i in range(len(counts)):
        po_line, asn_line = targets[i]
        receipt = receipts.get(i) or existing[keys[i]]
        counted.append(
            CountedLine(
                receipt=receipt,
                duplicate=i not in receipts,
                line_id=asn_line.id if asn_line is not None else po_line.id,
                line_no=po_line.line_no,
                sku=po_line.sku,
                tally=asn_tally(asn_line) if asn_line is not None else po_tally(po_line),
            )
        )
    result = ReceivingResult(po, asn, counted, backorders_filled=filled)
    if fresh:
        uow.flush()
        refresh_status(uow, po, now)
        new = [counts[i] for i in fresh]
        skus = tuple(sorted({targets[i][0].sku for i in fresh}))
        uow.record(
            GoodsReceived(
                merchant_id=merchant_id,
                purchase_order_id=po.id,
                inbound_shipment_id=asn.id if asn is not None else None,
                warehouse_id=po.warehouse_id,
                skus=skus,
                good=sum(c.good for c in new),
                damaged=sum(c.damaged for c in new),
                actor=actor,
                at=now,
            ),
            InboundExpectationChanged(
                merchant_id=merchant_id,
                skus=skus,
                warehouse_id=po.warehouse_id,
                cause="stock_arrived",
                at=now,
            ),
        )
        history.record(
            uow,
            po,
            actor,
            "received",
            {
                "inbound_shipment": asn.number if asn is not None else None,
                "lines": [
                    {
                        "line_no": counted[i].line_no,
                        "sku": counted[i].sku,
                        "good": counts[i].good,
                        "damaged": counts[i].damaged,
                        "outcome": str(counted[i].tally.outcome),
                    }
                    for i in fresh
                ],
            },
            at=now,
        )
    levels = inventory_repository.locked_levels(
        uow, merchant_id, {line.sku for line in counted}, [po.warehouse_id]
    )
    result.stock_after = {level.sku: (level.on_hand, level.reserved) for level in levels}
    return result


_RECEIPT_COLUMNS = (
    "id",
    "merchant_id",
    "purchase_order_id",
    "purchase_order_line_id",
    "inbound_shipment_id",
    "inbound_shipment_line_id",
    "warehouse_id",
    "sku",
    "good_quantity",
    "damaged_quantity",
    "note",
    "photo",
    "photo_type",
    "stock_movement_id",
    "count_key",
    "actor",
    "created_at",
)


def _insert_receipts(uow: UnitOfWork, receipts: list[Receipt]) -> None:
    """Write the new receipts in one go (COPY on PostgreSQL), not through the session's
    multi-row INSERT, whose thousands of placeholders psycopg parses again each time. The
    objects stay out of the session: they are the answer's, and the rows are the record."""
    stamp = inventory_repository.stamp(uow)
    rows = [
        tuple(stamp(r.created_at) if name == "created_at" else getattr(r, name) for name in _RECEIPT_COLUMNS)
        for r in receipts
    ]
    inventory_repository.copy_rows(uow, Receipt.__tablename__, _RECEIPT_COLUMNS, rows)


def _add_to_sums(
    uow: UnitOfWork, counted: list[tuple[PurchaseOrderLine | InboundShipmentLine, LineCount]]
) -> None:
    """Add the counts to their lines' received and damaged sums: one statement for all the
    lines on PostgreSQL (the session would send one UPDATE per line), and the session told the
    values written, so what it holds is what the rows say."""
    if not counted:
        return
    lines: dict[str, PurchaseOrderLine | InboundShipmentLine] = {}
    added: dict[str, list[int]] = {}
    for line, count in counted:
        lines[line.id] = line
        sums = added.setdefault(line.id, [0, 0])
        sums[0] += count.good
        sums[1] += count.damaged
    table = type(counted[0][0]).__tablename__
    connection = uow.session.connection()
    if connection.dialect.name == "postgresql":
        ids = sorted(added)
        connection.exec_driver_sql(
            f"UPDATE {table} SET received_quantity = {table}.received_quantity + c.good,"
            f" damaged_quantity = {table}.damaged_quantity + c.damaged"
            " FROM unnest(%s::text[], %s::integer[], %s::integer[]) AS c(id, good, damaged)"
            f" WHERE {table}.id = c.id",
            (ids, [added[i][0] for i in ids], [added[i][1] for i in ids]),
        )
    else:
        connection.exec_driver_sql(
            f"UPDATE {table} SET received_quantity = received_quantity + ?,"
            " damaged_quantity = damaged_quantity + ? WHERE id = ?",
            [(good, damaged, line_id) for line_id, (good, damaged) in sorted(added.items())],
        )
    for line_id, (good, damaged) in added.items():
        line = lines[line_id]
        set_committed_value(line, "received_quantity", line.received_quantity + good)
        set_committed_value(line, "damaged_quantity", line.damaged_quantity + damaged)


def _resolve(
    counts: Sequence[LineCount], po: PurchaseOrder, asn: InboundShipment | None
) -> list[tuple[PurchaseOrderLine, InboundShipmentLine | None]]:
    """Each count's PO line and ASN line, by line id or SKU (422 when unknown or ambiguous)."""
    po_lines = {line.id: line for line in po.lines}
    if asn is not None:
        lines_by_id = {line.id: line for line in asn.lines}
        by_sku: dict[str, list[str]] = {}
        for line in asn.lines:
            by_sku.setdefault(line.sku, []).append(line.id)
    else:
        lines_by_id = {}
        by_sku = {}
        for line in po.lines:
            by_sku.setdefault(line.sku, []).append(line.id)
    what = f"inbound shipment {asn.number}" if asn is not None else f"purchase order {po.number}"
    resolved: list[tuple[PurchaseOrderLine, InboundShipmentLine | None]] = []
    for index, count in enumerate(counts):
        if count.line_id is not None:
            line_id = count.line_id
            known = lines_by_id if asn is not None else po_lines
            if line_id not in known:
                raise UnknownReceivingLine(f"lines.{index}.line_id: {what} has no line {line_id!r}")
        elif count.sku is not None:
            ids = by_sku.get(count.sku, [])
            if not ids:
                raise UnknownReceivingLine(f"lines.{index}.sku: {what} has no line of SKU {count.sku!r}")
            if len(ids) > 1:
                raise AmbiguousSku(
                    f"lines.{index}.sku: {what} has {len(ids)} lines of SKU {count.sku!r}; "
                    "say which by line_id"
                )
            line_id = ids[0]
        else:
            raise UnknownReceivingLine(f"lines.{index}: say which line, by line_id or sku")
        if asn is not None:
            asn_line = lines_by_id[line_id]
            resolved.append((po_lines[asn_line.purchase_order_line_id], asn_line))
        else:
            resolved.append((po_lines[line_id], None))
    return resolved
