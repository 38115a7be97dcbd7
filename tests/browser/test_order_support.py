"""One order as support and the warehouse use it, in a real browser against ``ordertrack serve``:
the full address and phone, the shopper's link, staff notes in the timeline with their author,
one chosen zone for the timeline, cancelling only after a confirmation that says what happens
to stock and messages, no hand-over for a delivered parcel, and a ship form that keeps what was
typed and proposes the warehouse holding the stock and the usual carrier. Both databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ordertrack.carriers.tracking_numbers import ups_mod10
from ordertrack.db.uow import Database
from ordertrack.staff import service as staff_service
from tests.browser.conftest import axe_audit, screenshots
from tests.integration.scenario import order_payload
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

EMAIL = "sam@acme.example"
PASSWORD = "support all day long"
STAFF_NAME = "Sam Support"


def _ups(n: int) -> str:
    body = f"5R89390357567{n:02d}"
    return f"1Z{body}{ups_mod10(body)}"


def _ship(client: httpx.Client, order_id: str, carrier: str, number: str | None) -> str:
    body: dict[str, Any] = {
        "warehouse": "LEI1",
        "carrier": carrier,
        "lines": [{"sku": "MUG-STEEL", "quantity": 1}],
    }
    if number:
        body["tracking_number"] = number
    answer = client.post(f"/api/v1/orders/{order_id}/shipments", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _prepare(db: Database, client: httpx.Client) -> dict[str, str]:
    """Two warehouses, the stock only in the second; three shipped orders (UPS twice to the US,
    the own courier once to Germany, last); and the order under test, confirmed, to the US."""
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    with db.uow() as uow:
        staff_service.create_staff(
            uow, merchant_id, email=EMAIL, name=STAFF_NAME, password=PASSWORD, now=datetime.now(UTC)
        )
        uow.commit()
    for code, city, country, zone in (
        ("AUS1", "Austin", "US", "America/Chicago"),
        ("LEI1", "Leipzig", "DE", "Europe/Berlin"),
    ):
        made = client.post(
            "/api/v1/warehouses",
            json={
                "code": code,
                "name": city,
                "address": {"line1": "1 Dock Road", "city": city, "country": country},
                "timezone": zone,
            },
        )
        assert made.status_code == 201, made.text
    for sku in ("TENT-2P", "MUG-STEEL"):
        assert client.put(f"/api/v1/stock/LEI1/{sku}", json={"on_hand": 20}).status_code == 200
    placed = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    ids: dict[str, str] = {}
    for number, country, carrier, tracking in (
        ("H-1", "US", "ups", _ups(1)),
        ("H-2", "US", "ups", _ups(2)),
        ("H-3", "DE", "own", None),
    ):
        address = {
            "line1": "1 Main St",
            "city": "Austin" if country == "US" else "Berlin",
            "country": country,
        }
        order = client.post(
            "/api/v1/orders", json=order_payload(number, placed_at=placed, shipping_address=address)
        )
        assert order.status_code == 201, order.text
        ids[number] = order.json()["id"]
        ids[f"{number}-shipment"] = _ship(client, ids[number], carrier, tracking)
    customer = {"email": "ann@example.com", "name": "Ann Lee", "phone": "+1 512 555 0142"}
    address = {
        "name": "Ann Lee",
        "line1": "4601 Duval St",
        "line2": "Apt 3",
        "city": "Austin",
        "region": "TX",
        "postal_code": "78751",
        "country": "US",
    }
    order = client.post(
        "/api/v1/orders",
        json=order_payload("A-2001", placed_at=placed, customer=customer, shipping_address=address),
    )
    assert order.status_code == 201, order.text
    ids["order"] = order.json()["id"]
    assert client.post(f"/api/v1/orders/{ids['order']}/confirm").status_code == 200
    return ids


def _sign_in(page: Any, served: ServeProcess) -> None:
    page.goto(f"{served.base_url}/dashboard/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/orders"))


def test_support_sees_the_address_phone_and_a_link_to_send_and_notes_go_into_the_timeline_with_their_author(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, backend: str
) -> None:
    ids = _prepare(served_db, served_client)
    _sign_in(page, served)
    page.goto(f"{served.base_url}/dashboard/orders/{ids['order']}")
    facts = page.locator("dl.facts").inner_text()
    for part in ("4601 Duval St", "Apt 3", "Austin, TX 78751", "United States (US)", "+1 512-555-0142"):
        assert part in facts
    assert page.locator('a[href="tel:+15125550142"]').count() == 1
    # The estimate reads as a window with its likeliest day, not as ISO dates.
    assert re.search(r"Estimated delivery\s+[A-Z][a-z]{2} \d{1,2}\W", facts), facts
    assert not re.search(r"\d{4}-\d{2}-\d{2}", facts), facts
    link = page.get_by_label("The shopper's page, to send the customer")
    assert link.get_attribute("readonly") is not None
    url = link.input_value()
    assert url.startswith(f"{served.base_url}/track/")
    page.get_by_role("button", name="Copy link").wait_for()  # shown once the script runs

    page.get_by_label("Add a note for staff").fill(
        "Customer called: leave it with the neighbour at no. 4603."
    )
    page.get_by_role("button", name="Add note").click()
    note = page.locator("ol.timeline li.timeline-note")
    note.wait_for()
    assert "Note by Sam Support" in note.inner_text()
    assert "leave it with the neighbour at no. 4603." in note.inner_text()
    assert (
        served_client.get(f"/api/v1/orders/{ids['order']}/notes").json()["items"][0]["author"] == STAFF_NAME
    )

    # Too long: the server says so, keeps the text, and saves nothing.
    page.evaluate("document.getElementById('note-body').removeAttribute('maxlength')")
    page.get_by_label("Add a note for staff").fill("y" * 2001)
    page.get_by_role("button", name="Add note").click()
    page.get_by_role("alert").wait_for()
    assert "at most 2,000 characters" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Add a note for staff").input_value() == "y" * 2001
    assert len(served_client.get(f"/api/v1/orders/{ids['order']}/notes").json()["items"]) == 1
    assert axe_audit(page) == []
    screenshots(page, f"order-support-note-refused-{backend}")

    shopper = page.context.new_page()
    shopper.goto(url)
    assert "A-2001" in shopper.inner_text("main")
    shopper.close()


def test_the_timeline_is_in_one_chosen_zone_sorted_by_when_things_happened(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, backend: str
) -> None:
    ids = _prepare(served_db, served_client)
    _sign_in(page, served)
    page.goto(f"{served.base_url}/dashboard/orders/{ids['H-1']}")
    timeline = page.locator("ol.timeline")
    assert "warehouse's time (LEI1)" in page.locator("#timeline-zone").inner_text()
    times = timeline.locator("time").all_inner_texts()
    assert times and all("Europe/Berlin" in t for t in times)
    stamps = [
        datetime.fromisoformat(t)
        for t in timeline.locator("time").evaluate_all("ts => ts.map(t => t.dateTime)")
    ]
    assert stamps == sorted(stamps)
    page.get_by_label("Times in").select_option("utc")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"tz=utc"))
    assert all(t.endswith("UTC") for t in page.locator("ol.timeline time").all_inner_texts())
    # The choice is remembered for the next order.
    page.goto(f"{served.base_url}/dashboard/orders/{ids['H-2']}")
    assert "UTC" in page.locator("#timeline-zone").inner_text()
    refused = page.request.get(f"{served.base_url}/dashboard/orders/{ids['H-2']}?tz=Mars/Olympus")
    assert refused.status == 400 and "no time zone" in refused.text()
    screenshots(page, f"order-support-timeline-utc-{backend}")


def test_cancelling_asks_first_and_says_what_happens_to_stock_and_messages(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, backend: str
) -> None:
    ids = _prepare(served_db, served_client)
    _sign_in(page, served)
    page.goto(f"{served.base_url}/dashboard/orders/{ids['order']}")
    # A post that did not come through the confirmation cancels nothing: it asks.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    asked = page.request.post(
        f"{served.base_url}/dashboard/orders/{ids['order']}/cancel", form={"csrf_token": token}
    )
    assert asked.status == 200 and "Cancel order #A-2001?" in asked.text()
    assert served_client.get(f"/api/v1/orders/{ids['order']}").json()["status"] == "processing"

    yes = page.get_by_role("button", name="Yes, cancel order #A-2001")
    assert not yes.is_visible()  # behind the confirmation
    page.locator("summary", has_text="Cancel order…").click()
    consequences = page.locator("#cancel-order .confirm-body").inner_text()
    assert "3 reserved units go back to stock" in consequences
    assert "2 × TENT-2P at LEI1" in consequences and "1 × MUG-STEEL at LEI1" in consequences
    assert "no cancellation message" in consequences
    assert axe_audit(page) == []
    screenshots(page, f"order-support-cancel-confirmation-{backend}")
    held = served_client.get("/api/v1/stock?warehouse=LEI1&sku=TENT-2P").json()["items"][0]["reserved"]
    yes.click()
    page.wait_for_url(re.compile(r"cancelled=1"))
    assert "Cancelled" in page.locator("h1").inner_text()
    stock = served_client.get("/api/v1/stock?warehouse=LEI1&sku=TENT-2P").json()["items"][0]
    assert stock["reserved"] == held - 2  # the order's two tents are free again
    assert page.locator("summary", has_text="Cancel order…").count() == 0


def test_a_delivered_shipment_offers_no_hand_over_and_refuses_one(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, backend: str
) -> None:
    ids = _prepare(served_db, served_client)
    delivered = {
        "tracking_number": _ups(2),
        "carrier": "ups",
        "status": "delivered",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "description": "Delivered",
    }
    assert served_client.post("/api/v1/tracking/events", json={"events": [delivered]}).json()["accepted"] == 1
    _sign_in(page, served)
    page.goto(f"{served.base_url}/dashboard/orders/{ids['H-1']}")
    page.get_by_role("button", name="Handed over to carrier").wait_for()  # waiting for the carrier: offered
    page.goto(f"{served.base_url}/dashboard/orders/{ids['H-2']}")
    assert page.get_by_role("button", name="Handed over to carrier").count() == 0
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forced = page.request.post(
        f"{served.base_url}/dashboard/shipments/{ids['H-2-shipment']}/hand-over", form={"csrf_token": token}
    )
    assert forced.status == 409 and "cannot hand over a shipment that is delivered" in forced.text()
    # Nor is cancelling offered or accepted, asked or not.
    assert page.locator("summary", has_text="Cancel order…").count() == 0
    for form in ({"csrf_token": token}, {"csrf_token": token, "confirm": "yes"}):
        refused = page.request.post(f"{served.base_url}/dashboard/orders/{ids['H-2']}/cancel", form=form)
        assert refused.status == 409 and "cannot cancel an order that is" in refused.text()
    assert served_client.get(f"/api/v1/shipments/{ids['H-2-shipment']}").json()["handed_over_at"] is None
    # Handing over the one waiting records it, and the button goes.
    page.goto(f"{served.base_url}/dashboard/orders/{ids['H-1']}")
    page.get_by_role("button", name="Handed over to carrier").click()
    page.get_by_text("handed over").first.wait_for()
    assert page.get_by_role("button", name="Handed over to carrier").count() == 0
    assert served_client.get(f"/api/v1/shipments/{ids['H-1-shipment']}").json()["handed_over_at"]


def test_the_ship_form_proposes_the_stocked_warehouse_and_usual_carrier_and_keeps_what_was_typed(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, backend: str
) -> None:
    ids = _prepare(served_db, served_client)
    _sign_in(page, served)
    page.goto(f"{served.base_url}/dashboard/orders/{ids['order']}/ship")
    # LEI1 holds the reserved units though AUS1 comes first; UPS went to the US twice, though
    # the last shipment of all went with the own courier.
    assert page.get_by_label("Ships from").input_value() == "LEI1"
    assert page.get_by_label("Carrier").input_value() == "ups"
    assert "used most for US" in page.locator("#carrier-help").inner_text()

    page.get_by_label("Ships from").select_option("AUS1")
    page.get_by_label("Carrier").select_option("dhl")
    page.get_by_label("Service").fill("Parcel Connect")
    page.get_by_label("Units of MUG-STEEL to ship").fill("0")
    page.locator("#parcel1_weight_grams").fill("900")
    page.get_by_role("button", name="Add a parcel").click()
    page.get_by_text("Parcel 2 of 2").wait_for()
    assert page.get_by_label("Ships from").input_value() == "AUS1"
    assert page.get_by_label("Carrier").input_value() == "dhl"
    assert page.get_by_label("Service").input_value() == "Parcel Connect"
    assert page.get_by_label("Units of MUG-STEEL to ship").input_value() == "0"
    assert page.locator("#parcel1_weight_grams").input_value() == "900"
    page.locator("#parcel2_weight_grams").fill("400")
    assert axe_audit(page) == []
    screenshots(page, f"order-support-ship-two-parcels-{backend}")
    page.get_by_role("button", name="Remove the last parcel").click()
    page.get_by_text("Parcel 1 of 1").wait_for()
    assert page.locator("#parcel2_weight_grams").count() == 0
    assert page.get_by_label("Carrier").input_value() == "dhl"
    assert page.locator("#parcel1_weight_grams").input_value() == "900"
    assert (
        served_client.get(f"/api/v1/orders/{ids['order']}").json()["shipments"] == []
    )  # nothing shipped yet


def test_revoking_an_api_key_asks_first_and_says_what_stops(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, backend: str
) -> None:
    _prepare(served_db, served_client)
    _sign_in(page, served)
    page.goto(f"{served.base_url}/dashboard/settings")
    form = page.locator("form[action$='/revoke']").first
    target = form.get_attribute("action")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    unconfirmed = page.request.post(f"{served.base_url}{target}", form={"csrf_token": token})
    assert unconfirmed.status == 400 and "not revoked" in unconfirmed.text()
    assert served_client.get("/api/v1/orders").status_code == 200  # the key still works
    page.locator("summary", has_text="Revoke…").first.click()
    assert "stops sending orders" in page.locator(".confirm-body").first.inner_text()
    assert axe_audit(page) == []
    screenshots(page, f"order-support-revoke-confirmation-{backend}")
    page.get_by_role("button", name=re.compile(r"^Yes, revoke")).first.click()
    page.wait_for_url(re.compile(r"saved=revoked"))
    assert page.get_by_text("The key was revoked.").count() == 1
