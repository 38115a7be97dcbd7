"""carrier accounts choose an environment (production or sandbox) instead of a free-text
base URL: the poller no longer calls an address a merchant typed

Accounts whose base URL was a carrier's sandbox become ``sandbox``; every other account
becomes ``production`` (the connector's own production API), whatever it pointed at.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The carriers' API roots when this revision was written (their client.py files).
PRODUCTION = {
    "ups": "https://onlinetools.ups.com",
    "fedex": "https://apis.fedex.com",
    "usps": "https://apis.usps.com",
    "dhl": "https://api-eu.dhl.com",
}
SANDBOX = {
    "ups": "https://wwwcie.ups.com",
    "fedex": "https://apis-sandbox.fedex.com",
    "usps": "https://apis-tem.usps.com",
    "dhl": "https://api-test.dhl.com",
}
SANDBOX_HOSTS = {urlsplit(url).hostname for url in SANDBOX.values()}

accounts = sa.table(
    "carrier_accounts",
    sa.column("merchant_id", sa.String),
    sa.column("carrier", sa.String),
    sa.column("base_url", sa.String),
    sa.column("environment", sa.String),
)


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def upgrade() -> None:
    with op.batch_alter_table("carrier_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("environment", sa.String(length=16), server_default="production", nullable=False)
        )
    bind = op.get_bind()
    rows = bind.execute(sa.select(accounts.c.merchant_id, accounts.c.carrier, accounts.c.base_url)).all()
    for merchant_id, carrier, base_url in rows:
        if _host(base_url or "") in SANDBOX_HOSTS:
            bind.execute(
                accounts.update()
                .where(accounts.c.merchant_id == merchant_id, accounts.c.carrier == carrier)
                .values(environment="sandbox")
            )
    with op.batch_alter_table("carrier_accounts", schema=None) as batch_op:
        batch_op.drop_column("base_url")


def downgrade() -> None:
    with op.batch_alter_table("carrier_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base_url", sa.String(length=300), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(accounts.c.merchant_id, accounts.c.carrier, accounts.c.environment)).all()
    for merchant_id, carrier, environment in rows:
        roots = SANDBOX if environment == "sandbox" else PRODUCTION
        bind.execute(
            accounts.update()
            .where(accounts.c.merchant_id == merchant_id, accounts.c.carrier == carrier)
            .values(base_url=roots.get(carrier, ""))
        )
    with op.batch_alter_table("carrier_accounts", schema=None) as batch_op:
        batch_op.alter_column("base_url", existing_type=sa.String(length=300), nullable=False)
        batch_op.drop_column("environment")
