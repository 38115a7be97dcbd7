"""Create merchants, issue API keys, authenticate requests."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from ordertrack.db.reader import Reader
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Unauthorized
from ordertrack.kit.ids import new_id
from ordertrack.merchants.model import ApiKey, Merchant

KEY_PREFIX = "otk_"


@dataclass(frozen=True)
class NewMerchant:
    merchant_id: str
    name: str
    api_key: str


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def issue_api_key(uow: UnitOfWork, merchant_id: str, label: str = "default") -> str:
    """A new random key for the merchant; only its hash is stored, so show it now or never."""
    api_key = KEY_PREFIX + secrets.token_urlsafe(32)
    uow.session.add(
        ApiKey(
            id=new_id("key"),
            merchant_id=merchant_id,
            key_hash=hash_api_key(api_key),
            prefix=api_key[:12],
            label=label,
            created_at=utcnow(),
        )
    )
    return api_key


def create_merchant(uow: UnitOfWork, name: str) -> NewMerchant:
    name = name.strip()
    if not name:
        raise ValueError("merchant name must not be empty")
    merchant = Merchant(id=new_id("mer"), name=name, settings={}, created_at=utcnow())
    uow.session.add(merchant)
    uow.flush()
    api_key = issue_api_key(uow, merchant.id)
    return NewMerchant(merchant_id=merchant.id, name=merchant.name, api_key=api_key)


# Built once: the statement runs on every request whose key is not in the cache.
_MERCHANT_FOR_KEY = select(ApiKey.merchant_id).where(
    ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None)
)


async def merchant_for_key(reader: Reader, api_key: str) -> str:
    """The merchant id an API key belongs to, or :class:`Unauthorized`."""
    rows = await reader.fetch(_MERCHANT_FOR_KEY, {"key_hash": hash_api_key(api_key)})
    if not rows:
        raise Unauthorized("the API key is not valid")
    return str(rows[0][0])


def merchant_name(uow: UnitOfWork, merchant_id: str) -> str:
    return uow.session.scalar(select(Merchant.name).where(Merchant.id == merchant_id)) or ""
