"""The shopper's tracking pages (``/track``)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
