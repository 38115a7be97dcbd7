"""customer orders due a new promise from their inbound (the worker revises them in batches),
and backorders found by order (issue 21, available to promise)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ordertrack.db.base import UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "promise_revisions_due",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("cause", sa.String(length=24), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_promise_revisions_due_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_revisions_due")),
    )
    with op.batch_alter_table("promise_revisions_due", schema=None) as batch_op:
        batch_op.create_index("ix_promise_revisions_due_at", ["due_at", "id"], unique=False)
    with op.batch_alter_table("backorders", schema=None) as batch_op:
        batch_op.create_index("ix_backorders_merchant_order", ["merchant_id", "order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("backorders", schema=None) as batch_op:
        batch_op.drop_index("ix_backorders_merchant_order")
    with op.batch_alter_table("promise_revisions_due", schema=None) as batch_op:
        batch_op.drop_index("ix_promise_revisions_due_at")
    op.drop_table("promise_revisions_due")
