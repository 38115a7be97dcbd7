"""shipments by delivery time per merchant: what the merchant's deliveries teach (transit
history, usual silences) is read from the newest deliveries, not from a sort of all of them

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_shipments_merchant_delivered", "shipments", ["merchant_id", "delivered_at"])


def downgrade() -> None:
    op.drop_index("ix_shipments_merchant_delivered", table_name="shipments")
