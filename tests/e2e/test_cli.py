"""The command line as a user runs it: real processes, a real server, a real database file."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordertrack.bootstrap import open_database
from ordertrack.config import Settings
from ordertrack.db import migrate
from ordertrack.fulfilment import shipping
from tests.conftest import BACKENDS, TEST_SECRET
from tests.support import ServeProcess, fresh_postgres_database


def ordertrack(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ordertrack", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "ORDERTRACK_DATABASE_URL": f"sqlite:///{cwd / 'var' / 'cli.db'}"},
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture(params=BACKENDS)
def demo(request: pytest.FixtureRequest, workdir: Path) -> Iterator[ServeProcess]:
    """``ordertrack serve --demo --no-live`` in its own process, on a new database file or a new
    PostgreSQL database with nothing in it."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{workdir / 'demo.db'}"
        else:
            server = Settings().test_postgres_url
            if not server:
                pytest.skip("PostgreSQL tests are off: set ORDERTRACK_TEST_POSTGRES_URL to a server URL")
            url = stack.enter_context(fresh_postgres_database(server))
        yield stack.enter_context(
            ServeProcess(url, workdir, secret=TEST_SECRET, args=["--demo", "--no-live"])
        )


def test_db_upgrade_then_merchants_create_prints_a_working_key(workdir: Path) -> None:
    upgraded = ordertrack("db", "upgrade", cwd=workdir)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"database at {migrate.head_revision()}" in upgraded.stdout
    again = ordertrack("db", "upgrade", cwd=workdir)
    assert "already up to date" in again.stdout

    created = ordertrack("merchants", "create", "--name", "Acme", "--json", cwd=workdir)
    assert created.returncode == 0, created.stderr
    printed = json.loads(created.stdout)
    assert set(printed) == {"merchant_id", "api_key"}
    assert printed["merchant_id"].startswith("mer_") and printed["api_key"].startswith("otk_")


def test_bad_database_url_is_a_clear_usage_error(workdir: Path) -> None:
    result = ordertrack("db", "upgrade", "--db", "mysql://nowhere/db", cwd=workdir)
    assert result.returncode == 2
    assert "unsupported database URL" in result.stderr


def test_serve_creates_the_schema_of_an_empty_database_and_seeds_the_demo(demo: ServeProcess) -> None:
    # The key is printed before the server answers, so it is in the log by now.
    key = next(line.split("API key:")[1].strip() for line in demo.log().splitlines() if "API key:" in line)
    assert key.startswith("otk_")
    with demo.client(key) as http:
        orders = http.get("/api/v1/orders", params={"limit": 200}).json()
    assert len(orders["items"]) >= 20
    statuses = {o["status"] for o in orders["items"]}
    assert {"pending", "processing", "shipped", "delivered", "cancelled"} <= statuses


def test_stock_import_sets_counts_with_progress_and_refuses_a_bad_file_whole(workdir: Path) -> None:
    created = json.loads(ordertrack("merchants", "create", "--name", "Acme", "--json", cwd=workdir).stdout)
    from ordertrack.inventory import service as inventory
    from ordertrack.inventory.schemas import WarehouseIn
    from ordertrack.kit.schema import AddressIn

    db = open_database(f"sqlite:///{workdir / 'var' / 'cli.db'}")
    with db.uow() as uow:
        inventory.create_warehouse(
            uow,
            created["merchant_id"],
            WarehouseIn(
                code="AUS1",
                name="Austin",
                address=AddressIn(line1="1 Dock Road", city="Austin", country="US"),
                timezone="America/Chicago",
            ),
        )
        uow.commit()
    bad = workdir / "bad.csv"
    bad.write_text("warehouse,sku,on_hand\nAUS1,TENT,5\nNOWHERE,MUG,1\nAUS1,STOVE,-2\n")
    refused = ordertrack("stock", "import", str(bad), "--merchant", created["merchant_id"], cwd=workdir)
    assert refused.returncode == 1
    assert (
        "bad.csv:3: merchant has no warehouse 'NOWHERE'" in refused.stderr and "bad.csv:4:" in refused.stderr
    )

    good = workdir / "good.csv"
    good.write_text(
        "warehouse,sku,on_hand,low_stock_threshold\n" + "".join(f"AUS1,SKU-{i},{i},2\n" for i in range(1200))
    )
    imported = ordertrack("stock", "import", str(good), "--merchant", created["merchant_id"], cwd=workdir)
    assert imported.returncode == 0, imported.stderr
    assert "imported 1200 stock levels: 1200 new" in imported.stdout
    assert "importing stock [########################] 1,200/1,200" in imported.stderr
    with db.uow(write=False) as uow:
        levels = inventory.list_stock(uow, created["merchant_id"], sku=None, warehouse=None, low=None)
        assert len(levels) == 1200 and sum(level.on_hand for level, _ in levels) == sum(range(1200))
        assert not any(level.sku == "TENT" for level, _ in levels)  # the refused file left nothing
    db.dispose()


def merchant_with_warehouse(workdir: Path) -> str:
    from ordertrack.inventory import service as inventory
    from ordertrack.inventory.schemas import WarehouseIn
    from ordertrack.kit.schema import AddressIn

    created = json.loads(ordertrack("merchants", "create", "--name", "Acme", "--json", cwd=workdir).stdout)
    db = open_database(f"sqlite:///{workdir / 'var' / 'cli.db'}")
    with db.uow() as uow:
        inventory.create_warehouse(
            uow,
            created["merchant_id"],
            WarehouseIn(
                code="AUS1",
                name="Austin",
                address=AddressIn(line1="1 Dock Road", city="Austin", country="US"),
                timezone="America/Chicago",
            ),
        )
        uow.commit()
    db.dispose()
    return str(created["merchant_id"])


def stock_levels(workdir: Path, merchant: str) -> dict[str, int]:
    from ordertrack.inventory import service as inventory

    db = open_database(f"sqlite:///{workdir / 'var' / 'cli.db'}")
    with db.uow(write=False) as uow:
        levels = inventory.list_stock(uow, merchant, sku=None, warehouse=None, low=None)
    db.dispose()
    return {level.sku: level.on_hand for level, _ in levels}


def test_stock_import_is_all_or_nothing_when_a_late_row_cannot_be_applied(workdir: Path) -> None:
    from ordertrack.orders import service as orders_service
    from ordertrack.orders.schemas import OrderIn
    from tests.integration.scenario import order_payload

    merchant = merchant_with_warehouse(workdir)
    db = open_database(f"sqlite:///{workdir / 'var' / 'cli.db'}")
    with db.uow() as uow:
        order = orders_service.place_order(
            uow,
            merchant,
            OrderIn.model_validate(order_payload(lines=[{"sku": "TENT", "quantity": 3, "unit_price": "10"}])),
        )
        orders_service.confirm_order(uow, merchant, order.id)  # 3 backordered: nothing in stock yet
        uow.commit()
    db.dispose()
    first = workdir / "first.csv"
    first.write_text("warehouse,sku,on_hand\nAUS1,TENT,5\n")
    assert ordertrack("stock", "import", str(first), "--merchant", merchant, cwd=workdir).returncode == 0
    # Line 552 of 601 counts TENT under the 3 units its order holds.
    lines = [f"AUS1,SKU-{i},{i}" for i in range(600)]
    lines[550] = "AUS1,TENT,2"
    recount = workdir / "recount.csv"
    recount.write_text("warehouse,sku,on_hand\n" + "\n".join(lines) + "\n")
    refused = ordertrack("stock", "import", str(recount), "--merchant", merchant, cwd=workdir)
    assert refused.returncode == 1
    assert "recount.csv:552: AUS1/TENT: 3 reserved;" in refused.stderr
    assert "nothing imported" in refused.stderr
    assert stock_levels(workdir, merchant) == {"TENT": 5}


def test_stock_import_names_bad_rows_and_unreadable_files_without_a_traceback(workdir: Path) -> None:
    merchant = merchant_with_warehouse(workdir)
    cases = {
        "signs.csv": (
            "warehouse,sku,on_hand\nAUS1,A,1_000\nAUS1,B,+5\nAUS1,C,\u0663\nAUS1,D,1000000001\n".encode(),
            [
                "signs.csv:2:",
                "signs.csv:3:",
                "signs.csv:4:",
                "signs.csv:5: on_hand must be at most 1,000,000,000",
            ],
        ),
        "latin1.csv": (
            "warehouse,sku,on_hand\nAUS1,CAFÉ,1\n".encode("cp1252"),
            ["latin1.csv:2: not UTF-8 text"],
        ),
        "long.csv": (
            ("warehouse,sku,on_hand\nAUS1," + "S" * 300_000 + ",1\n").encode(),
            ["long.csv:2: cannot be read as CSV"],
        ),
        "many.csv": (
            ("warehouse,sku,on_hand\n" + "".join(f"AUS1,S{i},x\n" for i in range(80))).encode(),
            ["many.csv:51:", "... and 30 more bad lines"],
        ),
    }
    for name, (data, expected) in cases.items():
        path = workdir / name
        path.write_bytes(data)
        result = ordertrack("stock", "import", str(path), "--merchant", merchant, cwd=workdir)
        assert result.returncode == 1, (name, result.stdout)
        assert "Traceback" not in result.stderr
        for text in expected:
            assert text in result.stderr, (name, result.stderr)
        assert "nothing imported" in result.stderr and len(result.stderr) < 10_000
    unknown = ordertrack(
        "stock", "import", str(workdir / "signs.csv"), "--merchant", "mer_nobody", cwd=workdir
    )
    assert (unknown.returncode, "no merchant 'mer_nobody'" in unknown.stderr) == (1, True)
    assert stock_levels(workdir, merchant) == {}


def test_labels_print_writes_the_labels_waiting_at_a_warehouse_with_progress(workdir: Path) -> None:
    import pypdfium2

    from ordertrack.orders import service as orders_service
    from ordertrack.orders.schemas import OrderIn
    from ordertrack.shipments import service as shipments_service
    from ordertrack.shipments.schemas import ShipmentIn
    from tests.integration.scenario import WINDOW, order_payload

    created = json.loads(ordertrack("merchants", "create", "--name", "Acme", "--json", cwd=workdir).stdout)
    merchant = created["merchant_id"]
    db = open_database(f"sqlite:///{workdir / 'var' / 'cli.db'}")
    with db.uow() as uow:
        for n in range(3):
            order = orders_service.place_order(uow, merchant, OrderIn.model_validate(order_payload(f"L-{n}")))
            shipment = shipping.create_shipment(
                uow, merchant, order.id, ShipmentIn(carrier="own", warehouse="DOCK1"), recycle_window=WINDOW
            )
        shipments_service.hand_over(uow, merchant, shipment.id)  # the last one already left
        uow.commit()
    db.dispose()
    out = workdir / "labels.pdf"
    printed = ordertrack(
        "labels", "print", "--warehouse", "DOCK1", "--out", str(out), "--merchant", merchant, cwd=workdir
    )
    assert printed.returncode == 0, printed.stderr
    assert "wrote 2 labels for 2 shipments" in printed.stdout
    assert len(pypdfium2.PdfDocument(out.read_bytes())) == 2
