"""Reading the stream's records as the API would, with no database: schemas, scan validity and
the rows that would store each scan (``tracking.rules``). This part may run in other
processes, beside the generator (``simulate/pipeline.py``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError

from ordertrack.carriers import intake, registry
from ordertrack.orders.schemas import OrderIn
from ordertrack.shipments.schemas import ShipmentIn
from ordertrack.simulate.records import Record
from ordertrack.tracking import rules as tracking_rules
from ordertrack.tracking.schemas import UnifiedEventIn

_EVENT = TypeAdapter(UnifiedEventIn)


class Prepared(NamedTuple):
    """A record read and checked, ready to be played against the database."""

    kind: str
    at: datetime  # UTC: the stream's clock, "now" for this record
    order_number: str | None  # shipment records: the order shipped
    body: Any  # OrderIn | ShipmentIn | event rows; None when the record cannot be read
    rejected_events: int = 0
    webhook: bool = False


def prepare(merchant_id: str, records: Iterable[Record]) -> Iterator[Prepared]:
    """Read and check ``records`` as the API would (schemas, scan validity, dedupe keys)."""
    reader = RecordReader(merchant_id)
    for record in records:
        yield reader.read(record)


class RecordReader:
    """Reads records one by one, remembering the carrier event ids it has seen."""

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
        raws = record["events"] if kind == "events" else _webhook_events(record)
        rows, rejected = self._rows(raws, at)
        return Prepared(kind, at, None, rows, rejected, kind == "webhook")

    def _rows(self, raws: Sequence[Any], received_at: datetime) -> tuple[list[dict[str, Any]], int]:
        """The event rows of a batch as ingest would store them, and how many it would reject."""
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


def _webhook_events(record: Record) -> list[dict[str, Any]]:
    """The unified events a carrier's push holds, read by its connector as intake reads it."""
    connector = registry.connector(record["carrier"])
    reading = intake.read_safely(connector, json.dumps(record["body"]).encode())
    return [e for t in reading.trackings for e in intake.unified_events(t, connector.slug)]


def _identity(raw: Any) -> tuple[str, str, str] | None:
    """(tracking number, carrier, carrier's event id) as sent; the dedupe key follows from it."""
    if not isinstance(raw, dict):
        return None
    parts = (raw.get("tracking_number"), raw.get("carrier"), raw.get("event_id"))
    if not all(isinstance(part, str) and part for part in parts):
        return None
    return parts  # type: ignore[return-value]


def chunks(items: Iterable[Prepared], orders_per_chunk: int) -> Iterator[list[Prepared]]:
    """The stream cut after every ``orders_per_chunk`` orders (other records ride along)."""
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
