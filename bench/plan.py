"""How long and how big a benchmark run is: the full run and the ``--quick`` smoke run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    warmup: float  # seconds driven before timing starts, per measured phase
    duration: float  # seconds timed, per measured phase (ordertrack and its baseline alike)
    lookup_parcels: int  # parcels looked up at random, each with LOOKUP_EVENTS events
    ingest_parcels: int  # parcels that batched and single-event ingest write to
    history_fresh: int  # parcels with exactly 1 event: one sample each
    history_deep: int  # parcels with 100 (and, again, with 1,000) events
    history_rounds: int  # events added to each deep parcel (samples = deep * rounds)
    confirm_orders: int  # orders ordertrack confirms per confirmation phase (fresh ones each)
    confirm_bare_orders: int  # the same for the bare script, about 5x faster
    confirm_warmup: int  # orders confirmed untimed before the phases, per line count and side
    label_seconds: float  # seconds timed per label format (PDF single, PDF batch, ZPL)
    notify_messages: int  # messages delivered per notification phase (1 worker, 2 workers)


FULL = Plan(
    warmup=5,
    duration=25,
    lookup_parcels=300,
    ingest_parcels=600,
    history_fresh=200,
    history_deep=40,
    history_rounds=5,
    confirm_orders=500,
    confirm_bare_orders=3000,
    confirm_warmup=20,
    label_seconds=10,
    notify_messages=3000,
)

QUICK = Plan(
    warmup=2,
    duration=5,
    lookup_parcels=100,
    ingest_parcels=200,
    history_fresh=40,
    history_deep=8,
    history_rounds=5,
    confirm_orders=60,
    confirm_bare_orders=240,
    confirm_warmup=5,
    label_seconds=2,
    notify_messages=400,
)
