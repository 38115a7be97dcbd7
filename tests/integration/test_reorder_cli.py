"""``ordertrack reorder list`` and ``draft`` on both databases: the same suggestions as the API,
CSV out, and the drafts made in one command; an unknown merchant or warehouse exits 1."""

from __future__ import annotations

import csv
import io

import httpx
from typer.testing import CliRunner

from ordertrack.cli.main import app
from ordertrack.db.uow import Database
from tests.api.test_supplier_planning_api import sell
from tests.api.test_suppliers_api import stock_the_merchant

runner = CliRunner()


def test_the_cli_lists_suggestions_and_drafts_them(client: httpx.Client, db: Database) -> None:
    supplier = stock_the_merchant(client)
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    assert client.put("/api/v1/stock/AUS1/TENT-2P", json={"on_hand": 30}).status_code == 200
    client.put(f"/api/v1/suppliers/{supplier}/skus/TENT-2P", json={"unit_cost": "41.50", "currency": "EUR"})
    sell(db, merchant_id, "TENT-2P", 4)
    url = db.url.render_as_string(hide_password=False)
    base = ["--merchant", merchant_id, "--db", url]

    listed = runner.invoke(app, ["reorder", "list", "--csv", *base])
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    api = client.get("/api/v1/reorder-suggestions").json()["items"]
    assert [(r["sku"], r["warehouse"], int(r["suggested_quantity"])) for r in rows] == [
        (i["sku"], i["warehouse"]["code"], i["suggested_quantity"]) for i in api
    ]
    assert rows[0]["runs_out_before_inbound"] == "yes"

    drafted = runner.invoke(app, ["reorder", "draft", *base])
    assert drafted.exit_code == 0, drafted.output
    assert f"1 line, {api[0]['suggested_quantity']} units" in drafted.stdout
    [po] = client.get("/api/v1/purchase-orders?status=draft").json()["items"]
    assert po["lines"][0]["quantity"] == api[0]["suggested_quantity"]
    history = client.get(f"/api/v1/purchase-orders/{po['id']}/history").json()["items"]
    assert history[0]["actor"] == "cli:reorder"
    # Drafted once: nothing left to order.
    again = runner.invoke(app, ["reorder", "draft", *base])
    assert again.exit_code == 1 and "nothing to order" in again.output


def test_the_cli_refuses_an_unknown_merchant_or_warehouse(client: httpx.Client, db: Database) -> None:
    stock_the_merchant(client)
    url = db.url.render_as_string(hide_password=False)
    nobody = runner.invoke(app, ["reorder", "list", "--merchant", "mer_nobody", "--db", url])
    assert nobody.exit_code == 1 and "no merchant" in nobody.output
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    nowhere = runner.invoke(
        app, ["reorder", "list", "--merchant", merchant_id, "--warehouse", "ZZZ", "--db", url]
    )
    assert nowhere.exit_code == 1 and "unknown_warehouse" in nowhere.output
