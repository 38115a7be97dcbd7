"""Queries of the merchants' own tables: merchants and their API keys."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from ordertrack.db.reader import Reader
from ordertrack.db.uow import UnitOfWork
from ordertrack.merchants.model import ApiKey, Merchant


def add_merchant(uow: UnitOfWork, merchant: Merchant) -> None:
    uow.session.add(merchant)
    uow.flush()


def merchant(uow: UnitOfWork, merchant_id: str) -> Merchant | None:
    return uow.session.get(Merchant, merchant_id)


def merchant_name(uow: UnitOfWork, merchant_id: str) -> str | None:
    return uow.session.scalar(select(Merchant.name).where(Merchant.id == merchant_id))


def add_api_key(uow: UnitOfWork, key: ApiKey) -> None:
    uow.session.add(key)


def api_keys(uow: UnitOfWork, merchant_id: str) -> list[ApiKey]:
    """The merchant's keys, newest first."""
    return list(
        uow.session.scalars(
            select(ApiKey)
            .where(ApiKey.merchant_id == merchant_id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id)
        )
    )


def api_key_by_hash(uow: UnitOfWork, merchant_id: str, key_hash: str) -> ApiKey | None:
    return uow.session.scalars(
        select(ApiKey).where(ApiKey.merchant_id == merchant_id, ApiKey.key_hash == key_hash)
    ).first()


def locked_api_key(uow: UnitOfWork, merchant_id: str, key_id: str) -> ApiKey | None:
    return uow.session.scalars(
        select(ApiKey).where(ApiKey.merchant_id == merchant_id, ApiKey.id == key_id).with_for_update()
    ).first()


# Built once: the statement runs on every request whose key is not in the cache.
_MERCHANT_FOR_KEY = select(ApiKey.merchant_id).where(
    ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None)
)


async def merchant_id_for_key_hash(reader: Reader, key_hash: str) -> str | None:
    """The merchant a key that is not revoked belongs to, found by the key's hash."""
    rows = await reader.fetch(_MERCHANT_FOR_KEY, {"key_hash": key_hash})
    return str(rows[0][0]) if rows else None
