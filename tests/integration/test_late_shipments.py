"""A shipment past the last day promised when it shipped is late, by the one attention rule: its
order needs attention (the flag behind ``?attention=true``) until it is delivered, and a carrier
moving its own estimate does not move what the shopper was promised."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ordertrack.attention import service as attention_service
from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.eta import service as eta_service
from ordertrack.orders import service as orders_service
from ordertrack.shipments import service as shipments_service
from tests.integration.scenario import event, ingest, place_order, ship

# The scenario's orders ship to Austin, with no state: the destination's day is the principal zone's
# (New York); these instants are on the same day in both.
AUSTIN = ZoneInfo("America/Chicago")


def needing_attention(db: Database, merchant: str) -> list[str]:
    """The numbers of the orders ``GET /api/v1/orders?attention=true`` lists."""
    with db.uow(write=False) as uow:
        page = orders_service.list_orders(uow, merchant, status=None, attention=True, cursor=None, limit=50)
        return [order.number for order in page.items]


def open_kinds(db: Database, merchant: str) -> set[str]:
    with db.uow(write=False) as uow:
        page = attention_service.list_items(
            uow, merchant, state="open", kind=None, order_id=None, shipment_id=None, cursor=None, limit=50
        )
        return {item.kind for item in page.items}


def promised_latest(db: Database, merchant: str, shipment_id: str) -> date:
    with db.uow(write=False) as uow:
        latest = shipments_service.get_shipment(uow, merchant, shipment_id).promised_latest
    assert latest is not None
    return latest


def in_austin(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=AUSTIN)


def test_late_by_the_promise_until_delivered(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    shipment_id = ship(db, merchant, place_order(db, merchant, "L-1"), "LATE0001")
    ingest(db, merchant, [event("LATE0001", datetime.now(UTC) - timedelta(hours=1), "in_transit")])
    latest = promised_latest(db, merchant, shipment_id)

    shipment_checks.run_checks(db, in_austin(latest, 21))  # late in the promised day: not late
    assert "late" not in open_kinds(db, merchant)
    report = shipment_checks.run_checks(db, in_austin(latest + timedelta(days=1), 9))
    assert report.opened["late"] == 1 and "late" in open_kinds(db, merchant)
    assert needing_attention(db, merchant) == ["L-1"]

    ingest(db, merchant, [event("LATE0001", datetime.now(UTC), "delivered")])
    report = shipment_checks.run_checks(db, in_austin(latest + timedelta(days=1), 10))
    assert report.closed["late"] == 1 and open_kinds(db, merchant) == set()
    assert needing_attention(db, merchant) == []  # delivered late is no longer something to act on


def test_a_carrier_estimate_moving_earlier_does_not_excuse_a_broken_promise(
    db: Database, make_merchant
) -> None:
    merchant = make_merchant().merchant_id
    shipment_id = ship(db, merchant, place_order(db, merchant, "L-2"), "LATE0002")
    ingest(db, merchant, [event("LATE0002", datetime.now(UTC) - timedelta(hours=1), "in_transit")])
    latest = promised_latest(db, merchant, shipment_id)
    after = in_austin(latest + timedelta(days=2), 9)
    with db.uow() as uow:
        (parcel_id,) = shipments_service.parcel_ids_of_order(
            uow, merchant, shipments_service.get_shipment(uow, merchant, shipment_id).order_id
        )
        eta_service.record_estimate(
            uow,
            merchant,
            parcel_id,
            earliest=after.date(),
            latest=after.date(),
            source="carrier:acme_post",
            reason="the carrier's estimate",
            recorded_at=after,
        )
        uow.commit()
    shipment_checks.run_checks(db, after)
    assert "late" in open_kinds(db, merchant) and needing_attention(db, merchant) == ["L-2"]
    assert promised_latest(db, merchant, shipment_id) == latest
