"""Delivery analytics over HTTP (GET /api/v1/analytics/...): the JSON equals the figures read
from the cells, with filters and groups; CSV on request; bad questions are 422 with a code; a
merchant's key sees only its own shipments. The simulator's data goes through the real API."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ordertrack.analytics import store
from ordertrack.db.uow import Database
from tests.conftest import Tenant
from tests.integration.test_analytics_store import fold_everything, send_simulation
from tests.support import LiveServer

TODAY = datetime.now(UTC).date()
FIRST = TODAY - timedelta(days=90)


@pytest.fixture
def fed(db: Database, server: LiveServer, make_merchant: Callable[[str], Tenant]) -> tuple[Tenant, Tenant]:
    a, b = make_merchant("Alpha"), make_merchant("Beta")
    send_simulation(server, a.api_key, seed=3)
    send_simulation(server, b.api_key, seed=5, orders=20)
    assert fold_everything(db) > 0
    return a, b


def get(server: LiveServer, tenant: Tenant, path: str, **headers: str) -> httpx.Response:
    return httpx.get(
        server.base_url + path, headers={"Authorization": f"Bearer {tenant.api_key}", **headers}, timeout=30
    )


class TestAnalyticsApi:
    def test_every_figure_equals_the_cells_and_filters_choose_them(
        self, db: Database, server: LiveServer, fed: tuple[Tenant, Tenant]
    ) -> None:
        a, _ = fed
        answer = get(server, a, f"/api/v1/analytics/delivery?from={FIRST}&to={TODAY}")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        with db.uow(write=False) as uow:
            expected = store.figures(uow, a.merchant_id, FIRST, TODAY)
            carrier = next(iter(store.read_cells(uow, a.merchant_id, FIRST, TODAY))).carrier
            by_carrier = store.figures(uow, a.merchant_id, FIRST, TODAY, carrier=carrier)
        figures = body["figures"]
        assert figures["shipments"] == expected.shipments > 10
        assert figures["on_time_promise"]["numerator"] == expected.on_time_promise.numerator
        assert figures["on_time_promise"]["denominator"] == expected.on_time_promise.denominator
        assert figures["transit"]["p90_hours"] == expected.transit.p90_hours
        assert sum(w["shipments"] for w in body["weeks"]) == expected.shipments
        filtered = get(server, a, f"/api/v1/analytics/delivery?from={FIRST}&to={TODAY}&carrier={carrier}")
        assert filtered.json()["figures"]["shipments"] == by_carrier.shipments < expected.shipments
        grouped = get(
            server, a, f"/api/v1/analytics/delivery?from={FIRST}&to={TODAY}&group_by=carrier"
        ).json()
        assert sum(g["figures"]["shipments"] for g in grouped["groups"]) == expected.shipments
        assert {g["key"]["carrier"] for g in grouped["groups"]} >= {carrier}

    def test_csv_by_format_or_accept_holds_the_same_numbers(
        self, server: LiveServer, fed: tuple[Tenant, Tenant]
    ) -> None:
        a, _ = fed
        body = get(server, a, f"/api/v1/analytics/delivery?from={FIRST}&to={TODAY}").json()["figures"]
        for answer in (
            get(server, a, f"/api/v1/analytics/delivery?from={FIRST}&to={TODAY}&format=csv"),
            get(server, a, f"/api/v1/analytics/delivery?from={FIRST}&to={TODAY}", accept="text/csv"),
        ):
            assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
            rows = list(csv.DictReader(io.StringIO(answer.text)))
            overall = {r["figure"]: r for r in rows if not r["group"] and not r["detail"]}
            assert overall["shipments"]["value"] == str(body["shipments"])
            assert overall["first_attempt"]["numerator"] == str(body["first_attempt"]["numerator"])

    def test_another_merchants_key_sees_only_its_own_shipments(
        self, db: Database, server: LiveServer, fed: tuple[Tenant, Tenant]
    ) -> None:
        a, b = fed
        seen_a = get(server, a, f"/api/v1/analytics/delivery?from={FIRST}&to={TODAY}").json()["figures"]
        seen_b = get(server, b, f"/api/v1/analytics/delivery?from={FIRST}&to={TODAY}").json()["figures"]
        with db.uow(write=False) as uow:
            assert seen_b["shipments"] == store.figures(uow, b.merchant_id, FIRST, TODAY).shipments
        assert seen_b["shipments"] < seen_a["shipments"]

    def test_groups_come_a_page_at_a_time_most_shipments_first(
        self, server: LiveServer, fed: tuple[Tenant, Tenant]
    ) -> None:
        a, _ = fed
        base = f"/api/v1/analytics/delivery?from={FIRST}&to={TODAY}&group_by=lane"
        whole = get(server, a, base + "&limit=1000").json()
        total = whole["groups_total"]
        assert total == len(whole["groups"]) > 3 and whole["next_offset"] is None
        pages, offset = [], 0
        while offset is not None:
            page = get(server, a, base + f"&limit=2&offset={offset}").json()
            assert page["groups_total"] == total and len(page["groups"]) <= 2
            pages.extend(page["groups"])
            offset = page["next_offset"]
        assert pages == whole["groups"]
        shipments = [g["figures"]["shipments"] for g in pages]
        assert shipments == sorted(shipments, reverse=True)
        default = get(server, a, base).json()
        assert default["limit"] == 100 and default["groups"] == whole["groups"][:100]
        # The CSV is the whole list unless a limit is asked for.
        rows = list(csv.reader(io.StringIO(get(server, a, base + "&format=csv").text)))
        lanes_in_csv = {tuple(row[1:2]) for row in rows[1:] if row[0] == "shipments" and row[1]}
        assert len(lanes_in_csv) == total
        for bad in ("&limit=0", "&limit=1001", "&offset=-1", "&limit=x"):
            answer = get(server, a, base + bad)
            assert answer.status_code == 422 and answer.json()["error"]["code"], bad

    @pytest.mark.parametrize(
        ("query", "code"),
        [
            ("from=2026-02-30", "invalid_date"),
            ("from=2026-03-02&to=2026-03-01", "range_reversed"),
            ("from=2024-01-01&to=2026-01-01", "range_too_long"),
            ("destination_country=Brazil", "validation_error"),
            ("group_by=planet", "validation_error"),
        ],
    )
    def test_a_bad_question_is_422_with_a_code(
        self, server: LiveServer, make_merchant: Callable[[str], Tenant], query: str, code: str
    ) -> None:
        answer = get(server, make_merchant("Gamma"), f"/api/v1/analytics/delivery?{query}")
        assert answer.status_code == 422 and answer.json()["error"]["code"] == code, answer.text

    def test_lanes_and_the_shipments_behind_a_lane(
        self, db: Database, server: LiveServer, fed: tuple[Tenant, Tenant]
    ) -> None:
        a, b = fed
        for window in (7, 30):
            lanes = get(server, a, f"/api/v1/analytics/lanes?window={window}")
            assert lanes.status_code == 200 and lanes.json()["window_days"] == window
            assert isinstance(lanes.json()["lanes"], list)
        refused = get(server, a, "/api/v1/analytics/lanes?window=9")
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "validation_error"
        with db.uow(write=False) as uow:
            key = next(k for k in store.read_cells(uow, a.merchant_id, FIRST, TODAY) if k.destination_country)
        lane = (
            f"carrier={key.carrier}&origin_country={key.origin_country or ''}"
            f"&destination_country={key.destination_country}"
            f"&destination_region={key.destination_region or ''}"
        )
        path = f"/api/v1/analytics/lanes/shipments?{lane}&window=30&as_of={TODAY}"
        with db.uow(write=False) as uow:
            expected = store.lane_shipments(
                uow,
                a.merchant_id,
                (key.carrier, key.origin_country, key.destination_country, key.destination_region),
                TODAY - timedelta(days=29),
                TODAY,
                late_only=False,
            )
        seen: list[str] = []
        cursor = ""
        while True:
            page = get(server, a, path + (f"&limit=2&cursor={cursor}" if cursor else "&limit=2")).json()
            seen += [item["shipment_id"] for item in page["items"]]
            if page["next_cursor"] is None:
                break
            cursor = page["next_cursor"]
        assert seen == expected
        theirs = {item["shipment_id"] for item in get(server, b, path + "&limit=200").json()["items"]}
        assert theirs.isdisjoint(expected)
