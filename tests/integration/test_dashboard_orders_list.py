"""The dashboard's orders list over HTTP on both databases: newest placed first with newer and
older pages and a total, filters kept in every link, support's search, and the CSV export of
exactly what is filtered; bad input is a clear 4xx and another merchant's orders never show."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import httpx

from ordertrack.db.uow import Database
from ordertrack.orders import service as orders_service
from ordertrack.orders.schemas import OrderIn
from tests.integration.scenario import order_payload
from tests.integration.test_dashboard_forms import signed_in
from tests.integration.test_staff import make_staff
from tests.support import LiveServer

DAY = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PAGE = 25  # the list's page size


def place(db: Database, merchant_id: str, number: str, hours_ago: float, **overrides: object) -> str:
    payload = order_payload(number, placed_at=(DAY - timedelta(hours=hours_ago)).isoformat(), **overrides)
    with db.uow() as uow:
        order = orders_service.place_order(uow, merchant_id, OrderIn.model_validate(payload))
        uow.commit()
        return order.id


def listed(page: httpx.Response) -> list[str]:
    assert page.status_code == 200, page.text
    return re.findall(r'<a href="/dashboard/orders/ord_[0-9a-z]+">#([^<]+)</a>', page.text)


def link(page: httpx.Response, name: str) -> str | None:
    found = re.search(r'<a [^>]*href="(/dashboard/orders[^"]*)"[^>]*>' + re.escape(name), page.text)
    return html.unescape(found.group(1)) if found else None


def test_pages_go_older_and_newer_by_when_orders_were_placed(
    server: LiveServer, db: Database, make_merchant
) -> None:
    merchant = make_merchant("Acme")
    make_staff(db, merchant.merchant_id)
    # Recorded oldest-placed last, as an import of older orders is: the list must not follow ids.
    for index in range(60):
        place(db, merchant.merchant_id, f"NW-{10400 + index}", hours_ago=index if index % 2 else 200 - index)
    expected = [f"NW-{10400 + i}" for i in sorted(range(60), key=lambda i: i if i % 2 else 200 - i)]
    with signed_in(server) as http:
        first = http.get("/dashboard/orders")
        assert "60 orders" in first.text
        assert listed(first) == expected[:PAGE]
        assert link(first, "← Newer orders") is None
        second = http.get(link(first, "Older orders →") or "")
        assert listed(second) == expected[PAGE : 2 * PAGE]
        third = http.get(link(second, "Older orders →") or "")
        assert listed(third) == expected[2 * PAGE :]
        assert link(third, "Older orders →") is None
        back = http.get(link(third, "← Newer orders") or "")
        assert listed(back) == expected[PAGE : 2 * PAGE]
        assert listed(http.get(link(back, "← Newer orders") or "")) == expected[:PAGE]
        assert link(back, "Newest") == "/dashboard/orders"


def test_filters_stay_in_every_link_and_the_export_has_exactly_the_filtered_orders(
    server: LiveServer, db: Database, make_merchant
) -> None:
    merchant = make_merchant("Acme")
    other = make_merchant("Other")
    make_staff(db, merchant.merchant_id)
    for index in range(30):
        place(db, merchant.merchant_id, f"NW-{10400 + index}", hours_ago=index)
    place(db, merchant.merchant_id, "ZZ-1", hours_ago=1)
    hostile = {"email": "eve@example.com", "name": '=HYPERLINK("http://evil","x")', "phone": "+15550102030"}
    place(db, merchant.merchant_id, "NW-10499", hours_ago=0.5, customer=hostile)
    place(db, other.merchant_id, "NW-10401", hours_ago=1)
    with signed_in(server) as http:
        first = http.get("/dashboard/orders", params={"q": "nw-104", "status": "pending"})
        assert "31 orders match" in first.text
        assert "ZZ-1" not in listed(first)
        older = link(first, "Older orders →") or ""
        assert "q=nw-104" in older and "status=pending" in older
        export = link(first, "Export these 31 to CSV") or ""
        assert export.startswith("/dashboard/orders.csv?") and "q=nw-104" in export
        assert not re.search(r"(after|before)=", export)  # every page, not the one shown

        answer = http.get(export)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert answer.headers["content-disposition"].startswith('attachment; filename="orders-')
        rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
        assert len(rows) == 31
        assert [r["order_number"] for r in rows][:3] == ["NW-10400", "NW-10499", "NW-10401"]
        assert {r["order_number"] for r in rows} == {f"NW-{10400 + i}" for i in range(30)} | {"NW-10499"}
        evil = rows[1]
        assert evil["customer_name"] == '\'=HYPERLINK("http://evil","x")'
        assert evil["customer_phone"] == "'+15550102030"
        assert evil["total"] == "410.50" and evil["items"] == "3" and evil["currency"] == "USD"
        assert evil["placed_at"] == "2026-12-01T11:30:00Z"
        # The whole list exports too, and never another merchant's order.
        everything = http.get("/dashboard/orders.csv")
        numbers = [
            r["order_number"] for r in csv.DictReader(io.StringIO(everything.content.decode("utf-8-sig")))
        ]
        assert len(numbers) == 32 and numbers.count("NW-10401") == 1


def test_support_searches_as_they_would_type(server: LiveServer, db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme")
    other = make_merchant("Other")
    make_staff(db, merchant.merchant_id)
    customer = {"email": "maria.souza@example.com", "name": "Maria Souza", "phone": "+5511987654321"}
    place(db, merchant.merchant_id, "NW-10459", hours_ago=2, customer=customer)
    place(db, merchant.merchant_id, "NW-10460", hours_ago=1)
    place(db, other.merchant_id, "NW-10461", hours_ago=1, customer=customer)
    with signed_in(server) as http:
        for typed in ("nw-10459", "#NW-10459", "10459", "Maria", "souza MARIA", "maria.souza@", "98765-4321"):
            assert listed(http.get("/dashboard/orders", params={"q": typed})) == ["NW-10459"], typed
        assert sorted(listed(http.get("/dashboard/orders", params={"q": "NW-104"}))) == [
            "NW-10459",
            "NW-10460",
        ]
        nothing = http.get("/dashboard/orders", params={"q": "no such order"})
        assert (
            listed(nothing) == [] and "No orders match." in nothing.text and "0 orders match" in nothing.text
        )


def test_bad_list_input_is_a_clear_4xx(server: LiveServer, db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme")
    other = make_merchant("Other")
    make_staff(db, merchant.merchant_id)
    place(db, merchant.merchant_id, "NW-1", hours_ago=1)
    foreign = place(db, other.merchant_id, "NW-2", hours_ago=1)
    with signed_in(server) as http:
        for params, status in (
            ({"status": "lost"}, 400),
            ({"from": "2026-12-05", "to": "2026-12-01"}, 400),
            ({"from": "yesterday"}, 400),
            ({"q": "a\x01b"}, 400),
            ({"after": "nonsense"}, 422),
            ({"before": "ord_!"}, 422),
            ({"before": foreign}, 200),  # a place in this list; never the other merchant's order
            ({"after": foreign}, 200),
        ):
            answer = http.get("/dashboard/orders", params=params)
            assert answer.status_code == status, (params, answer.status_code)
            assert "NW-2" not in answer.text
        assert http.get("/dashboard/orders.csv", params={"status": "lost"}).status_code == 400
    with server.client() as anonymous:
        answer = anonymous.get("/dashboard/orders.csv")
        assert answer.status_code == 303 and "/dashboard/login" in answer.headers["location"]
