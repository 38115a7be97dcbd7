"""Tracking use cases: ingest unified events, attach them to parcels, derive their state.

Ingest is the hot path. One batch costs a fixed number of statements whatever the history
of the parcels it touches: one locked read of the parcels, one multi-row INSERT that skips
duplicates, one UPDATE per changed table. A parcel's state is folded forward from its
stored state; only an event landing inside the known timeline reads the full history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import Unprocessable
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.tracking import repository, rules
from ordertrack.tracking.parcels import ParcelRef
from ordertrack.tracking.schemas import (
    RejectedEvent,
    UnifiedEventIn,
)
from ordertrack.tracking.status import (
    EventFact,
    TrackingState,
    derive_tracking_state,
    extend_tracking_state,
)

_EVENT = TypeAdapter(UnifiedEventIn)


class BatchTooLarge(Unprocessable):
    code = "batch_too_large"


class AllEventsRejected(Unprocessable):
    code = "events_rejected"


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[RejectedEvent] = field(default_factory=list)


def describe_validation_error(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "event"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def ingest_events(
    uow: UnitOfWork,
    merchant_id: str,
    raw_events: Sequence[Any],
    *,
    received_at: datetime,
    recycle_window: timedelta,
    max_batch: int = 1000,
) -> IngestResult:
    """Store a batch of unified events: each valid one once, each bad one reported alone."""
    if len(raw_events) > max_batch:
        raise BatchTooLarge(
            f"a batch holds at most {max_batch} events; this one has {len(raw_events)}",
            details={"max": max_batch, "got": len(raw_events)},
        )
    result = IngestResult()
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_events):
        try:
            event = _EVENT.validate_python(raw)
        except ValidationError as error:
            result.rejected.append(
                RejectedEvent(index=index, code="invalid_event", message=describe_validation_error(error))
            )
            continue
        problem = rules.implausible_time(event.occurred_at, received_at)
        if problem:
            result.rejected.append(
                RejectedEvent(
                    index=index,
                    field="occurred_at",
                    code="implausible_time",
                    message=f"occurred_at: {problem}",
                )
            )
            continue
        row = rules.event_row(merchant_id, event, raw, received_at)
        if row["dedupe_key"] in seen:
            result.duplicates += 1
            continue
        seen.add(row["dedupe_key"])
        rows.append(row)
    if not rows:
        if result.rejected and not result.duplicates:
            raise AllEventsRejected(
                "no event in the batch could be read",
                details=[r.model_dump(exclude_none=True) for r in result.rejected],
            )
        return result

    parcels = tracking_parcels.parcels_for_tracking_numbers(
        uow, merchant_id, {r["tracking_number"] for r in rows}, lock=True
    )
    candidates: dict[tuple[str, str], list[ParcelRef]] = defaultdict(list)
    for parcel in parcels:
        candidates[(parcel.tracking_number, parcel.carrier)].append(parcel)
    for row in rows:
        hit = rules.match_parcel(
            candidates.get((row["tracking_number"], row["carrier"]), ()),
            row["occurred_at"],
            recycle_window,
        )
        row["parcel_id"] = hit.id if hit else None

    inserted = repository.insert_new_events(uow, rows)
    result.accepted = len(inserted)
    result.duplicates += len(rows) - len(inserted)

    new_by_parcel: dict[str, list[EventFact]] = defaultdict(list)
    for row in rows:
        if row["parcel_id"] is not None and row["dedupe_key"] in inserted:
            new_by_parcel[row["parcel_id"]].append(
                EventFact(row["occurred_at"], row["status"], row["reason"], row["dedupe_key"])
            )
    by_id = {p.id: p for p in parcels}
    _fold_into_parcels(
        uow, merchant_id, {pid: by_id[pid] for pid in new_by_parcel}, new_by_parcel, received_at
    )
    return result


def _fold_into_parcels(
    uow: UnitOfWork,
    merchant_id: str,
    parcels: dict[str, ParcelRef],
    new_events: dict[str, list[EventFact]],
    received_at: datetime,
) -> None:
    """Advance each parcel's stored state by its new events; re-derive where they interleave."""
    states: dict[str, TrackingState] = {}
    replay: list[str] = []
    for parcel_id, parcel in parcels.items():
        extended = extend_tracking_state(parcel.state, new_events[parcel_id])
        if extended is None:
            replay.append(parcel_id)
        else:
            states[parcel_id] = extended
    states.update(_derive_from_history(uow, merchant_id, replay))
    tracking_parcels.save_parcel_states(uow, merchant_id, parcels, states, received_at=received_at)


def _derive_from_history(
    uow: UnitOfWork, merchant_id: str, parcel_ids: Iterable[str]
) -> dict[str, TrackingState]:
    ids = list(parcel_ids)
    if not ids:
        return {}
    facts: dict[str, list[EventFact]] = {pid: [] for pid in ids}
    for parcel_id, occurred_at, status, reason, key in repository.event_facts_of_parcels(
        uow, merchant_id, ids
    ):
        facts[str(parcel_id)].append(EventFact(occurred_at, status, reason, key))
    return {pid: derive_tracking_state(events) for pid, events in facts.items()}


def claim_events_for_new_parcels(
    uow: UnitOfWork,
    merchant_id: str,
    new_parcels: Sequence[tuple[str, str, str, datetime]],
    *,
    recycle_window: timedelta,
    now: datetime,
) -> None:
    """Attach the events that arrived before these parcels were registered (``now``: when).

    The rule is the one ingest uses (an event belongs to the newest parcel whose window
    covers it), so the outcome does not depend on whether scans or shipment came first.
    """
    new_ids = {pid for pid, *_ in new_parcels}
    touched: set[str] = set(new_ids)
    before: dict[str, ParcelRef] = {}
    for parcel_id, number, carrier, created_at in new_parcels:
        same_number = tracking_parcels.parcels_for_tracking_numbers(uow, merchant_id, [number], lock=True)
        before.update((p.id, p) for p in same_number)
        older = [p.id for p in same_number if p.carrier == carrier and p.id not in new_ids]
        moved = repository.claim_events(
            uow,
            merchant_id,
            parcel_id,
            tracking_number=number,
            carrier=carrier,
            since=rules.claim_since(created_at, recycle_window),
            from_parcels=older,
        )
        if moved:
            touched.update(older)
    tracking_parcels.save_parcel_states(
        uow, merchant_id, before, _derive_from_history(uow, merchant_id, touched), received_at=now
    )
