"""Polling end to end on both databases: a parcel of a carrier the merchant has an account
for is claimed when due, its carrier (a local server on 127.0.0.1 speaking DHL's Unified
Tracking API) is asked, the answer is ingested and the next poll scheduled from the state.

Accounts choose production or sandbox, never an address: the fake carrier is reached only
because these tests run with the operator's development settings (a base URL override for
DHL and 127.0.0.0/8 allowed), as ``ordertrack serve`` would with the same environment."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ordertrack.carriers import accounts, polling
from ordertrack.carriers.environments import CarrierTargets
from ordertrack.config import Settings
from ordertrack.db.uow import Database
from ordertrack.fulfilment import shipping
from ordertrack.shipments.schemas import ShipmentIn
from ordertrack.tracking.model import Parcel, TrackingEvent
from ordertrack.worker.jobs import poll_carriers
from tests.integration.scenario import WINDOW, place_order
from tests.support import free_port

NUMBER = "1234567891"  # a DHL Express waybill: 123456789 mod 7 = 1
API_KEY = "dhl-test-key"


def dhl_answer(*events: tuple[str, str, str, str]) -> dict:
    """A DHL Unified Tracking answer, written from DHL's API reference."""
    return {
        "shipments": [
            {
                "id": NUMBER,
                "service": "express",
                "status": {"statusCode": events[-1][1], "status": events[-1][2], "timestamp": events[-1][0]},
                "events": [
                    {
                        "timestamp": at,
                        "statusCode": code,
                        "status": status,
                        "description": status,
                        "location": {"address": {"addressLocality": city, "countryCode": "DE"}},
                    }
                    for at, code, status, city in reversed(events)  # DHL lists newest first
                ],
            }
        ]
    }


class FakeDhl:
    """What the carrier knows, changed by the test between polls; counts what it was asked."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str, str]] = []
        self.requests: list[str] = []

    async def track(self, request: Request) -> Response:
        if request.headers.get("DHL-API-Key") != API_KEY:
            return JSONResponse({"status": 401, "title": "Unauthorized"}, status_code=401)
        self.requests.append(request.query_params.get("trackingNumber", ""))
        return JSONResponse(dhl_answer(*self.events))


@pytest.fixture
def fake_dhl() -> Iterator[tuple[FakeDhl, str]]:
    carrier = FakeDhl()
    app = Starlette(routes=[Route("/track/shipments", carrier.track)])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield carrier, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def local_settings(base_url: str, **more: object) -> Settings:
    """The operator's development settings: DHL is the fake on 127.0.0.1, which may be reached."""
    return Settings(carrier_base_urls={"dhl": base_url}, outgoing_allowed_networks="127.0.0.0/8", **more)


def local(base_url: str) -> CarrierTargets:
    return CarrierTargets.from_settings(local_settings(base_url))


def parcel(db: Database, merchant_id: str) -> Parcel:
    with db.uow(write=False) as uow:
        return uow.session.query(Parcel).filter(Parcel.merchant_id == merchant_id).one()


def test_a_due_parcel_is_polled_ingested_and_rescheduled_until_delivered(
    db: Database, make_merchant, fake_dhl
) -> None:
    carrier, base_url = fake_dhl
    merchant = make_merchant().merchant_id
    with db.uow() as uow:
        accounts.save_account(uow, merchant, "dhl", {"api_key": API_KEY})
        uow.commit()
    order = place_order(db, merchant)
    with db.uow() as uow:
        shipping.create_shipment(
            uow, merchant, order, ShipmentIn(carrier="dhl", tracking_number=NUMBER), recycle_window=WINDOW
        )
        uow.commit()
    assert parcel(db, merchant).next_poll_at is not None  # due at once

    carrier.events = [("2026-11-20T09:10:00+01:00", "transit", "Processed at LEIPZIG - GERMANY", "Leipzig")]
    first = datetime.now(UTC)
    assert polling.run_polling(
        db, first, recycle_window=WINDOW, targets=local(base_url)
    ) == 1 and carrier.requests == [NUMBER]
    polled = parcel(db, merchant)
    assert polled.status == "in_transit" and polled.last_polled_at is not None
    assert polled.next_poll_at is not None and polled.next_poll_at > first + timedelta(minutes=30)

    # Not due again yet: nothing is asked.
    assert (
        polling.run_polling(db, first + timedelta(minutes=5), recycle_window=WINDOW, targets=local(base_url))
        == 0
        and len(carrier.requests) == 1
    )

    carrier.events.append(
        ("2026-11-21T14:02:00+01:00", "delivered", "Delivered - Signed for by: M. Muller", "Berlin")
    )
    later = polled.next_poll_at + timedelta(seconds=1)
    assert (
        polling.run_polling(db, later, recycle_window=WINDOW, targets=local(base_url)) == 1
        and len(carrier.requests) == 2
    )
    done = parcel(db, merchant)
    assert done.status == "delivered" and done.next_poll_at is None  # delivered: no more polls


def test_a_carrier_that_refuses_the_key_is_retried_later_and_nothing_breaks(
    db: Database, make_merchant, fake_dhl
) -> None:
    carrier, base_url = fake_dhl
    merchant = make_merchant().merchant_id
    with db.uow() as uow:
        accounts.save_account(uow, merchant, "dhl", {"api_key": "wrong"})
        uow.commit()
    order = place_order(db, merchant)
    with db.uow() as uow:
        shipping.create_shipment(
            uow, merchant, order, ShipmentIn(carrier="dhl", tracking_number=NUMBER), recycle_window=WINDOW
        )
        uow.commit()
    now = datetime.now(UTC)
    assert polling.run_polling(db, now, recycle_window=WINDOW, targets=local(base_url)) == 0
    retry_at = parcel(db, merchant).next_poll_at
    assert retry_at is not None and retry_at >= now + polling.RETRY_AFTER_FAILURE - timedelta(seconds=1)


def test_polling_matches_answers_with_the_configured_recycle_window(
    db: Database, make_merchant, fake_dhl
) -> None:
    carrier, base_url = fake_dhl
    merchant = make_merchant().merchant_id
    with db.uow() as uow:
        accounts.save_account(uow, merchant, "dhl", {"api_key": API_KEY})
        uow.commit()
    order = place_order(db, merchant)
    with db.uow() as uow:
        shipping.create_shipment(
            uow, merchant, order, ShipmentIn(carrier="dhl", tracking_number=NUMBER), recycle_window=WINDOW
        )
        uow.commit()
    # The number's previous life: a scan ten days before this parcel existed. Inside the default
    # 60 days it would be taken for this parcel's; this server keeps numbers apart after 5 days.
    now = datetime.now(UTC)
    old_scan = (now - timedelta(days=10)).isoformat(timespec="seconds")
    carrier.events = [(old_scan, "transit", "Processed at LEIPZIG - GERMANY", "Leipzig")]
    settings = local_settings(base_url, recycle_window_days=5)

    assert poll_carriers(db, settings, now) == 1 and carrier.requests == [NUMBER]
    with db.uow(write=False) as uow:
        [stored] = uow.session.query(TrackingEvent).filter(TrackingEvent.merchant_id == merchant).all()
        assert stored.parcel_id is None
    assert parcel(db, merchant).status != "in_transit"


def a_due_dhl_parcel(db: Database, merchant: str, account: dict[str, object]) -> None:
    with db.uow() as uow:
        accounts.save_account(uow, merchant, "dhl", account)
        uow.commit()
    order = place_order(db, merchant)
    with db.uow() as uow:
        shipping.create_shipment(
            uow, merchant, order, ShipmentIn(carrier="dhl", tracking_number=NUMBER), recycle_window=WINDOW
        )
        uow.commit()


@pytest.mark.parametrize(
    ("environment", "root"),
    [("production", "https://api-eu.dhl.com"), ("sandbox", "https://api-test.dhl.com")],
)
def test_an_account_polls_the_carriers_own_api_of_its_environment(
    db: Database, make_merchant, environment: str, root: str
) -> None:
    asked: list[str] = []

    def carrier(request: httpx.Request) -> httpx.Response:  # nothing leaves this process
        asked.append(str(request.url.copy_with(query=None)))
        return httpx.Response(200, json={"shipments": []})

    a_due_dhl_parcel(db, make_merchant().merchant_id, {"api_key": API_KEY, "environment": environment})
    report = asyncio.run(
        polling.poll_once(
            db, datetime.now(UTC), recycle_window=WINDOW, transport=httpx.MockTransport(carrier)
        )
    )
    assert report.failures == 0 and asked == [f"{root}/track/shipments"]


def test_a_carrier_url_on_this_machine_is_never_called_without_the_operators_allowance(
    db: Database, make_merchant, fake_dhl
) -> None:
    carrier, base_url = fake_dhl
    merchant = make_merchant().merchant_id
    a_due_dhl_parcel(db, merchant, {"api_key": API_KEY})
    carrier.events = [("2026-11-20T09:10:00+01:00", "transit", "Processed at LEIPZIG - GERMANY", "Leipzig")]
    # Even an operator's override reaches loopback only when loopback is allowed.
    no_allowance = Settings(carrier_base_urls={"dhl": base_url})
    now = datetime.now(UTC)

    assert poll_carriers(db, no_allowance, now) == 0
    assert carrier.requests == []
    retry_at = parcel(db, merchant).next_poll_at
    assert retry_at is not None and retry_at >= now + polling.RETRY_AFTER_FAILURE - timedelta(seconds=1)
