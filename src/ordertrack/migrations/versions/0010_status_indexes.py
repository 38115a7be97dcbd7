"""status indexes on shipments and parcels: the dashboard's attention list reads the
shipments in trouble or in transit and the parcels still on their way, not the whole history

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_shipments_merchant_status", "shipments", ["merchant_id", "status"])
    op.create_index("ix_parcels_merchant_status", "parcels", ["merchant_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_parcels_merchant_status", table_name="parcels")
    op.drop_index("ix_shipments_merchant_status", table_name="shipments")
