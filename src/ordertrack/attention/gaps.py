"""The usual silence between two scans, learned per carrier from recent deliveries: pure.

The 95th percentile of the gaps while the parcel moved. With too few gaps to learn from, the
cold-start values stand in (a carrier scanning less than every three days at home is rare).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

GAP_QUANTILE = 0.95
MIN_GAPS = 30
COLD_START_GAP = {False: timedelta(days=3), True: timedelta(days=5)}
SHORTEST_GAP = timedelta(hours=12)
# A gap counts when the scan before it says the parcel was on its way.
MOVING = frozenset({"in_transit", "out_for_delivery", "returning", "info_received"})


class DeliveredScan(NamedTuple):
    """One scan of a delivered parcel, as learning needs it."""

    parcel_id: str
    carrier: str
    occurred_at: datetime
    status: str


def learn_usual_gaps(scans: Iterable[DeliveredScan]) -> dict[str | None, timedelta]:
    """Per carrier (and None: all carriers together), the usual longest silence between scans
    while a parcel moved; ``scans`` come by parcel, oldest first. Carriers with fewer than
    ``MIN_GAPS`` gaps are left out (the caller falls back)."""
    per_carrier: dict[str | None, list[float]] = defaultdict(list)
    previous: DeliveredScan | None = None
    for scan in scans:
        if previous is not None and previous.parcel_id == scan.parcel_id and previous.status in MOVING:
            gap = (scan.occurred_at - previous.occurred_at).total_seconds()
            per_carrier[scan.carrier].append(gap)
            per_carrier[None].append(gap)
        previous = scan
    learned: dict[str | None, timedelta] = {}
    for carrier, values in per_carrier.items():
        if len(values) >= MIN_GAPS:
            values.sort()
            high = values[min(len(values) - 1, int(GAP_QUANTILE * len(values)))]
            learned[carrier] = max(SHORTEST_GAP, timedelta(seconds=high))
    return learned


def usual_gap(learned: dict[str | None, timedelta], carrier: str, international: bool) -> timedelta:
    """The carrier's learned gap, else all carriers', else the cold-start value."""
    return learned.get(carrier) or learned.get(None) or COLD_START_GAP[international]
