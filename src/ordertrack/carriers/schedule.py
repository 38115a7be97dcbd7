"""When to ask a carrier about a parcel again: a pure function of its status and history.

Polling costs quota (USPS grants 60 requests an hour, DHL 250 a day on its starter level), so
the schedule follows the parcel's life instead of polling everything at one pace:

- **Out for delivery, failed attempt: every 30 minutes.** Delivery happens within hours and
  this is when shoppers refresh the tracking page; a failed attempt is followed the same day
  by a notice, a pickup-point drop or a second attempt.
- **In transit: every 2 hours while scans keep coming, every 4 hours once the parcel has gone
  quiet for a day.** Line-haul legs produce no scans for many hours; asking more often only
  spends quota.
- **Exception: every 2 hours,** because exceptions (address problems, customs holds) are
  often resolved quickly and the shop wants to know. **Available for pickup: every 3 hours.**
- **Info received, pending, returning: every 6 hours.** A label can sit for days before the
  first scan; a return is slow and nobody waits for it by the hour.
- **Delivered or returned: stop.** The journey is over. (A carrier that reports a later
  problem is heard through webhooks or a manual refresh.)
- **A long silence: stop.** No new scan for :data:`SILENCE_LIMIT` (counted from the last
  scan, or from the parcel's creation when no scan ever came) means a label that was never
  used or a parcel the carrier has lost track of; asking forever helps no one.

A parcel never polled is due at once, spread over :data:`FIRST_POLL_SPREAD`. Every interval
gets a little jitter derived from a key (the tracking number), the same for a parcel every
time, so parcels created together (a bulk import, a morning's labels) do not all fall due in
the same second and burst into the carrier's rate limit.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from ordertrack.kit.clock import ensure_aware
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES, ShipmentStatus

S = ShipmentStatus

# No scan for this long (since the last scan, else since creation): stop polling.
SILENCE_LIMIT = timedelta(days=30)
# In transit with no scan for this long: the parcel is on a long leg, poll at the slower pace.
IN_TRANSIT_QUIET_AFTER = timedelta(hours=24)
IN_TRANSIT_QUIET_INTERVAL = timedelta(hours=4)
# Up to this share of the interval is added, from the key, to spread parcels apart.
JITTER_FRACTION = 0.1
# A parcel never polled is due within this spread of now (still from its key).
FIRST_POLL_SPREAD = timedelta(minutes=5)

POLL_INTERVALS: dict[ShipmentStatus, timedelta] = {
    S.out_for_delivery: timedelta(minutes=30),
    S.failed_attempt: timedelta(minutes=30),
    S.exception: timedelta(hours=2),
    S.in_transit: timedelta(hours=2),
    S.available_for_pickup: timedelta(hours=3),
    S.info_received: timedelta(hours=6),
    S.pending: timedelta(hours=6),
    S.returning: timedelta(hours=6),
}


def next_poll_at(
    *,
    status: str,
    last_event_at: datetime | None,
    last_polled_at: datetime | None,
    created_at: datetime,
    now: datetime,
    key: str = "",
) -> datetime | None:
    """When to poll the parcel next (never before ``now``), or None to stop polling it.

    ``status`` is ordertrack's derived :class:`ShipmentStatus` value; an unknown one raises
    ValueError. All times must be aware. ``key`` (the tracking number) seeds the jitter.
    """
    state = ShipmentStatus(status)
    now = ensure_aware(now, "now")
    created_at = ensure_aware(created_at, "created_at")
    if state in FINISHED_SHIPMENT_STATUSES:  # the journey is over: no poll tells anything new
        return None
    quiet_since = ensure_aware(last_event_at, "last_event_at") if last_event_at is not None else created_at
    silence = now - quiet_since
    if silence >= SILENCE_LIMIT:
        return None
    if last_polled_at is None:
        return now + FIRST_POLL_SPREAD * _spread(key)
    last_polled_at = ensure_aware(last_polled_at, "last_polled_at")
    interval = poll_interval(state, silence)
    due = last_polled_at + interval + interval * JITTER_FRACTION * _spread(key)
    return max(due, now)


def poll_interval(status: ShipmentStatus, silence: timedelta) -> timedelta:
    """The base pace for a parcel in ``status`` whose last scan is ``silence`` old."""
    if status is S.in_transit and silence >= IN_TRANSIT_QUIET_AFTER:
        return IN_TRANSIT_QUIET_INTERVAL
    return POLL_INTERVALS[status]


def _spread(key: str) -> float:
    """A stable number in [0, 1) from ``key`` (not ``hash()``, which changes per process)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
