"""``Idempotency-Key`` on POSTs: a retried request gets the first answer, not a second effect.

The stored answer is written in the same transaction as the effect, so either both exist
or neither does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, Unprocessable

MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


class InvalidIdempotencyKey(Unprocessable):
    code = "invalid_idempotency_key"


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    merchant_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


def fingerprint(method: str, path: str, body: str) -> str:
    return hashlib.sha256(f"{method}\n{path}\n{body}".encode()).hexdigest()


def run_idempotent(
    uow: UnitOfWork,
    merchant_id: str,
    key: str | None,
    request_hash: str,
    produce: Callable[[], tuple[int, dict[str, Any]]],
) -> tuple[int, dict[str, Any]]:
    """Answer a replay from the stored record, or produce the answer and record it."""
    if key is None:
        return produce()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidIdempotencyKey(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters")
    stored = uow.session.get(IdempotencyRecord, (merchant_id, key))
    if stored is not None:
        if stored.request_hash != request_hash:
            raise IdempotencyKeyReused("this Idempotency-Key was used for a different request; use a new key")
        return stored.status_code, stored.response
    status_code, body = produce()
    uow.session.add(
        IdempotencyRecord(
            merchant_id=merchant_id,
            key=key,
            request_hash=request_hash,
            status_code=status_code,
            response=body,
            created_at=utcnow(),
        )
    )
    return status_code, body
