"""``ordertrack stock import`` of a large file, on SQLite and PostgreSQL, beside the bare driver.

    python bench/stock_import.py [--rows 200000] [--pg postgresql://postgres@127.0.0.1:5432/postgres]
        [--no-pg]

For each database: a fresh one (a file in a temporary directory; ``ordertrack_bench_<hex>`` on
the PostgreSQL server, dropped at the end), migrated, with one merchant and four warehouses.
A CSV of ``--rows`` counts (a threshold on every seventh row) is written to the temporary
directory and imported twice with the command as a user runs it, in its own process:

- ``first``: every level is new (one level, one ledger row per count with stock);
- ``recount``: the same levels again, every count changed (one update, one ledger row each).

The baseline, in the same run, writes the same rows the first import writes (levels and ledger
rows, for a second merchant) with the bare driver in one transaction: sqlite3 or psycopg 3
``executemany``, and on PostgreSQL also ``COPY``, which is what the import itself uses there.
The command's time includes starting Python and reading the file; the baseline's does not.

stdout carries one JSON document; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.schemas import WarehouseIn
from ordertrack.kit.ids import new_ids

from benchdb import DEFAULT_SERVER, create_tenant, fresh_database, libpq_url, migrated
from cpu import cpu_use

WAREHOUSES = ("AUS1", "BER1", "CHI1", "DUB1")
LEVEL_COLUMNS = (
    "id",
    "merchant_id",
    "warehouse_id",
    "sku",
    "on_hand",
    "reserved",
    "low_stock_threshold",
    "below_threshold",
    "updated_at",
)
MOVEMENT_COLUMNS = (
    "merchant_id",
    "warehouse_id",
    "sku",
    "kind",
    "on_hand_delta",
    "reserved_delta",
    "actor",
    "reason",
    "created_at",
)


def progress(message: str) -> None:
    print(f"[stock-import {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def counts(rows: int, shift: int) -> list[tuple[str, str, int, int | None]]:
    """(warehouse, sku, on_hand, threshold); ``shift`` changes every count."""
    return [
        (
            WAREHOUSES[i % len(WAREHOUSES)],
            f"SKU-{i:07d}",
            (i * 37 + shift) % 500 + 1,
            5 if i % 7 == 0 else None,
        )
        for i in range(rows)
    ]


def write_csv(path: Path, rows: list[tuple[str, str, int, int | None]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("warehouse,sku,on_hand,low_stock_threshold\n")
        out.writelines(f"{w},{s},{n},{'' if t is None else t}\n" for w, s, n, t in rows)


def prepare(url: str) -> tuple[str, dict[str, str]]:
    """A merchant with the warehouses; its id and warehouse ids by code."""
    db = migrated(url)
    tenant = create_tenant(db, "Bench Stock")
    with db.uow() as uow:
        ids = {
            code: inventory_service.create_warehouse(
                uow, tenant.merchant_id, WarehouseIn(code=code, name=code, country="US", timezone="UTC")
            ).id
            for code in WAREHOUSES
        }
        uow.commit()
    db.dispose()
    return tenant.merchant_id, ids


class BackendCpu:
    """CPU seconds of the PostgreSQL backends serving one database, sampled from /proc every
    0.1 s (a backend's last tenth of a second before it exits is lost): unlike
    ``cpu_cores.postgresql`` it leaves out other clients of the same server."""

    def __init__(self, database: str | None) -> None:
        self.database = database
        self.ticks: dict[int, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                title = (entry / "cmdline").read_bytes()
                if not title.startswith(b"postgres:") or f" {self.database} ".encode() not in title:
                    continue
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            self.ticks[int(entry.name)] = int(fields[11]) + int(fields[12])

    def _run(self) -> None:
        while not self.stop.wait(0.1):
            self._sample()

    def __enter__(self) -> BackendCpu:
        if self.database:
            self._sample()
            self.start = dict(self.ticks)
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.database:
            self.stop.set()
            self.thread.join()
            self._sample()

    def seconds(self) -> float | None:
        if not self.database:
            return None
        ticks = sum(t - self.start.get(pid, 0) for pid, t in self.ticks.items())
        return round(ticks / os.sysconf("SC_CLK_TCK"), 2)


@contextmanager
def measured(database: str | None = None) -> Iterator[dict[str, Any]]:
    """Wall seconds of the block, and where the machine's CPU went (the command's process is
    a reaped child: its CPU is taken out of ``other``)."""
    result: dict[str, Any] = {}
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with cpu_use(None) as use, BackendCpu(database) as backends:
        yield result
    seconds = time.perf_counter() - started
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = (children1.ru_utime + children1.ru_stime - children0.ru_utime - children0.ru_stime) / seconds
    cores = use.as_dict()
    cores.pop("server", None)
    cores["command"] = round(command, 2)
    cores["other"] = round(max(0.0, cores["other"] - command), 2)
    result.update(seconds=round(seconds, 2), cpu_cores=cores)
    # What the work cost in Python however busy the machine was: the command's CPU, or this
    # process's for the bare driver. (PostgreSQL's column counts every client's queries.)
    result["python_cpu_seconds"] = round((command + cores.get("bench_process", 0.0)) * seconds, 2)
    if database:
        result["postgresql_backend_cpu_seconds"] = backends.seconds()


def database_name(url: str) -> str | None:
    return None if url.startswith("sqlite") else make_url(url).database


def run_import(url: str, merchant_id: str, path: Path, rows: int) -> dict[str, Any]:
    with measured(database_name(url)) as result:
        done = subprocess.run(
            [sys.executable, "-m", "ordertrack", "stock", "import", str(path), "--merchant", merchant_id],
            capture_output=True,
            text=True,
            env={**os.environ, "ORDERTRACK_DATABASE_URL": url},
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"import failed: {done.stderr[-2000:]}")
    result["rows_per_second"] = round(rows / result["seconds"])
    result["output"] = done.stdout.strip()
    return result


def bare_rows(
    merchant_id: str,
    warehouse_ids: dict[str, str],
    rows: list[tuple[str, str, int, int | None]],
    sqlite: bool,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    now = datetime.now(UTC)
    stamp: Any = now.replace(tzinfo=None).isoformat(" ") if sqlite else now
    ids = new_ids("stk", len(rows))
    levels = [
        (ids[i], merchant_id, warehouse_ids[w], s, n, 0, t, t is not None and n < t, stamp)
        for i, (w, s, n, t) in enumerate(rows)
    ]
    movements = [
        (merchant_id, warehouse_ids[w], s, "adjustment", n, 0, "bench", "bare", stamp) for w, s, n, _ in rows
    ]
    return levels, movements


def insert_sql(table: str, columns: tuple[str, ...], mark: str) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


def bare_sqlite(path: str, levels: list[tuple[Any, ...]], movements: list[tuple[Any, ...]]) -> dict[str, Any]:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    with measured() as result:
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(insert_sql("stock_levels", LEVEL_COLUMNS, "?"), levels)
        connection.executemany(insert_sql("stock_movements", MOVEMENT_COLUMNS, "?"), movements)
        connection.execute("COMMIT")
    connection.close()
    return result


def bare_postgres(
    url: str, levels: list[tuple[Any, ...]], movements: list[tuple[Any, ...]], copy: bool
) -> dict[str, Any]:
    with psycopg.connect(libpq_url(url)) as connection, measured(database_name(url)) as result:
        with connection.cursor() as cursor:
            for table, columns, rows in (
                ("stock_levels", LEVEL_COLUMNS, levels),
                ("stock_movements", MOVEMENT_COLUMNS, movements),
            ):
                if copy:
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as writer:
                        for row in rows:
                            writer.write_row(row)
                else:
                    cursor.executemany(insert_sql(table, columns, "%s"), rows)
        connection.commit()
    return result


def measure(url: str, kind: str, rows: int, workdir: Path) -> dict[str, Any]:
    merchant_id, _ = prepare(url)
    first_rows, recount_rows = counts(rows, 0), counts(rows, 250)
    first, recount = workdir / f"{kind}-first.csv", workdir / f"{kind}-recount.csv"
    write_csv(first, first_rows)
    write_csv(recount, recount_rows)
    progress(f"{kind}: importing {rows:,} new counts")
    report: dict[str, Any] = {"first": run_import(url, merchant_id, first, rows)}
    progress(f"{kind}: {report['first']['seconds']} s; importing {rows:,} changed counts")
    report["recount"] = run_import(url, merchant_id, recount, rows)
    progress(f"{kind}: {report['recount']['seconds']} s; the bare driver")
    bare_merchant, bare_warehouses = prepare(url)
    levels, movements = bare_rows(bare_merchant, bare_warehouses, first_rows, sqlite=kind == "sqlite")
    if kind == "sqlite":
        report["bare_executemany"] = bare_sqlite(url.removeprefix("sqlite:///"), levels, movements)
    else:
        report["bare_executemany"] = bare_postgres(url, levels, movements, copy=False)
        bare_merchant, bare_warehouses = prepare(url)
        levels, movements = bare_rows(bare_merchant, bare_warehouses, first_rows, sqlite=False)
        report["bare_copy"] = bare_postgres(url, levels, movements, copy=True)
    for key in ("bare_executemany", "bare_copy"):
        if key in report:
            report[key]["rows_per_second"] = round(rows / report[key]["seconds"])
            report[f"first_to_{key}"] = round(report[key]["seconds"] / report["first"]["seconds"], 2)
    progress(f"{kind}: done")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument(
        "--pg", default=DEFAULT_SERVER, help="a PostgreSQL server; the user creates databases"
    )
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "rows": args.rows,
        "cpu_count": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip(),
    }
    with tempfile.TemporaryDirectory(prefix="ordertrack-stock-import-") as scratch:
        workdir = Path(scratch)
        report["sqlite"] = measure(f"sqlite:///{workdir / 'bench.db'}", "sqlite", args.rows, workdir)
        if not args.no_pg:
            with fresh_database(args.pg) as url:
                report["postgresql"] = measure(url, "postgresql", args.rows, workdir)
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
