"""A shipment past the day its carrier promised needs attention, until it is delivered."""

from __future__ import annotations

from datetime import timedelta

from ordertrack.db.uow import Database
from ordertrack.eta import service as eta_service
from ordertrack.kit.clock import utcnow
from ordertrack.shipments import service as shipments_service
from ordertrack.tracking import service as tracking_service
from tests.integration.scenario import WINDOW, event, place_order, ship


def attention(db: Database, merchant: str) -> list[shipments_service.AttentionItem]:
    now = utcnow()
    with db.uow(write=False) as uow:
        return shipments_service.shipments_needing_attention(
            uow, merchant, now=now, stalled_after=timedelta(days=3), today=now.date()
        )


def ingest(db: Database, merchant: str, *events: dict) -> None:
    with db.uow() as uow:
        tracking_service.ingest_events(
            uow, merchant, list(events), received_at=utcnow(), recycle_window=WINDOW
        )
        uow.commit()


def test_late_until_delivered_and_a_new_promise_clears_it(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    shipment_id = ship(db, merchant, place_order(db, merchant), "LATE0001")
    now = utcnow()
    ingest(db, merchant, event("LATE0001", now - timedelta(hours=5), "in_transit"))
    with db.uow() as uow:
        parcel = shipments_service.get_shipment(uow, merchant, shipment_id).parcels[0]
        promise = {"source": "carrier:acme_post", "reason": "the carrier's estimate", "recorded_at": now}
        yesterday = now.date() - timedelta(days=1)
        eta_service.record_estimate(uow, merchant, parcel.id, earliest=yesterday, latest=yesterday, **promise)
        uow.commit()
    found = attention(db, merchant)
    assert [(item.shipment.id, item.late_since, item.stalled) for item in found] == [
        (shipment_id, yesterday, False)
    ]

    with db.uow() as uow:
        tomorrow = now.date() + timedelta(days=1)
        later = {**promise, "recorded_at": now + timedelta(minutes=1)}
        eta_service.record_estimate(uow, merchant, parcel.id, earliest=tomorrow, latest=tomorrow, **later)
        uow.commit()
    assert attention(db, merchant) == []  # the carrier moved the promise: not late (yet)

    with db.uow() as uow:
        eta_service.record_estimate(
            uow,
            merchant,
            parcel.id,
            earliest=yesterday,
            latest=yesterday,
            **{**promise, "recorded_at": now + timedelta(minutes=2)},
        )
        uow.commit()
    ingest(db, merchant, event("LATE0001", now - timedelta(hours=1), "delivered"))
    assert attention(db, merchant) == []  # delivered late is no longer something to act on
