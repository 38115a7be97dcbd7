"""a scan's time precision: a carrier's local time that no zone places (UPS "label created"
with only a country) is kept, marked approximate, instead of left out; the timeline index
carries the new column so a lookup stays an index-only scan

On a large live database, build the new index first without blocking ingest, then upgrade (the
upgrade adds the column, then finds the index built and only swaps the names):

    ALTER TABLE tracking_events ADD COLUMN time_precision VARCHAR(12) DEFAULT 'exact' NOT NULL;
    CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_tracking_events_parcel_timeline_0014
        ON tracking_events (parcel_id, occurred_at) INCLUDE (...);  -- as below

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

INDEX = "ix_tracking_events_parcel_timeline"
# As in ordertrack.tracking.model.TIMELINE_COLUMNS when this revision was written.
TIMELINE_COLUMNS = (
    "merchant_id",
    "id",
    "utc_offset_minutes",
    "timezone",
    "time_precision",
    "status",
    "reason",
    "code",
    "description",
    "city",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "carrier",
    "source",
    "event_id",
    "received_at",
    "dedupe_key",
)


def _has_column() -> bool:
    return "time_precision" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("tracking_events")}


def upgrade() -> None:
    if not _has_column():
        # A constant default: PostgreSQL 11+ adds the column without rewriting the table.
        op.add_column(
            "tracking_events",
            sa.Column("time_precision", sa.String(12), nullable=False, server_default="exact"),
        )
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's index has no INCLUDE: the table is read for the columns either way
    op.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX}_0014 ON tracking_events (parcel_id, occurred_at)"
        f" INCLUDE ({', '.join(TIMELINE_COLUMNS)})"
    )
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    op.execute(f"ALTER INDEX {INDEX}_0014 RENAME TO {INDEX}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        columns = [c for c in TIMELINE_COLUMNS if c != "time_precision"]
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
        op.execute(
            f"CREATE INDEX {INDEX} ON tracking_events (parcel_id, occurred_at) INCLUDE ({', '.join(columns)})"
        )
    with op.batch_alter_table("tracking_events") as batch:
        batch.drop_column("time_precision")
