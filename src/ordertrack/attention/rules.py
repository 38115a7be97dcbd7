"""Pure alert rules: which kinds of trouble a shipment is in at an instant, and when to look again.

Every rule reads plain facts and an injected ``now``; nothing here touches the database. A kind
is open while its condition holds and closes by itself when the shipment moves on: a new scan
ends ``stalled`` and ``likely_lost``, the first carrier scan ends ``not_picked_up``, leaving the
exception ends ``exception``, delivery (or return) ends everything.

Missed scans are not alarms: no rule expects a particular checkpoint, so a parcel whose
"arrived at hub" scan never came but whose "out for delivery" did simply moves on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ordertrack.eta.calendar import BusinessCalendar
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES


class Kind(StrEnum):
    late = "late"  # today is past the last day promised when the parcel left, not delivered
    stalled = "stalled"  # no scan for longer than this lane's usual gap
    likely_lost = "likely_lost"  # no scan for much longer still
    exception = "exception"  # the carrier reports an exception or a failed delivery attempt
    not_picked_up = "not_picked_up"  # a label, but no carrier scan after N business days


# Where the carrier has the parcel and keeps scanning it; waiting at a pickup point is quiet.
MOVING = frozenset({"in_transit", "out_for_delivery", "returning"})
# The statuses that are trouble in themselves (the `exception` kind; staff are told on the scan).
TROUBLE = frozenset({"exception", "failed_attempt"})


@dataclass(frozen=True)
class Thresholds:
    """The merchant's settings (``ORDERTRACK_LOST_AFTER_DAYS_*``, ``..._NOT_PICKED_UP_DAYS``)."""

    lost_domestic: timedelta = timedelta(days=7)
    lost_international: timedelta = timedelta(days=20)
    not_picked_up_business_days: int = 2


@dataclass(frozen=True)
class ShipmentWatch:
    """What the rules need to know about one shipment."""

    status: str
    reason: str | None
    created_at: datetime
    first_carrier_scan_at: datetime | None  # the first scan that is not "label created"
    last_scan_at: datetime | None
    promised_latest: date | None
    destination_timezone: str
    origin_timezone: str
    origin_calendar: BusinessCalendar
    international: bool
    usual_gap: timedelta  # this lane's usual longest silence between scans (learned)
    # When the newest scan of any age reached us: a carrier that is still telling us about the
    # parcel (late scans, a backfill of history) is not silent, however old the scans are.
    last_heard_at: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    """The kinds open now (with what was seen), and when the next one could start.

    ``began`` says when each open kind's problem began, not when a check noticed it: the
    last scan for ``stalled`` and ``likely_lost`` (the silence started then), the exception
    scan for ``exception``, the end of the promised day for ``late``, the pick-up deadline
    for ``not_picked_up``.
    """

    open: dict[Kind, str]
    next_check_at: datetime | None
    began: dict[Kind, datetime] = field(default_factory=dict)


def evaluate(watch: ShipmentWatch, now: datetime, thresholds: Thresholds) -> Verdict:
    if watch.status in FINISHED_SHIPMENT_STATUSES:
        return Verdict({}, None)
    found: dict[Kind, str] = {}
    began: dict[Kind, datetime] = {}
    later: list[datetime] = []

    if watch.status in TROUBLE:
        words = watch.status.replace("_", " ")
        found[Kind.exception] = f"{words} ({watch.reason.replace('_', ' ')})" if watch.reason else words
        began[Kind.exception] = watch.last_scan_at or now

    if watch.first_carrier_scan_at is None:
        deadline = _after_business_days(
            watch.created_at,
            thresholds.not_picked_up_business_days,
            watch.origin_calendar,
            watch.origin_timezone,
        )
        if now >= deadline:
            days = thresholds.not_picked_up_business_days
            found[Kind.not_picked_up] = (
                f"no carrier scan {days} business day{'s' * (days != 1)} after the label"
            )
            began[Kind.not_picked_up] = deadline
        else:
            later.append(deadline)

    heard = max(watch.last_heard_at or watch.last_scan_at or now, watch.last_scan_at or now)
    just_heard = watch.last_heard_at is not None and now - heard < watch.usual_gap
    if just_heard and watch.status in MOVING and watch.first_carrier_scan_at is not None:
        later.append(heard + watch.usual_gap)
    elif (
        watch.last_scan_at is not None and watch.first_carrier_scan_at is not None and watch.status in MOVING
    ):
        silent = now - watch.last_scan_at
        lost_after = thresholds.lost_international if watch.international else thresholds.lost_domestic
        lost_after = max(lost_after, watch.usual_gap * 2)
        if silent >= lost_after:
            found[Kind.likely_lost] = f"no scan for {_days(silent)}; lost after {_days(lost_after)} here"
            began[Kind.likely_lost] = watch.last_scan_at
        else:
            later.append(watch.last_scan_at + lost_after)
            if silent >= watch.usual_gap:
                found[Kind.stalled] = f"no scan for {_days(silent)}; usually at most {_days(watch.usual_gap)}"
                began[Kind.stalled] = watch.last_scan_at
            else:
                later.append(watch.last_scan_at + watch.usual_gap)

    if watch.promised_latest is not None:
        zone = ZoneInfo(watch.destination_timezone)
        today = now.astimezone(zone).date()
        promise_ends = datetime.combine(watch.promised_latest + timedelta(days=1), time(0), tzinfo=zone)
        if today > watch.promised_latest:
            found[Kind.late] = f"promised by {watch.promised_latest.isoformat()}, not delivered"
            began[Kind.late] = promise_ends
        else:
            later.append(promise_ends)

    # Never later than now: a scan dated a little ahead of our clock does not open a future item.
    began = {kind: min(at, now) for kind, at in began.items()}
    return Verdict(found, min(later) if later else None, began)


def _after_business_days(start: datetime, days: int, calendar: BusinessCalendar, timezone: str) -> datetime:
    """The end of the ``days``-th business day after ``start``'s local day, as an instant."""
    zone = ZoneInfo(timezone)
    local_day = start.astimezone(zone).date()
    last = calendar.add_business_days(local_day, days) if days > 0 else local_day
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)


def _days(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    if hours < 48:
        return f"{round(hours)} h"
    return f"{hours / 24:.1f} days"
