"""Writing notifications into the outbox, in the transaction of the change that causes them.

Callers pass plain facts (which order, which shipment, which trigger); this module decides
who hears of it and through which channel: the shopper by email (unless opted out), by SMS
(only when subscribed for that order), and the merchant's webhook endpoints that want the
event type. Staff alerts (low stock, a shipment needing attention) go to every active staff
login by email instead of the shopper, and to the webhooks. Each row is written once per
(subject, trigger, channel, recipient): a repeat is a no-op, so replays and retries never add a
second message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ordertrack.customers import service as customers_service
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, NotFound, Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.kit.outgoing import OutgoingPolicy, TargetRefused
from ordertrack.notifications import repository, rules
from ordertrack.notifications.model import (
    Notification,
    NotificationSetting,
    ShopperPreference,
    WebhookEndpoint,
)
from ordertrack.orders import service as orders_service
from ordertrack.staff import service as staff_service

DEFAULT_LOCALE = "en"


STAFF_CHANNEL = "staff"  # the opt-out "channel" of a staff member's alert emails
SUPPLIER_CHANNEL = "supplier"  # the opt-out "channel" of a supplier's reminders


@dataclass(frozen=True)
class Occurrence:
    """Something a shopper, the staff or the merchant's systems should hear about.

    ``subject`` is what "once" is counted against (default: the shipment, else the order);
    ``facts`` travel with the message (a low-stock alert has no order to read them from).
    """

    trigger: str
    order_id: str | None
    customer_id: str | None
    shipment_id: str | None = None
    subject: str | None = None
    facts: dict[str, Any] | None = None


def enqueue(uow: UnitOfWork, merchant_id: str, occurrences: Iterable[Occurrence], *, now: datetime) -> int:
    """Write the outbox rows for these occurrences; how many new rows were written."""
    happened = [o for o in occurrences if o.trigger in rules.WEBHOOK_EVENTS]
    if not happened:
        return 0
    switched_off = repository.switched_off(uow, merchant_id)
    customers = customers_service.get_customers(
        uow, merchant_id, {o.customer_id for o in happened if o.customer_id}
    )
    opted_out = repository.opted_out(uow, merchant_id, "email", [c.email for c in customers.values()])
    sms = repository.sms_subscribers(uow, merchant_id, {o.order_id for o in happened if o.order_id})
    staff = (
        _staff_recipients(uow, merchant_id)
        if any(o.trigger in rules.STAFF_TRIGGERS for o in happened)
        else []
    )
    supplier_emails = [
        str((o.facts or {}).get("supplier_email") or "")
        for o in happened
        if o.trigger in rules.SUPPLIER_TRIGGERS
    ]
    stopped_reminders = (
        repository.opted_out(uow, merchant_id, SUPPLIER_CHANNEL, [e for e in supplier_emails if e])
        if any(supplier_emails)
        else set()
    )
    endpoints = repository.endpoints(uow, merchant_id, enabled_only=True)
    rows: list[dict[str, Any]] = []
    for occurrence in happened:
        subject = occurrence.subject or occurrence.shipment_id or occurrence.order_id or ""
        targets: list[tuple[str, str]] = []
        if occurrence.trigger in rules.WEBHOOK_ONLY_TRIGGERS:
            locale = DEFAULT_LOCALE
        elif occurrence.trigger in rules.SUPPLIER_TRIGGERS:
            # The supplier's address travels in the facts; the order itself is always sent,
            # reminders stop when the supplier asked.
            facts = occurrence.facts or {}
            locale = str(facts.get("locale") or DEFAULT_LOCALE)
            address = str(facts.get("supplier_email") or "")
            if address and (
                occurrence.trigger != "supplier_reminder" or address.lower() not in stopped_reminders
            ):
                targets.append(("email", address))
        elif occurrence.trigger in rules.STAFF_TRIGGERS:
            locale = DEFAULT_LOCALE
            targets += [("email", address) for address in staff]
        else:
            customer = customers.get(occurrence.customer_id) if occurrence.customer_id else None
            locale = (customer.locale if customer and customer.locale else DEFAULT_LOCALE).replace("-", "_")
            if customer is not None and customer.email.lower() not in opted_out:
                targets.append(("email", customer.email))
            targets += [("sms", phone) for phone in sms.get(occurrence.order_id or "", [])]
        event_type = rules.WEBHOOK_EVENTS[occurrence.trigger]
        targets += [
            ("webhook", endpoint.id)
            for endpoint in endpoints
            if not endpoint.event_types or event_type in endpoint.event_types
        ]
        for channel, recipient in targets:
            if (occurrence.trigger, channel) in switched_off:
                continue
            rows.append(
                {
                    "id": new_id("ntf"),
                    "merchant_id": merchant_id,
                    "order_id": occurrence.order_id,
                    "shipment_id": occurrence.shipment_id,
                    "trigger": occurrence.trigger,
                    "channel": channel,
                    "recipient": recipient,
                    "locale": locale,
                    "dedupe_key": rules.dedupe_key(subject, occurrence.trigger, channel, recipient),
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "facts": occurrence.facts or {},
                    "created_at": now,
                }
            )
    return repository.insert_new(uow, rows)


def _staff_recipients(uow: UnitOfWork, merchant_id: str) -> list[str]:
    """Every active staff login, minus those who stopped alert emails."""
    emails = staff_service.active_staff_emails(uow, merchant_id)
    stopped = repository.opted_out(uow, merchant_id, STAFF_CHANNEL, emails)
    return [email for email in emails if email.lower() not in stopped]


# --- what the merchant manages through the API ------------------------------------------------


class NotificationNotFound(NotFound):
    code = "notification_not_found"


class EndpointNotFound(NotFound):
    code = "webhook_endpoint_not_found"


def log_for_order(uow: UnitOfWork, merchant_id: str, order_id: str) -> list[Notification]:
    """What was (or will be) sent about an order: when, to whom, through which channel, result."""
    return repository.for_order(uow, merchant_id, order_id)


def settings(uow: UnitOfWork, merchant_id: str) -> list[tuple[str, str, bool]]:
    """Every (trigger, channel) with whether it is on; unset ones are on."""
    off = repository.switched_off(uow, merchant_id)
    pairs = [(t, c) for t in sorted(rules.SHOPPER_TRIGGERS) for c in ("email", "sms", "webhook")]
    pairs += [(t, c) for t in sorted(rules.STAFF_TRIGGERS) for c in ("email", "webhook")]
    return [(t, c, (t, c) not in off) for t, c in pairs]


class StaffAlertChannel(Unprocessable):
    code = "staff_alert_channel"


def set_setting(uow: UnitOfWork, merchant_id: str, trigger: str, channel: str, enabled: bool) -> None:
    if trigger in rules.STAFF_TRIGGERS and channel == "sms":
        raise StaffAlertChannel(f"{trigger} is a staff alert: it goes by email and webhook, not SMS")
    row = repository.setting(uow, merchant_id, trigger, channel)
    if row is None:
        repository.add(
            uow,
            NotificationSetting(merchant_id=merchant_id, trigger=trigger, channel=channel, enabled=enabled),
        )
    else:
        row.enabled = enabled


class WebhookUrlNotAllowed(Unprocessable):
    code = "webhook_url_not_allowed"


def add_endpoint(
    uow: UnitOfWork,
    merchant_id: str,
    url: str,
    event_types: list[str],
    secret: str,
    *,
    outgoing: OutgoingPolicy,
) -> WebhookEndpoint:
    """Register a merchant endpoint once its URL passes ``outgoing``: https (http only where the
    operator allows it) and a host whose every address is public. The worker checks again at
    each send; this check tells the merchant now, not after the first event."""
    try:
        outgoing.check_url(url)  # before any query: no transaction waits on the name lookup
    except TargetRefused as exc:
        raise WebhookUrlNotAllowed(f"{url!r} cannot receive webhooks: {exc.message}") from None
    endpoint = WebhookEndpoint(
        id=new_id("whe"),
        merchant_id=merchant_id,
        url=url,
        secret=secret,
        event_types=sorted(set(event_types)),
        enabled=True,
        created_at=utcnow(),
    )
    repository.add(uow, endpoint)
    uow.flush()
    return endpoint


def remove_endpoint(uow: UnitOfWork, merchant_id: str, endpoint_id: str) -> None:
    endpoint = repository.endpoint(uow, endpoint_id)
    if endpoint is None or endpoint.merchant_id != merchant_id:
        raise EndpointNotFound(f"no webhook endpoint {endpoint_id!r}")
    endpoint.enabled = False  # kept, so the log still names where past messages went


def opt_out(uow: UnitOfWork, merchant_id: str, channel: str, address: str) -> None:
    """The shopper stops this channel at this merchant (the unsubscribe link)."""
    address = address.lower() if channel == "email" else address
    row = repository.preference(uow, merchant_id, channel, address)
    if row is None:
        repository.add(
            uow,
            ShopperPreference(
                merchant_id=merchant_id, channel=channel, address=address, opted_out=True, updated_at=utcnow()
            ),
        )
    else:
        row.opted_out, row.updated_at = True, utcnow()


class SmsSignupClosed(Conflict):
    """The order is finished (delivered, returned or cancelled): nothing left to text about."""

    code = "sms_signup_closed"


class TooManySmsNumbers(Conflict):
    code = "sms_numbers_limit"


def subscribe_sms(uow: UnitOfWork, merchant_id: str, order_id: str, phone: str) -> None:
    """A shopper asks for text updates about one order (from the tracking page).

    Refused for a finished order (:class:`SmsSignupClosed`) and past
    ``rules.SMS_NUMBERS_PER_ORDER`` numbers (:class:`TooManySmsNumbers`); the caller has
    already checked that the asker proved the order's email.
    """
    order = orders_service.orders_by_id(uow, merchant_id, [order_id]).get(order_id)
    if order is None:
        raise orders_service.OrderNotFound(f"no order {order_id!r}")
    if not rules.sms_signup_open(order.status):
        raise SmsSignupClosed(f"order {order.number} is {order.status}: no more texts to send about it")
    others = [number for number in sms_numbers(uow, merchant_id, order_id) if number != phone]
    if len(others) >= rules.SMS_NUMBERS_PER_ORDER:
        raise TooManySmsNumbers(f"order {order.number} already texts {len(others)} numbers")
    row = repository.preference(uow, merchant_id, "sms", phone)
    if row is None:
        repository.add(
            uow,
            ShopperPreference(
                merchant_id=merchant_id,
                channel="sms",
                address=phone,
                opted_out=False,
                order_id=order_id,
                updated_at=utcnow(),
            ),
        )
    else:
        row.opted_out, row.order_id, row.updated_at = False, order_id, utcnow()


def sms_numbers(uow: UnitOfWork, merchant_id: str, order_id: str) -> list[str]:
    """The numbers texted about this order now."""
    return repository.sms_numbers(uow, merchant_id, order_id)


def stop_sms(uow: UnitOfWork, merchant_id: str, order_id: str, phone: str) -> bool:
    """The shopper stops texts to ``phone`` about this order (from the tracking page).

    Texts already queued for it are dropped too. False when the number was not subscribed.
    """
    row = repository.preference(uow, merchant_id, "sms", phone)
    if row is None or row.order_id != order_id or row.opted_out:
        return False
    row.opted_out, row.updated_at = True, utcnow()
    repository.suppress_queued_texts(uow, phone, merchant_id)
    return True


def stop_sms_everywhere(uow: UnitOfWork, phone: str) -> int:
    """The holder of ``phone`` texted STOP to our number: no store texts it again.

    Every merchant sends from the same number, so the reply stops them all, and texts
    already queued are dropped. How many subscriptions were stopped.
    """
    stopped = repository.stop_number_everywhere(uow, phone, utcnow())
    repository.suppress_queued_texts(uow, phone)
    return stopped
