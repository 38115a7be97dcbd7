"""Queries of the notification tables: the outbox, settings, webhook endpoints, shopper
preferences and merchant templates. Every other feature's data comes through its service."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.pagination import Page, keyset_page
from ordertrack.notifications.model import (
    Notification,
    NotificationSetting,
    NotificationTemplate,
    ShopperPreference,
    WebhookEndpoint,
)

Row = Notification | NotificationSetting | WebhookEndpoint | ShopperPreference


def add(uow: UnitOfWork, row: Row) -> None:
    """A new setting, endpoint or preference, written with the transaction."""
    uow.session.add(row)


# --- the outbox ------------------------------------------------------------------------------------


def insert_new(uow: UnitOfWork, rows: list[dict[str, Any]]) -> int:
    """Write outbox rows, skipping any whose (merchant, dedupe key) is already there; how many were new."""
    if not rows:
        return 0
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Notification)
        .on_conflict_do_nothing(index_elements=["merchant_id", "dedupe_key"])
        .returning(Notification.id)
    )
    return len(uow.session.execute(statement, rows).all())


def claim_due(uow: UnitOfWork, now: datetime, limit: int, lease: timedelta) -> list[str]:
    """Lease up to ``limit`` due messages nobody holds, oldest due first.

    ``FOR UPDATE SKIP LOCKED`` on PostgreSQL lets workers claim side by side; SQLite serialises
    writers. A lease that runs out (a crashed worker) makes the message claimable again.
    """
    ids = list(
        uow.session.scalars(
            select(Notification.id)
            .where(
                Notification.state == "pending",
                Notification.next_attempt_at <= now,
                or_(Notification.leased_until.is_(None), Notification.leased_until < now),
            )
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        uow.session.execute(
            update(Notification).where(Notification.id.in_(ids)).values(leased_until=now + lease)
        )
    return ids


def pending_by_id(uow: UnitOfWork, ids: list[str]) -> list[Notification]:
    """These messages, those still pending (any order)."""
    return [
        row
        for row in uow.session.scalars(select(Notification).where(Notification.id.in_(ids)))
        if row.state == "pending"
    ]


def notification(uow: UnitOfWork, notification_id: str) -> Notification | None:
    return uow.session.get(Notification, notification_id)


def merchant_notification(uow: UnitOfWork, merchant_id: str, notification_id: str) -> Notification | None:
    return uow.session.scalars(
        select(Notification).where(
            Notification.merchant_id == merchant_id, Notification.id == notification_id
        )
    ).first()


def for_order(uow: UnitOfWork, merchant_id: str, order_id: str) -> list[Notification]:
    return list(
        uow.session.scalars(
            select(Notification)
            .where(Notification.merchant_id == merchant_id, Notification.order_id == order_id)
            .order_by(Notification.created_at, Notification.id)
        )
    )


def dead(uow: UnitOfWork, merchant_id: str, limit: int) -> list[Notification]:
    """The newest dead letters first."""
    return list(
        uow.session.scalars(
            select(Notification)
            .where(Notification.merchant_id == merchant_id, Notification.state == "dead")
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def suppress_queued_texts(uow: UnitOfWork, phone: str, merchant_id: str | None = None) -> None:
    """Drop the texts still waiting for ``phone`` (at one merchant, or at all)."""
    query = update(Notification).where(
        Notification.channel == "sms", Notification.recipient == phone, Notification.state == "pending"
    )
    if merchant_id is not None:
        query = query.where(Notification.merchant_id == merchant_id)
    uow.session.execute(query.values(state="suppressed", last_error="the recipient stopped text messages"))


# --- settings and templates ------------------------------------------------------------------------


def switched_off(uow: UnitOfWork, merchant_id: str) -> set[tuple[str, str]]:
    """The (trigger, channel) pairs the merchant switched off."""
    return {
        (trigger, channel)
        for trigger, channel in uow.session.execute(
            select(NotificationSetting.trigger, NotificationSetting.channel).where(
                NotificationSetting.merchant_id == merchant_id, NotificationSetting.enabled.is_(False)
            )
        )
    }


def setting(uow: UnitOfWork, merchant_id: str, trigger: str, channel: str) -> NotificationSetting | None:
    return uow.session.get(NotificationSetting, (merchant_id, trigger, channel))


def templates_of(uow: UnitOfWork, merchant_id: str) -> dict[tuple[str, str, str], NotificationTemplate]:
    """The merchant's own templates by (trigger, channel, locale)."""
    return {
        (t.trigger, t.channel, t.locale): t
        for t in uow.session.scalars(
            select(NotificationTemplate).where(NotificationTemplate.merchant_id == merchant_id)
        )
    }


# --- webhook endpoints -----------------------------------------------------------------------------


def endpoints(uow: UnitOfWork, merchant_id: str, *, enabled_only: bool = False) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.merchant_id == merchant_id)
    if enabled_only:
        query = query.where(WebhookEndpoint.enabled.is_(True))
    return list(uow.session.scalars(query.order_by(WebhookEndpoint.id)))


def endpoints_by_id(uow: UnitOfWork, merchant_id: str, ids: Iterable[str]) -> dict[str, WebhookEndpoint]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        e.id: e
        for e in uow.session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.merchant_id == merchant_id, WebhookEndpoint.id.in_(wanted)
            )
        )
    }


def endpoint(uow: UnitOfWork, endpoint_id: str) -> WebhookEndpoint | None:
    return uow.session.get(WebhookEndpoint, endpoint_id)


# --- shopper preferences ---------------------------------------------------------------------------


def preference(uow: UnitOfWork, merchant_id: str, channel: str, address: str) -> ShopperPreference | None:
    return uow.session.get(ShopperPreference, (merchant_id, channel, address))


def opted_out(uow: UnitOfWork, merchant_id: str, channel: str, addresses: list[str]) -> set[str]:
    """Those of these addresses (lower-cased) that stopped ``channel`` at this merchant."""
    if not addresses:
        return set()
    return {
        address.lower()
        for (address,) in uow.session.execute(
            select(ShopperPreference.address).where(
                ShopperPreference.merchant_id == merchant_id,
                ShopperPreference.channel == channel,
                ShopperPreference.address.in_([a.lower() for a in addresses]),
                ShopperPreference.opted_out.is_(True),
            )
        )
    }


def sms_subscribers(uow: UnitOfWork, merchant_id: str, order_ids: Iterable[str]) -> dict[str, list[str]]:
    """The numbers texted about each of these orders."""
    found: dict[str, list[str]] = {}
    for address, order_id in uow.session.execute(
        select(ShopperPreference.address, ShopperPreference.order_id).where(
            ShopperPreference.merchant_id == merchant_id,
            ShopperPreference.channel == "sms",
            ShopperPreference.order_id.in_(sorted(set(order_ids))),
            ShopperPreference.opted_out.is_(False),
        )
    ):
        if order_id is not None:
            found.setdefault(order_id, []).append(address)
    return found


def sms_numbers(uow: UnitOfWork, merchant_id: str, order_id: str) -> list[str]:
    return list(
        uow.session.scalars(
            select(ShopperPreference.address)
            .where(
                ShopperPreference.merchant_id == merchant_id,
                ShopperPreference.channel == "sms",
                ShopperPreference.order_id == order_id,
                ShopperPreference.opted_out.is_(False),
            )
            .order_by(ShopperPreference.address)
        )
    )


def stop_number_everywhere(uow: UnitOfWork, phone: str, now: datetime) -> int:
    """Opt ``phone`` out of texts at every merchant; how many subscriptions it stopped."""
    stopped = uow.session.execute(
        update(ShopperPreference)
        .where(
            ShopperPreference.channel == "sms",
            ShopperPreference.address == phone,
            ShopperPreference.opted_out.is_(False),
        )
        .values(opted_out=True, updated_at=now)
    ).rowcount
    return int(stopped or 0)


# --- pages for the API ----------------------------------------------------------------------


def order_log_page(
    uow: UnitOfWork, merchant_id: str, order_id: str, cursor: str | None, limit: int
) -> Page[Notification]:
    """An order's messages, oldest first."""
    query = select(Notification).where(
        Notification.merchant_id == merchant_id, Notification.order_id == order_id
    )
    return keyset_page(uow.session, query, Notification.id, cursor, limit, oldest_first=True)


def dead_page(uow: UnitOfWork, merchant_id: str, cursor: str | None, limit: int) -> Page[Notification]:
    """Dead letters, newest first."""
    query = select(Notification).where(Notification.merchant_id == merchant_id, Notification.state == "dead")
    return keyset_page(uow.session, query, Notification.id, cursor, limit)


def endpoint_page(uow: UnitOfWork, merchant_id: str, cursor: str | None, limit: int) -> Page[WebhookEndpoint]:
    """Webhook endpoints, oldest first."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.merchant_id == merchant_id)
    return keyset_page(uow.session, query, WebhookEndpoint.id, cursor, limit, oldest_first=True)
