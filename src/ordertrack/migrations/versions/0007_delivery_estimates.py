"""delivery estimates: every revision of a parcel's estimated delivery

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_estimates",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("parcel_id", sa.String(length=32), nullable=False),
        sa.Column("earliest", sa.Date(), nullable=False),
        sa.Column("latest", sa.Date(), nullable=False),
        sa.Column("most_likely", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_delivery_estimates_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["parcels.id"],
            name=op.f("fk_delivery_estimates_parcel_id_parcels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_estimates")),
    )
    with op.batch_alter_table("delivery_estimates", schema=None) as batch_op:
        batch_op.create_index("ix_delivery_estimates_parcel", ["parcel_id", "recorded_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("delivery_estimates", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_estimates_parcel")
    op.drop_table("delivery_estimates")
