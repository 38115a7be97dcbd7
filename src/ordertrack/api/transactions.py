"""Running a request's unit of work: commit once, retry what the database asks to retry."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, IntegrityError

from ordertrack.api.idempotency import fingerprint, run_idempotent
from ordertrack.db.uow import Database, UnitOfWork

T = TypeVar("T")

# PostgreSQL: deadlock_detected, serialization_failure. Both mean "run it again".
_RETRY_SQLSTATES = {"40P01", "40001"}
ATTEMPTS = 4


def _retryable(error: DBAPIError) -> bool:
    if isinstance(error, IntegrityError):
        return True  # a concurrent twin won a unique key; the retry sees its row
    if error.connection_invalidated:
        return True  # the server dropped a pooled connection; the retry takes a fresh one
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate in _RETRY_SQLSTATES or "database is locked" in str(error.orig)


def in_transaction(db: Database, work: Callable[[UnitOfWork], T]) -> T:
    """Run ``work`` in one transaction and commit it; 2xx only after the commit."""
    for attempt in range(ATTEMPTS):
        try:
            with db.uow() as uow:
                result = work(uow)
                uow.commit()
                return result
        except DBAPIError as error:
            if attempt == ATTEMPTS - 1 or not _retryable(error):
                raise
            time.sleep(0.01 * 2**attempt)
    raise AssertionError("unreachable")


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


def idempotent_write(
    request: Request,
    db: Database,
    merchant_id: str,
    payload: BaseModel | None,
    produce: Callable[[UnitOfWork], tuple[int, BaseModel]],
) -> JSONResponse:
    """A POST that honours ``Idempotency-Key``: the replay answers what the first call did."""
    key = request.headers.get("idempotency-key")
    # Hashing a 1,000-event body is work; only a request that may be replayed needs it.
    request_hash = (
        fingerprint(request.method, request.url.path, payload.model_dump_json() if payload else "")
        if key is not None
        else ""
    )

    def work(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        def answer() -> tuple[int, dict[str, Any]]:
            status, model = produce(uow)
            return status, model.model_dump(mode="json")

        return run_idempotent(uow, merchant_id, key, request_hash, answer)

    status, body = in_transaction(db, work)
    return JSONResponse(body, status_code=status)
