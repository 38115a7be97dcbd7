"""The simulator's output: a time-ordered stream of records, one JSON object per JSONL line.

Every record has ``id`` (unique in a run, e.g. ``r0000042``), ``kind`` and ``at`` (the simulated
instant the sender sends it, ISO 8601 with offset). Kinds:

- ``order``: the shop places an order. ``order`` is an ``OrderIn`` body
  (``POST /api/v1/orders``).
- ``shipment``: the shop ships it. ``order_number`` names the order; ``shipment`` is a
  ``ShipmentIn`` body (``POST /api/v1/orders/{order_number}/shipments``) with one parcel.
- ``events``: a carrier delivers scans in ordertrack's unified vocabulary. ``events`` is a list of
  ``UnifiedEventIn`` bodies (``POST /api/v1/tracking/events``). Every true scan has an ``event_id``
  unique for its carrier and tracking number; a duplicate delivery repeats it.
- ``webhook``: a carrier or aggregator pushes in its own format. ``carrier`` is the connector slug
  and ``body`` the JSON payload (``POST /api/v1/carriers/{carrier}/webhook``); ``event_ids`` lists
  the ids of the scans it carries.

With purchase orders (``SimConfig.purchase_orders``, :mod:`ordertrack.simulate.inbound`), also:

- ``product``, ``warehouse``, ``supplier``: what the purchase orders need, before them
  (``POST /api/v1/products``, ``/warehouses``, ``/suppliers``; the body under the kind's name).
- ``purchase_order``: a draft (``POST /api/v1/purchase-orders``); ``body`` lacks
  ``supplier_id``, which the sender fills in from the ``supplier`` record named ``supplier``.
- ``purchase_order_action``: ``POST /api/v1/purchase-orders/{purchase_order}/{action}`` with
  ``body`` (``send``, ``confirm``, ``lines/{n}/short-close``).
- ``inbound_shipment``: an advance shipping notice
  (``POST /api/v1/purchase-orders/{purchase_order}/inbound-shipments``); its parcel's scans
  follow as ``events`` and ``webhook`` records, as an outbound parcel's do.
- ``receipt``: counts at the dock (``POST /api/v1/inbound-shipments/{inbound_shipment}/receipts``).

Each of these carries the supplier's promise (``promised_ship_date``, ``promised_arrival_date``)
beside the request, and an ``inbound_shipment`` record says whether the supplier shipped ``late``.

The stream is deterministic for a seed: the same arguments write byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

Record = dict[str, Any]
Kind = Literal[
    "order",
    "shipment",
    "events",
    "webhook",
    "product",
    "warehouse",
    "supplier",
    "purchase_order",
    "purchase_order_action",
    "inbound_shipment",
    "receipt",
]
KINDS: tuple[Kind, ...] = (
    "order",
    "shipment",
    "events",
    "webhook",
    "product",
    "warehouse",
    "supplier",
    "purchase_order",
    "purchase_order_action",
    "inbound_shipment",
    "receipt",
)
# The kinds of the buying side (simulate.inbound): sent over HTTP only, not by the bulk loader.
BUYING_KINDS = frozenset(KINDS[4:])


def dumps(record: Record) -> str:
    """One JSONL line (no newline), keys sorted so runs compare byte for byte."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def write_jsonl(path: Path, records: Iterable[Record]) -> int:
    """Write records to ``path``; returns how many."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(dumps(record))
            out.write("\n")
            count += 1
    return count


def read_jsonl(path: Path) -> Iterator[Record]:
    """The records of a JSONL file, in file order; a line that is not a record is a ValueError."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not JSON ({error.msg})") from None
            if not isinstance(record, dict) or record.get("kind") not in KINDS or "id" not in record:
                raise ValueError(f"{path}:{number}: not a simulator record")
            yield record


def event_ids(record: Record) -> list[str]:
    """The scan ids a record carries (none for orders and shipments)."""
    if record["kind"] == "events":
        return [event["event_id"] for event in record["events"]]
    if record["kind"] == "webhook":
        return list(record.get("event_ids", ()))
    return []
