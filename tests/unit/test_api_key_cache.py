"""The in-process cache of verified API keys."""

from __future__ import annotations

from ordertrack.api.auth import ApiKeyCache


def test_forgetting_a_merchant_drops_only_its_keys() -> None:
    cache = ApiKeyCache(ttl=60)
    cache.put("otk_a", "mer_a")
    cache.put("otk_b", "mer_b")
    cache.forget_merchant("mer_a")
    assert cache.get("otk_a") is None and cache.get("otk_b") == "mer_b"
