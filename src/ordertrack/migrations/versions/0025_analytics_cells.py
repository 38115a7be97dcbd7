"""analytics rollup cells: daily cells, each shipment's contribution, and the queue of shipments
whose facts changed (issue 22)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ordertrack.db.base import UTCDateTime

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_cells",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("service", sa.String(length=80), nullable=False),
        sa.Column("warehouse", sa.String(length=32), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("origin_region", sa.String(length=120), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("destination_region", sa.String(length=120), nullable=False),
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("places", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_analytics_cells_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_cells")),
    )
    with op.batch_alter_table("analytics_cells", schema=None) as batch_op:
        batch_op.create_index(
            "uq_analytics_cells_key",
            [
                "merchant_id",
                "day",
                "carrier",
                "service",
                "warehouse",
                "origin_country",
                "origin_region",
                "destination_country",
                "destination_region",
            ],
            unique=True,
        )
        batch_op.create_index(
            "ix_analytics_cells_coarse",
            [
                "merchant_id",
                "destination_region",
                "destination_country",
                "origin_country",
                "origin_region",
                "service",
                "warehouse",
                "carrier",
                "day",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_analytics_cells_span", ["merchant_id", "origin_region", "day"], unique=False
        )

    op.create_table(
        "analytics_shipments",
        sa.Column("shipment_id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("service", sa.String(length=80), nullable=False),
        sa.Column("warehouse", sa.String(length=32), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("origin_region", sa.String(length=120), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("destination_region", sa.String(length=120), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("promise_offset_days", sa.Integer(), nullable=True),
        sa.Column("transit_hours", sa.Integer(), nullable=True),
        sa.Column("contribution", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_analytics_shipments_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_analytics_shipments")),
    )
    with op.batch_alter_table("analytics_shipments", schema=None) as batch_op:
        batch_op.create_index("ix_analytics_shipments_merchant_day", ["merchant_id", "day"], unique=False)

    op.create_table(
        "analytics_due",
        sa.Column("shipment_id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_analytics_due_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_analytics_due")),
    )
    with op.batch_alter_table("analytics_due", schema=None) as batch_op:
        batch_op.create_index("ix_analytics_due_due_at", ["due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("analytics_due", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_due_due_at")
    op.drop_table("analytics_due")
    with op.batch_alter_table("analytics_shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_shipments_merchant_day")
    op.drop_table("analytics_shipments")
    with op.batch_alter_table("analytics_cells", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_cells_span")
        batch_op.drop_index("ix_analytics_cells_coarse")
        batch_op.drop_index("uq_analytics_cells_key")
    op.drop_table("analytics_cells")
