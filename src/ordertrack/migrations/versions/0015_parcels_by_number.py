"""parcels by tracking number alone: the shopper's generic lookup asks which merchants hold a
number (a number held by more than one never opens by number alone), across every merchant

On a large live database, build it first without blocking writes, then upgrade (the upgrade
keeps an index that already exists):

    CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_parcels_tracking_number ON parcels (tracking_number);

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_parcels_tracking_number", "parcels", ["tracking_number"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_parcels_tracking_number", table_name="parcels")
