"""Pure notification rules: which trigger a change fires, when a message has gone stale, how
long to wait before the next try."""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

from ordertrack.kit.retry import RetryPolicy
from ordertrack.orders.status import FINISHED_ORDER_STATUSES
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES

# Shipment statuses that notify the shopper when a shipment enters them.
SHIPMENT_TRIGGERS = {
    "out_for_delivery": "out_for_delivery",
    "available_for_pickup": "available_for_pickup",
    "failed_attempt": "failed_attempt",
    "delivered": "delivered",
    "exception": "exception",
}
# Merchant webhook event types, by trigger.
WEBHOOK_EVENTS = {
    "order_confirmed": "order.confirmed",
    "shipped": "shipment.shipped",
    "out_for_delivery": "shipment.out_for_delivery",
    "available_for_pickup": "shipment.available_for_pickup",
    "failed_attempt": "shipment.failed_attempt",
    "delivered": "shipment.delivered",
    "exception": "shipment.exception",
    "delivery_revised": "shipment.delivery_revised",
    "low_stock": "inventory.low_stock",
    "needs_attention": "shipment.needs_attention",
    "shopper_message": "shipment.shopper_messaged",
    "inbound_late": "purchasing.inbound_late",
    "purchase_order_sent": "purchasing.purchase_order_sent",
    "supplier_reminder": "purchasing.supplier_reminded",
    "rating_request": "rating.requested",
    "rating_created": "rating.created",
    "rating_updated": "rating.updated",
}
# Told to the merchant's webhooks only: nobody gets an email or a text about them.
WEBHOOK_ONLY_TRIGGERS = frozenset({"rating_created", "rating_updated"})
# Alerts for the merchant's staff (by email) rather than the shopper.
# Messages to a purchase order's supplier, at its email address (message.SUPPLIER_TRIGGERS).
SUPPLIER_TRIGGERS = frozenset({"purchase_order_sent", "supplier_reminder"})
# Messages to the business side rather than the shopper: staff alerts, and the supplier's.
STAFF_TRIGGERS = (
    frozenset({"low_stock", "needs_attention", "inbound_late"}) | SUPPLIER_TRIGGERS | WEBHOOK_ONLY_TRIGGERS
)
SHOPPER_TRIGGERS = frozenset(WEBHOOK_EVENTS) - STAFF_TRIGGERS
# Staff emails their feature writes whole when it queues them, with no template and no webhook:
# the weekly analytics digest (analytics.digest_mail), to staff who opted in.
COMPOSED_TRIGGERS = frozenset({"weekly_digest"})

# The statuses after which a message about ``trigger`` would no longer be true.
_OUTDATED_BY = {
    "shipped": {"delivered", "returned", "returning"},
    "out_for_delivery": {"delivered", "failed_attempt", "available_for_pickup", "returned", "returning"},
    "available_for_pickup": {"delivered", "returned", "returning"},
    "failed_attempt": FINISHED_SHIPMENT_STATUSES,
    "exception": FINISHED_SHIPMENT_STATUSES,
    "delivered": {"returned", "returning"},
    # Sorted out before anyone read it: the parcel arrived, or came back.
    "needs_attention": FINISHED_SHIPMENT_STATUSES,
}

# Numbers texted about one order at once: the shopper and a household member or two, never a list.
SMS_NUMBERS_PER_ORDER = 3
# Words that stop texts when sent back to our number (CTIA's STOP, END, CANCEL, UNSUBSCRIBE, QUIT,
# and Twilio's STOPALL, OPTOUT, REVOKE), plus the Spanish and Portuguese ones shoppers write.
SMS_STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "END", "CANCEL", "UNSUBSCRIBE", "QUIT", "OPTOUT", "REVOKE", "PARAR", "SAIR", "BAJA"}
)

# A message is tried 8 times, the waits between tries drawn with full jitter under a ceiling of
# 30 s, 1 min, 2 min... up to 2 hours, and never under a second; then it is dead (a dead letter).
RETRIES = RetryPolicy(max_attempts=8, base=30.0, cap=2 * 60 * 60.0, floor=1.0)
MAX_ATTEMPTS = RETRIES.max_attempts


def trigger_for_shipment_change(old_status: str, new_status: str) -> str | None:
    """The shopper trigger a shipment's move from ``old_status`` to ``new_status`` fires."""
    if new_status == old_status:
        return None
    return SHIPMENT_TRIGGERS.get(new_status)


def attention_subject(shipment_id: str, status: str) -> str:
    """What a staff alert is about: this shipment in this state (one alert each)."""
    return f"{shipment_id}:{status}"


def revision_subject(shipment_id: str, earliest: date, latest: date) -> str:
    """A revised delivery date is told once per shipment and new window."""
    return f"{shipment_id}:eta:{earliest.isoformat()}/{latest.isoformat()}"


def is_stale(trigger: str, shipment_status: str | None) -> bool:
    """True when the shipment has moved past what the message would tell.

    Events that arrive late and together are folded before anyone is told, so a parcel
    scanned "out for delivery" and "delivered" in one batch only ever fires "delivered"; this
    rule covers the message already queued when the newer news arrives.
    """
    if shipment_status is None:
        return False
    return shipment_status in _OUTDATED_BY.get(trigger, set())


def reminder_subject(purchase_order_id: str, promised_ship_date: date) -> str:
    """A supplier is reminded once per purchase order and promised ship date."""
    return f"{purchase_order_id}:reminder:{promised_ship_date.isoformat()}"


def dedupe_key(subject_id: str, trigger: str, channel: str, recipient: str) -> str:
    """At most one message per (order or shipment, trigger, channel, recipient)."""
    raw = f"{subject_id}|{trigger}|{channel}|{recipient.strip().lower()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """When the next try is due after ``attempts`` failed tries (1-based): the one retry policy."""
    return timedelta(seconds=RETRIES.delay(max(1, attempts), rng))


def sms_signup_open(order_status: str) -> bool:
    """Text updates are offered while the order still has news to come (not finished)."""
    return order_status not in FINISHED_ORDER_STATUSES


def is_stop_request(body: str) -> bool:
    """True when a text sent back to us asks to stop ("stop", " STOP. ", "Parar!")."""
    word = "".join(char for char in body.strip().upper() if char.isalnum())
    return word in SMS_STOP_WORDS


def attention_alert(kind: str, detail: str | None) -> str:
    """A staff alert's finding in words: "stalled: no scan for 5.0 days; usually at most 2.0 days"."""
    words = kind.replace("_", " ")
    return f"{words}: {detail}" if detail else words
