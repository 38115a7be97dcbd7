"""a parcel's timeline read from one index: on PostgreSQL the (parcel, occurred_at) index
carries every column the tracking views read, so a lookup reads a leaf or two of the index
instead of one table page per scan

On a large live database, build the index first without blocking ingest, then upgrade (the
upgrade keeps an index that is already there):

    CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_tracking_events_parcel_timeline
        ON tracking_events (parcel_id, occurred_at) INCLUDE (...);  -- as below

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# As in ordertrack.tracking.model.TIMELINE_COLUMNS when this revision was written.
TIMELINE_COLUMNS = (
    "merchant_id",
    "id",
    "utc_offset_minutes",
    "timezone",
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


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_tracking_events_parcel_timeline"
            " ON tracking_events (parcel_id, occurred_at)"
            f" INCLUDE ({', '.join(TIMELINE_COLUMNS)})"
        )
    else:
        op.create_index("ix_tracking_events_parcel_timeline", "tracking_events", ["parcel_id", "occurred_at"])
    op.drop_index("ix_tracking_events_parcel", table_name="tracking_events")


def downgrade() -> None:
    op.create_index("ix_tracking_events_parcel", "tracking_events", ["parcel_id", "occurred_at"])
    op.drop_index("ix_tracking_events_parcel_timeline", table_name="tracking_events")
