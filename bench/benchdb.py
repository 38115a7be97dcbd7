"""The benchmark's own PostgreSQL database: created fresh, migrated, seeded, dropped."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ordertrack.bootstrap import open_database
from ordertrack.db import migrate
from ordertrack.db.scratch import scratch_postgres_database
from ordertrack.db.uow import Database
from ordertrack.fulfilment import shipping
from ordertrack.merchants import service as merchants_service
from ordertrack.orders import service as orders_service
from ordertrack.orders.schemas import OrderIn
from ordertrack.shipments.schemas import ShipmentIn
from ordertrack.tracking import service as tracking_service

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
# A carrier slug without number rules: the bench numbers are synthetic.
CARRIER = "acme_post"
# The service's default; seeding passes the same value the server reads from its settings.
RECYCLE_WINDOW = timedelta(days=60)
# Orders placed per transaction while seeding: large enough to amortise commits.
SEED_ORDERS_PER_COMMIT = 200


@dataclass(frozen=True)
class Tenant:
    merchant_id: str
    api_key: str


@dataclass(frozen=True)
class SeededParcel:
    parcel_id: str
    tracking_number: str


def fresh_database(server_url: str, keep: bool = False) -> contextlib.AbstractContextManager[str]:
    """Create ``ordertrack_bench_<hex>`` on the server, yield its URL, drop it afterwards
    (unless ``keep``)."""
    return scratch_postgres_database(server_url, prefix="ordertrack_bench", keep=keep)


def libpq_url(url: str) -> str:
    """The same URL as plain psycopg wants it (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def migrated(url: str) -> Database:
    db = open_database(url)
    migrate.upgrade(db.engine)
    return db


def create_tenant(db: Database, name: str = "Bench Shop") -> Tenant:
    with db.uow() as uow:
        created = merchants_service.create_merchant(uow, name)
        uow.commit()
    return Tenant(merchant_id=created.merchant_id, api_key=created.api_key)


def _order(number: str, placed_at: datetime) -> OrderIn:
    return OrderIn.model_validate(
        {
            "number": number,
            "customer": {"email": f"{number.lower()}@example.com", "name": "Ada Bench"},
            "shipping_address": {"line1": "1 Main St", "city": "Chicago", "country": "US"},
            "lines": [{"sku": "MUG-1", "quantity": 1, "unit_price": Decimal("12.50")}],
            "currency": "USD",
            "placed_at": placed_at.isoformat(),
        }
    )


def seed_parcels(db: Database, tenant: Tenant, tracking_numbers: Sequence[str]) -> list[SeededParcel]:
    """One order and one single-parcel shipment per tracking number, through the services."""
    placed_at = datetime.now(UTC) - timedelta(days=2)
    seeded: list[SeededParcel] = []
    for start in range(0, len(tracking_numbers), SEED_ORDERS_PER_COMMIT):
        chunk = tracking_numbers[start : start + SEED_ORDERS_PER_COMMIT]
        with db.uow() as uow:
            for number in chunk:
                order = orders_service.place_order(uow, tenant.merchant_id, _order(f"B-{number}", placed_at))
                shipment = shipping.create_shipment(
                    uow,
                    tenant.merchant_id,
                    order.id,
                    ShipmentIn(carrier=CARRIER, tracking_number=number),
                    recycle_window=RECYCLE_WINDOW,
                )
                seeded.append(SeededParcel(shipment.parcels[0].id, number))
            uow.commit()
    return seeded


def seed_events(db: Database, tenant: Tenant, events: Sequence[dict[str, object]], batch: int = 1000) -> None:
    """Store unified events through the ingest service, ``batch`` per transaction."""
    for start in range(0, len(events), batch):
        with db.uow() as uow:
            result = tracking_service.ingest_events(
                uow,
                tenant.merchant_id,
                events[start : start + batch],
                received_at=datetime.now(UTC),
                recycle_window=RECYCLE_WINDOW,
                max_batch=batch,
            )
            uow.commit()
        if result.rejected:
            raise RuntimeError(f"seed events rejected: {result.rejected[:3]}")


def analyze(url: str) -> None:
    """Fresh statistics so the planner picks the indexes a long-lived database would."""
    engine = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
