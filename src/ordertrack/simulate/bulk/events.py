"""Taking in a batch of scans in a chunk, as ``tracking.service.ingest_events`` does: each event
stored once per dedupe key, matched to the newest parcel whose window covers it
(``tracking.rules.match_parcel``), and the parcel's state folded forward."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from ordertrack.simulate.bulk.chunk import Chunk, fact
from ordertrack.tracking import rules as tracking_rules
from ordertrack.tracking.status import EventFact, extend_tracking_state


def ingest(chunk: Chunk, rows: list[dict[str, Any]], now: datetime) -> None:
    """Store the batch's new rows (``reading.RecordReader`` made them) and advance their parcels."""
    new_by_parcel: dict[str, list[EventFact]] = defaultdict(list)
    for row in rows:
        key = row["dedupe_key"]
        if "repeat" in row or key in chunk.stored_keys or key in chunk.seen_keys:
            chunk.report.duplicates += 1
            continue
        chunk.seen_keys.add(key)
        number = (row["tracking_number"], row["carrier"])
        hit = tracking_rules.match_parcel(chunk.by_number.get(number, ()), row["occurred_at"], chunk.window)
        row["parcel_id"] = hit.id if hit else None
        chunk.events.append(row)
        chunk.events_by_number[number].append(row)
        chunk.report.events_stored += 1
        if hit is not None:
            new_by_parcel[hit.id].append(fact(row))
    for parcel_id, facts in new_by_parcel.items():
        parcel = chunk.parcels[parcel_id]
        if parcel.state is not None:
            # None when the new events land inside the known timeline: derived from all at the end.
            parcel.state = extend_tracking_state(parcel.state, facts)
        chunk.touch(parcel, now)
