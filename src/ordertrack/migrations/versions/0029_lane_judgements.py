"""kept judgements of lanes that got worse (issue 22)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ordertrack.db.base import UTCDateTime

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_lane_judgements",
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("judged_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("alerts", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_analytics_lane_judgements_merchant_id_merchants"),
        ),
        sa.PrimaryKeyConstraint(
            "merchant_id", "as_of", "window_days", name=op.f("pk_analytics_lane_judgements")
        ),
    )
    # When a merchant's cells last changed: the worker's test before judging again.
    op.create_table(
        "analytics_folds",
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("folded_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_analytics_folds_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("merchant_id", name=op.f("pk_analytics_folds")),
    )


def downgrade() -> None:
    op.drop_table("analytics_folds")
    op.drop_table("analytics_lane_judgements")
