"""The demo merchant's API key: the same on every start of the same demo, derived from the
server's secret, and replaced by a random one once revoked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from ordertrack.db.uow import Database
from ordertrack.demo.seed import demo_api_key, seed_demo
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Unauthorized
from ordertrack.merchants import service as merchants_service
from ordertrack.merchants.model import ApiKey


def _seed(db: Database, key: str | None) -> str:
    with db.uow() as uow:
        seeded = seed_demo(uow, now=utcnow().replace(microsecond=0) - timedelta(minutes=1), api_key=key)
        uow.commit()
    return seeded.api_key


def _works(db: Database, key: str) -> bool:
    async def owner() -> str | None:
        try:
            return await merchants_service.merchant_for_key(db.reader, key)
        except Unauthorized:
            return None
        finally:
            await db.reader.close()

    return asyncio.run(owner()) is not None


def _keys(db: Database) -> list[ApiKey]:
    with db.uow(write=False) as uow:
        return list(uow.session.scalars(select(ApiKey)))


def test_demo_key_is_derived_from_the_secret_and_reused_while_it_works(db: Database) -> None:
    key = demo_api_key("a server secret")
    assert key == demo_api_key("a server secret") != demo_api_key("another secret")
    assert key.startswith(merchants_service.KEY_PREFIX) and len(key) > 40
    assert _seed(db, key) == key
    assert _seed(db, key) == key  # a restart: no new key
    assert _works(db, key)
    assert len(_keys(db)) == 1


def test_a_revoked_demo_key_is_replaced_by_a_random_one(db: Database) -> None:
    key = demo_api_key("a server secret")
    _seed(db, key)
    (row,) = _keys(db)
    with db.uow() as uow:
        merchants_service.revoke_api_key(uow, row.merchant_id, row.id)
        uow.commit()
    fresh = _seed(db, key)
    assert fresh != key
    assert _works(db, fresh) and not _works(db, key)
