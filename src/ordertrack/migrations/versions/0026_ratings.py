"""delivery ratings (issue 22)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from ordertrack.db.base import UTCDateTime

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "delivery_ratings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.String(length=100), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=False),
        sa.Column("items", _JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("warehouse", sa.String(length=32), nullable=True),
        sa.Column("lane", sa.String(length=120), nullable=False),
        sa.Column("days_late", sa.Integer(), nullable=True),
        sa.Column("had_exception", sa.Boolean(), nullable=False),
        sa.Column("attention_item_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_delivery_ratings_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_delivery_ratings_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_ratings")),
        sa.UniqueConstraint("merchant_id", "order_id", name=op.f("uq_delivery_ratings_merchant_id_order_id")),
    )
    with op.batch_alter_table("delivery_ratings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delivery_ratings_merchant_delivered", ["merchant_id", "delivered_on"], unique=False
        )
        batch_op.create_index(
            "ix_delivery_ratings_merchant_created", ["merchant_id", "created_at", "id"], unique=False
        )
    op.create_table(
        "rating_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("dropped", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_rating_requests_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_rating_requests_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_requests")),
        sa.UniqueConstraint("merchant_id", "order_id", name=op.f("uq_rating_requests_merchant_id_order_id")),
    )
    with op.batch_alter_table("rating_requests", schema=None) as batch_op:
        batch_op.create_index("ix_rating_requests_due", ["sent_at", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rating_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_requests_due")
    op.drop_table("rating_requests")
    with op.batch_alter_table("delivery_ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_ratings_merchant_created")
        batch_op.drop_index("ix_delivery_ratings_merchant_delivered")
    op.drop_table("delivery_ratings")
