"""parcel items: which units went into which parcel

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parcel_items",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("parcel_id", sa.String(length=32), nullable=False),
        sa.Column("order_line_id", sa.String(length=32), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_parcel_items_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name=op.f("fk_parcel_items_order_line_id_order_lines")
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"], ["parcels.id"], name=op.f("fk_parcel_items_parcel_id_parcels"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcel_items")),
    )
    with op.batch_alter_table("parcel_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parcel_items_parcel_id"), ["parcel_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("parcel_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parcel_items_parcel_id"))
    op.drop_table("parcel_items")
