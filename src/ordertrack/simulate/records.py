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

The stream is deterministic for a seed: the same arguments write byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

Record = dict[str, Any]
Kind = Literal["order", "shipment", "events", "webhook"]
KINDS: tuple[Kind, ...] = ("order", "shipment", "events", "webhook")


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
