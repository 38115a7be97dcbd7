"""The lists the API pages through: an order's messages, the dead letters, the webhook endpoints."""

from __future__ import annotations

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.pagination import Page
from ordertrack.notifications import repository
from ordertrack.notifications.model import Notification, WebhookEndpoint


def order_log_page(
    uow: UnitOfWork, merchant_id: str, order_id: str, cursor: str | None, limit: int
) -> Page[Notification]:
    """What was (or will be) sent about an order, oldest first: a timeline reads forwards."""
    return repository.order_log_page(uow, merchant_id, order_id, cursor, limit)


def dead_letter_page(uow: UnitOfWork, merchant_id: str, cursor: str | None, limit: int) -> Page[Notification]:
    """Messages given up on, newest first."""
    return repository.dead_page(uow, merchant_id, cursor, limit)


def endpoint_page(uow: UnitOfWork, merchant_id: str, cursor: str | None, limit: int) -> Page[WebhookEndpoint]:
    """The webhook endpoints in the order they were added (removed ones too, disabled)."""
    return repository.endpoint_page(uow, merchant_id, cursor, limit)
