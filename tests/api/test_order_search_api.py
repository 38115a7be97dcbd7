"""Numbers that forgive typing and the order list support searches, over the API on both
databases: GET /api/v1/orders?q=, its order (newest placed first) and cursor; GET
/api/v1/orders/{number} and /api/v1/tracking/{number} as people type them; tenant isolation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from tests.conftest import Tenant
from tests.integration.scenario import order_payload
from tests.support import LiveServer

DAY = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def place(client: httpx.Client, number: str, **overrides: object) -> dict:
    answer = client.post("/api/v1/orders", json=order_payload(number, **overrides))
    assert answer.status_code == 201, answer.text
    return answer.json()


def numbers(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["number"] for item in answer.json()["items"]]


def search(client: httpx.Client, q: str) -> list[str]:
    return numbers(client.get("/api/v1/orders", params={"q": q}))


def test_an_order_number_is_found_however_the_shopper_or_staff_typed_it(client: httpx.Client) -> None:
    order = place(client, "NW-10442")
    for typed in ("NW-10442", "nw-10442", "Nw-10442", "NW10442", "%23NW 10442"):
        answer = client.get(f"/api/v1/orders/{typed}")
        assert answer.status_code == 200, (typed, answer.text)
        assert answer.json()["id"] == order["id"]


def test_a_number_that_reads_as_an_existing_one_is_refused_with_409(client: httpx.Client) -> None:
    place(client, "NW-10442")
    for alike in ("nw-10442", "NW10442", "#NW-10442", "NW–10442"):
        answer = client.post("/api/v1/orders", json=order_payload(alike))
        assert answer.status_code == 409, answer.text
        error = answer.json()["error"]
        assert error["code"] == "duplicate_order_number"
        assert "NW-10442" in error["message"]
    # Punctuation the key keeps still makes another number.
    place(client, "NW.10442")


def test_a_number_with_no_letter_or_digit_is_refused_with_422(client: httpx.Client) -> None:
    answer = client.post("/api/v1/orders", json=order_payload("#--"))
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "unreadable_order_number"


def test_another_merchant_may_use_a_number_that_reads_alike(
    client: httpx.Client, server: LiveServer, make_merchant: Callable[[str], Tenant]
) -> None:
    place(client, "NW-10442")
    other = make_merchant("Other Store")
    with server.client(other.api_key) as theirs:
        mine = place(theirs, "nw10442")
        assert theirs.get("/api/v1/orders/NW-10442").json()["id"] == mine["id"]
        assert search(theirs, "10442") == ["nw10442"]
    assert search(client, "10442") == ["NW-10442"]


def test_support_finds_an_order_by_part_of_its_number_name_email_phone_or_tracking_number(
    client: httpx.Client,
) -> None:
    customer = {"email": "maria.souza@example.com", "name": "Maria Souza", "phone": "+5511987654321"}
    place(client, "NW-10459", customer=customer)
    place(client, "NW-10460")
    order = place(client, "NW-20001", customer={"email": "joe@example.org", "name": "Joe Bloggs"})
    client.post(f"/api/v1/orders/{order['id']}/confirm")
    shipped = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={
            "carrier": "acme_post",
            "tracking_number": "ZX123456789GB",
            "lines": [{"sku": "TENT-2P", "quantity": 1}],
        },
    )
    assert shipped.status_code == 201, shipped.text

    for typed in ("nw-10459", "#NW-10459", "10459", "NW 10459", "maria souza", "souza", "SOUZA maria",
                  "maria.souza@EXAMPLE", "987654321", "+55 11 98765-4321", "(11) 98765 4321"):  # fmt: skip
        assert search(client, typed) == ["NW-10459"], typed
    for typed in ("zx123456", "zx 1234 5678 9gb", "Joe Bloggs", "joe@"):
        assert search(client, typed) == ["NW-20001"], typed
    assert sorted(search(client, "nw-104")) == ["NW-10459", "NW-10460"]
    assert search(client, "nobody") == []
    assert search(client, "100%") == []  # LIKE's wildcards are taken literally
    assert search(client, "NW_1") == []


def test_the_list_is_newest_placed_first_whatever_order_the_records_were_made_in(
    client: httpx.Client,
) -> None:
    # Recorded in an order unlike the one they were placed in (an import of older orders).
    offsets = [3, 0, 5, 1, 4, 2, 6]
    for index, days in enumerate(offsets):
        place(client, f"P-{index}", placed_at=(DAY - timedelta(days=days)).isoformat())
    expected = [f"P-{offsets.index(days)}" for days in sorted(offsets)]
    seen: list[str] = []
    cursor = ""
    while True:
        answer = client.get("/api/v1/orders", params={"limit": 3, "cursor": cursor})
        page = answer.json()
        seen += numbers(answer)
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert seen == expected
    placed = [item["placed_at"] for item in client.get("/api/v1/orders").json()["items"]]
    assert placed == sorted(placed, reverse=True)


def test_a_search_pages_through_exactly_what_it_matches(client: httpx.Client) -> None:
    for index in range(5):
        place(client, f"S-{index}", placed_at=(DAY - timedelta(hours=index)).isoformat())
        place(client, f"T-{index}", placed_at=(DAY - timedelta(hours=index)).isoformat())
    first = client.get("/api/v1/orders", params={"q": "s-", "limit": 2}).json()
    second = client.get(
        "/api/v1/orders", params={"q": "s-", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    third = client.get(
        "/api/v1/orders", params={"q": "s-", "limit": 2, "cursor": second["next_cursor"]}
    ).json()
    assert [i["number"] for p in (first, second, third) for i in p["items"]] == [f"S-{i}" for i in range(5)]
    assert third["next_cursor"] is None


def test_any_cursor_of_the_declared_form_is_a_place_and_anything_else_a_clear_422(
    client: httpx.Client, server: LiveServer, make_merchant: Callable[[str], Tenant]
) -> None:
    old = place(client, "A-1", placed_at="2020-01-01T00:00:00Z")
    place(client, "A-2", placed_at="2026-12-01T00:00:00Z")
    answer = client.get("/api/v1/orders", params={"cursor": "nonsense"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_cursor"
    # An id that names none of the merchant's orders stands where its id says it was made.
    assert numbers(client.get("/api/v1/orders", params={"cursor": "ord_" + "0" * 26})) == []
    assert numbers(client.get("/api/v1/orders", params={"cursor": "ord_" + "z" * 26})) == ["A-2", "A-1"]
    # Another merchant's order is such an id: its own placed_at is never read, its orders never shown.
    other = make_merchant("Other Store")
    with server.client(other.api_key) as theirs:
        foreign = place(theirs, "B-1", placed_at="2025-01-01T00:00:00Z")["id"]
        # A-1 was placed in 2020 but its id was made today: B-1 (2025) is older than that place.
        assert numbers(theirs.get("/api/v1/orders", params={"cursor": old["id"]})) == ["B-1"]
    assert numbers(client.get("/api/v1/orders", params={"cursor": foreign})) == ["A-2", "A-1"]
    for bad_q in ("a\x01b", "x" * 201):
        answer = client.get("/api/v1/orders", params={"q": bad_q})
        assert answer.status_code == 422, answer.text
        assert "error" in answer.json()


def test_a_tracking_number_is_found_typed_with_a_hash_dashes_spaces_or_lower_case(
    client: httpx.Client,
) -> None:
    order = place(client, "TR-1")
    client.post(f"/api/v1/orders/{order['id']}/confirm")
    shipped = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={
            "carrier": "acme_post",
            "tracking_number": "ZX123456789GB",
            "lines": [{"sku": "TENT-2P", "quantity": 1}],
        },
    )
    assert shipped.status_code == 201, shipped.text
    for typed in ("zx123456789gb", "ZX 123 456 789 GB", "zx-123-456-789-gb", "%23ZX123456789GB"):
        answer = client.get(f"/api/v1/tracking/{typed}")
        assert answer.status_code == 200, (typed, answer.text)
        assert answer.json()["order"]["number"] == "TR-1"
    assert client.get("/api/v1/tracking/ZX123456789GX").status_code == 404
