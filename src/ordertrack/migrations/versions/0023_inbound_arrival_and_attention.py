"""Inbound shipments: the expected arrival as tracking revises it, and what needs attention

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ordertrack.db.base import UTCDateTime

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrival_estimate", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("arrival_basis", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("attention", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("attention_detail", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("attention_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_shipments", schema=None) as batch_op:
        batch_op.drop_column("attention_at")
        batch_op.drop_column("attention_detail")
        batch_op.drop_column("attention")
        batch_op.drop_column("arrival_basis")
        batch_op.drop_column("arrival_estimate")
