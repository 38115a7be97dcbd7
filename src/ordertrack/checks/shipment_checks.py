"""Shipment checks: the worker looks at the shipments due for a look, revises their promise,
opens and closes attention items, and says when to look again.

A shipment is due when something happened to it (created, handed over, a new scan: those
set its next check to now) or when the rules said a kind of trouble could start then (the
day after the promise, the end of the usual silence). The round reads due shipments through
the ``next_check_at`` index, so its cost follows the shipments due, not the database's size.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ordertrack.attention import service as attention_service
from ordertrack.attention.gaps import DeliveredScan, learn_usual_gaps, usual_gap
from ordertrack.attention.rules import ShipmentWatch, Thresholds, evaluate
from ordertrack.attention.service import Finding
from ordertrack.checks import facts
from ordertrack.checks.promises import revise_watched
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.eta.estimating import Stage
from ordertrack.shipments import service as shipments_service
from ordertrack.tracking import scans as tracking_scans

CHECK_BATCH = 200
GAPS_FROM_SHIPMENTS = 1000
GAPS_TTL_SECONDS = 600.0


@dataclass
class CheckReport:
    checked: int = 0
    opened: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    closed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    revised: int = 0
    delayed: int = 0


def run_checks(
    db: Database, now: datetime, *, thresholds: Thresholds | None = None, limit: int = CHECK_BATCH
) -> CheckReport:
    """One round: the due shipments (any merchant), each checked once, in one transaction."""
    report = CheckReport()
    with db.uow() as uow:
        by_merchant: dict[str, list[str]] = defaultdict(list)
        for shipment_id, merchant_id in shipments_service.due_for_checks(uow, now, limit):
            by_merchant[merchant_id].append(shipment_id)
        for merchant_id, ids in by_merchant.items():
            check_shipments(uow, merchant_id, ids, now, thresholds or Thresholds(), report)
        uow.commit()
    return report


def check_shipments(
    uow: UnitOfWork,
    merchant_id: str,
    shipment_ids: list[str],
    now: datetime,
    thresholds: Thresholds,
    report: CheckReport | None = None,
) -> CheckReport:
    """Revise these shipments' promises, then judge them by the attention rules."""
    report = report if report is not None else CheckReport()
    watched = facts.watch(uow, merchant_id, shipment_ids)
    first_promise: dict[str, date] = {}
    for outcome in revise_watched(uow, merchant_id, watched, now=now, stage=Stage.check):
        report.revised += outcome.changed
        report.delayed += outcome.delayed
        if outcome.window is not None:
            first_promise[outcome.shipment_id] = outcome.window.latest
    gaps = usual_gaps(uow, merchant_id)
    findings: list[Finding] = []
    next_checks: dict[str, datetime | None] = {}
    for shipment in watched.shipments:
        destination, origin = watched.destination(shipment), watched.origin(shipment)
        international = origin.place.country != destination.country
        verdict = evaluate(
            ShipmentWatch(
                status=shipment.status,
                reason=shipment.reason,
                created_at=shipment.created_at,
                first_carrier_scan_at=watched.scans.first_carrier_scan.get(shipment.id),
                last_scan_at=watched.scans.last_scan.get(shipment.id),
                last_heard_at=watched.scans.last_heard.get(shipment.id),
                # What the shopper was told when it shipped (a first promise made just now is kept
                # by the handler of PromiseRevised, at the end of the round).
                promised_latest=shipment.promised_latest or first_promise.get(shipment.id),
                destination_timezone=destination.timezone,
                origin_timezone=origin.place.timezone,
                origin_calendar=origin.place.calendar,
                international=international,
                usual_gap=usual_gap(gaps, shipment.carrier, international),
            ),
            now,
            thresholds,
        )
        findings.append(Finding(shipment.id, shipment.order_id, shipment.status, verdict))
        next_checks[shipment.id] = verdict.next_check_at
        report.checked += 1
    changes = attention_service.apply_findings(uow, merchant_id, findings, now)
    for kind, count in changes.opened.items():
        report.opened[kind] += count
    for kind, count in changes.closed.items():
        report.closed[kind] += count
    shipments_service.schedule_checks(uow, merchant_id, next_checks)
    return report


# --- the usual silence, learned per merchant (cached a while) -----------------------------------

_gaps: dict[str, tuple[float, dict[str | None, timedelta]]] = {}


def forget_gaps() -> None:
    _gaps.clear()


def usual_gaps(uow: UnitOfWork, merchant_id: str) -> dict[str | None, timedelta]:
    """Per carrier (and None: all together), the usual longest silence between scans while a
    parcel moved, from the merchant's newest deliveries (cached ``GAPS_TTL_SECONDS``)."""
    cached = _gaps.get(merchant_id)
    if cached is not None and clock.monotonic() - cached[0] < GAPS_TTL_SECONDS:
        return cached[1]
    delivered = [s.id for s in shipments_service.newest_deliveries(uow, merchant_id, GAPS_FROM_SHIPMENTS)]
    scans = tracking_scans.scans_of_shipments(uow, merchant_id, delivered) if delivered else []
    learned = learn_usual_gaps(DeliveredScan(*row) for row in scans)
    _gaps[merchant_id] = (clock.monotonic(), learned)
    return learned
