"""Bearer API keys, with a short in-process cache so a hot endpoint costs no extra query."""

from __future__ import annotations

import threading
import time

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ordertrack.db.uow import Database
from ordertrack.kit.errors import Unauthorized
from ordertrack.merchants import service as merchants_service

bearer = HTTPBearer(auto_error=False, description="a merchant API key: `Authorization: Bearer otk_...`")


class ApiKeyCache:
    """Verified keys for ``ttl`` seconds; revocation takes effect within that time."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, api_key: str) -> str | None:
        entry = self._entries.get(api_key)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def forget_merchant(self, merchant_id: str) -> None:
        """Drop the merchant's cached keys (after a revocation, so it holds at once here)."""
        with self._lock:
            self._entries = {k: v for k, v in self._entries.items() if v[0] != merchant_id}

    def put(self, api_key: str, merchant_id: str) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[api_key] = (merchant_id, time.monotonic() + self.ttl)


async def get_db(request: Request) -> Database:
    return request.app.state.db


async def current_merchant(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
) -> str:
    """The id of the merchant whose API key authorised this request."""
    if credentials is None or not credentials.credentials:
        raise Unauthorized("send your API key as 'Authorization: Bearer <key>'")
    api_key = credentials.credentials
    cache: ApiKeyCache = request.app.state.api_key_cache
    merchant_id = cache.get(api_key)
    if merchant_id is None:
        db: Database = request.app.state.db
        merchant_id = await merchants_service.merchant_for_key(db.reader, api_key)
        cache.put(api_key, merchant_id)
    return merchant_id


# As many characters of a key as the key list shows (merchants.service.create_api_key keeps them).
KEY_PREFIX_LENGTH = 12


async def api_actor(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
    """Who a change made through the API is recorded as: ``api key <prefix>``, the part of the
    key the merchant's key list shows, so history names the key without holding it. Use it
    beside :func:`current_merchant`, which has already refused a missing or unknown key."""
    key = credentials.credentials if credentials is not None else ""
    return f"api key {key[:KEY_PREFIX_LENGTH]}"
