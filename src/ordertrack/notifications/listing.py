"""The lists the API pages through: an order's messages, the dead letters, the webhook endpoints."""

from __future__ import annotations

from sqlalchemy import select

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.pagination import Page, keyset_page
from ordertrack.notifications.model import Notification, WebhookEndpoint


def order_log_page(
    uow: UnitOfWork, merchant_id: str, order_id: str, cursor: str | None, limit: int
) -> Page[Notification]:
    """What was (or will be) sent about an order, oldest first: a timeline reads forwards."""
    query = select(Notification).where(
        Notification.merchant_id == merchant_id, Notification.order_id == order_id
    )
    return keyset_page(uow.session, query, Notification.id, cursor, limit, oldest_first=True)


def dead_letter_page(uow: UnitOfWork, merchant_id: str, cursor: str | None, limit: int) -> Page[Notification]:
    """Messages given up on, newest first."""
    query = select(Notification).where(Notification.merchant_id == merchant_id, Notification.state == "dead")
    return keyset_page(uow.session, query, Notification.id, cursor, limit)


def endpoint_page(uow: UnitOfWork, merchant_id: str, cursor: str | None, limit: int) -> Page[WebhookEndpoint]:
    """The webhook endpoints in the order they were added (removed ones too, disabled)."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.merchant_id == merchant_id)
    return keyset_page(uow.session, query, WebhookEndpoint.id, cursor, limit, oldest_first=True)
