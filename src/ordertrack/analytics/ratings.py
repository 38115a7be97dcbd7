"""Delivery ratings: asked once some hours after delivery, given on the order's page, joined to
what happened (carrier, lane, warehouse, lateness, exception) and summed up for the merchant.

Use cases take a unit of work and never commit. The rules (stars, reasons, the 14-day window,
lateness classes, the figures) are :mod:`ordertrack.analytics.rating_rules`, pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select, tuple_

from ordertrack.analytics import facts as analytics_facts
from ordertrack.analytics import rating_rules as rules
from ordertrack.analytics.figures import promise_offset
from ordertrack.analytics.rating_model import DeliveryRating, RatingRequest
from ordertrack.attention import service as attention_service
from ordertrack.attention import workflow as attention_workflow
from ordertrack.db.uow import UnitOfWork
from ordertrack.events import OrderStatusChanged, ShopperMessaged
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, NotFound, Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.kit.pagination import Page, decode_cursor, encode_cursor
from ordertrack.merchants import service as merchants_service
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.service import Occurrence
from ordertrack.orders import service as orders_service
from ordertrack.shipments import service as shipments_service

REQUESTS_PER_RUN = 500
REPLY_LENGTH = attention_workflow.MESSAGE_LENGTH


class RatingNotFound(NotFound):
    code = "rating_not_found"


class OrderNotDelivered(Conflict):
    code = "order_not_delivered"


class RatingClosed(Conflict):
    code = "rating_change_window_closed"


class InvalidRating(Unprocessable):
    code = "invalid_rating"


# --- asking ------------------------------------------------------------------------------------


def request_after_hours(uow: UnitOfWork, merchant_id: str) -> int:
    """The merchant's setting: hours after delivery the rating request goes out."""
    stored = merchants_service.setting(uow, merchant_id, "rating_request_after_hours")
    return rules.DEFAULT_REQUEST_AFTER_HOURS if stored is None else int(stored)


def set_request_after_hours(uow: UnitOfWork, merchant_id: str, hours: object) -> int:
    try:
        value = rules.checked_request_hours(hours)
    except rules.RatingRuleBroken as bad:
        raise InvalidRating(str(bad)) from None
    merchants_service.set_setting(uow, merchant_id, "rating_request_after_hours", value)
    return value


def ask_after_delivery(uow: UnitOfWork, events: Sequence[OrderStatusChanged]) -> None:
    """Orders became delivered: each one's rating request is due some hours from now (one query
    per merchant for the orders already asked, however many were delivered at once)."""
    now = utcnow()
    delivered: dict[str, set[str]] = {}
    for event in events:
        if event.current == "delivered":
            delivered.setdefault(event.merchant_id, set()).add(event.order_id)
    for merchant_id, order_ids in delivered.items():
        asked = set(
            uow.session.scalars(
                select(RatingRequest.order_id).where(
                    RatingRequest.merchant_id == merchant_id, RatingRequest.order_id.in_(sorted(order_ids))
                )
            )
        )  # delivered again after a return: asked once is enough
        due_at = rules.request_due_at(now, request_after_hours(uow, merchant_id))
        uow.session.add_all(
            RatingRequest(
                id=new_id("rrq"),
                merchant_id=merchant_id,
                order_id=order_id,
                due_at=due_at,
                sent_at=None,
                dropped=False,
            )
            for order_id in sorted(order_ids - asked)
        )


def send_due_requests(uow: UnitOfWork, now: datetime, limit: int = REQUESTS_PER_RUN) -> int:
    """Queue the requests that came due (an outbox row per channel, once); an order that is no
    longer delivered (returned, say) is not asked. How many were queued."""
    due = uow.session.scalars(
        select(RatingRequest)
        .where(RatingRequest.sent_at.is_(None), RatingRequest.due_at <= now)
        .order_by(RatingRequest.due_at, RatingRequest.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    by_merchant: dict[str, list[RatingRequest]] = {}
    for request in due:
        by_merchant.setdefault(request.merchant_id, []).append(request)
    for merchant_id, requests in by_merchant.items():
        orders = orders_service.orders_by_id(uow, merchant_id, [r.order_id for r in requests])
        asked: list[Occurrence] = []
        for request in requests:
            request.sent_at = now
            order = orders.get(request.order_id)
            if order is None or order.status != "delivered":
                request.dropped = True
                continue
            asked.append(
                Occurrence("rating_request", order.id, order.customer_id, subject=f"{order.id}:rating")
            )
        notifications_service.enqueue(uow, merchant_id, asked, now=now)
        sent += len(asked)
    return sent


# --- rating ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderDelivery:
    """What happened to a delivered order, as a rating is joined to it."""

    delivered_on: date
    carrier: str
    warehouse: str | None
    lane: str
    days_late: int | None
    had_exception: bool
    last_shipment_id: str


def delivery_of(uow: UnitOfWork, merchant_id: str, order_id: str) -> OrderDelivery | None:
    """The order's delivery: the shipment delivered last gives the day, carrier, warehouse and
    lane; days late is the worst of its shipments; an exception on any shipment counts."""
    shipments = shipments_service.shipments_for_orders(uow, merchant_id, [order_id]).get(order_id, [])
    delivered = [s for s in shipments if s.delivered_at is not None]
    if not delivered:
        return None
    facts = analytics_facts.load_facts(uow, [s.id for s in delivered])
    last = max(delivered, key=lambda s: (s.delivered_at, s.id))
    fact = facts.get(last.id)
    offsets = [o for o in (promise_offset(facts[s.id]) for s in delivered if s.id in facts) if o is not None]
    day = fact.delivery_day if fact is not None else None
    return OrderDelivery(
        delivered_on=day or last.delivered_at.date(),  # type: ignore[union-attr]
        carrier=last.carrier,
        warehouse=last.warehouse,
        lane=rules.lane_of(
            last.carrier,
            fact.origin_country if fact else None,
            fact.destination_country if fact else None,
            fact.destination_region if fact else None,
        ),
        days_late=max(offsets) if offsets else None,
        had_exception=any(facts[s.id].exception_reasons for s in delivered if s.id in facts),
        last_shipment_id=last.id,
    )


def rating_of_order(uow: UnitOfWork, merchant_id: str, order_id: str) -> DeliveryRating | None:
    return uow.session.scalar(
        select(DeliveryRating).where(
            DeliveryRating.merchant_id == merchant_id, DeliveryRating.order_id == order_id
        )
    )


def give_rating(
    uow: UnitOfWork,
    merchant_id: str,
    order_id: str,
    given: rules.RatingInput,
    *,
    now: datetime,
) -> tuple[DeliveryRating, bool]:
    """Rate the delivered order, or change its rating within 14 days; (the rating, created?).

    A low rating opens (or refreshes) an attention item on the shipment delivered last; the
    merchant's webhooks hear ``rating.created`` or ``rating.updated``.
    """
    order = orders_service.orders_by_id(uow, merchant_id, [order_id]).get(order_id)
    if order is None:
        raise RatingNotFound(f"no order {order_id!r}")
    if order.status != "delivered":
        raise OrderNotDelivered("only a delivered order can be rated")
    delivery = delivery_of(uow, merchant_id, order_id)
    if delivery is None:
        raise OrderNotDelivered("only a delivered order can be rated")
    rating = rating_of_order(uow, merchant_id, order_id)
    created = rating is None
    if rating is None:
        rating = DeliveryRating(id=new_id("rat"), merchant_id=merchant_id, order_id=order_id, created_at=now)
        uow.session.add(rating)
    elif not rules.still_changeable(rating.created_at, now):
        raise RatingClosed("a rating can be changed for 14 days after it was given; this one can no longer")
    elif (rating.stars, rating.reasons, rating.comment, dict(rating.items or {})) == (
        given.stars,
        ",".join(given.reasons),
        given.comment,
        dict(given.items),
    ):
        return rating, False  # sent again unchanged: nothing happened, nobody is told
    rating.stars = given.stars
    rating.reasons = ",".join(given.reasons)
    rating.comment = given.comment
    rating.items = dict(given.items)
    rating.updated_at = now
    rating.delivered_on = delivery.delivered_on
    rating.carrier = delivery.carrier
    rating.warehouse = delivery.warehouse
    rating.lane = delivery.lane
    rating.days_late = delivery.days_late
    rating.had_exception = delivery.had_exception
    if rules.is_low(given.stars):
        item = attention_service.open_for_low_rating(
            uow, merchant_id, delivery.last_shipment_id, order_id, low_rating_detail(given), now
        )
        rating.attention_item_id = item.id
    uow.session.flush()
    notifications_service.enqueue(
        uow,
        merchant_id,
        [
            Occurrence(
                "rating_created" if created else "rating_updated",
                order_id,
                None,
                subject=f"{rating.id}:{now.isoformat()}",
                facts={"rating": rating_payload(rating, order.number)},
            )
        ],
        now=now,
    )
    return rating, created


def low_rating_detail(given: rules.RatingInput) -> str:
    """The attention item's finding: the stars, the reasons, the shopper's words."""
    reasons = f" ({', '.join(given.reasons)})" if given.reasons else ""
    words = f": “{given.comment}”" if given.comment else ""
    return f"rated {given.stars} of 5{reasons}{words}"


def rating_payload(rating: DeliveryRating, order_number: str) -> dict[str, object]:
    """The rating as the API and the webhooks tell it."""
    return {
        "id": rating.id,
        "order_id": rating.order_id,
        "order_number": order_number,
        "stars": rating.stars,
        "reasons": [r for r in rating.reasons.split(",") if r],
        "comment": rating.comment,
        "item_stars": dict(rating.items or {}),
        "created_at": rating.created_at.isoformat(),
        "updated_at": rating.updated_at.isoformat(),
        "changeable_until": (rating.created_at + rules.CHANGE_WINDOW).isoformat(),
        "delivered_on": rating.delivered_on.isoformat(),
        "carrier": rating.carrier,
        "warehouse": rating.warehouse,
        "lane": rating.lane,
        "days_late": rating.days_late,
        "lateness": rules.lateness_class(rating.days_late),
        "had_exception": rating.had_exception,
        "attention_item_id": rating.attention_item_id,
    }


# --- the merchant's side -----------------------------------------------------------------------


def get_rating(uow: UnitOfWork, merchant_id: str, rating_id: str) -> DeliveryRating:
    rating = uow.session.scalar(
        select(DeliveryRating).where(
            DeliveryRating.merchant_id == merchant_id, DeliveryRating.id == rating_id
        )
    )
    if rating is None:
        raise RatingNotFound(f"no rating {rating_id!r}")
    return rating


def reply(
    uow: UnitOfWork,
    merchant_id: str,
    rating_id: str,
    text: str,
    actor: attention_workflow.Actor,
    *,
    now: datetime,
) -> str:
    """Staff answer the shopper: a message through the outbox by the shopper's channels, kept on
    the attention item's history when the rating opened one. The message's id."""
    text = text.strip()
    if not 1 <= len(text) <= REPLY_LENGTH:
        raise InvalidRating(f"a reply must be 1 to {REPLY_LENGTH} characters")
    rating = get_rating(uow, merchant_id, rating_id)
    if rating.attention_item_id is not None:
        entry = attention_workflow.message_shopper(
            uow, merchant_id, rating.attention_item_id, text, actor, now=now
        )
        return entry.id
    delivery = delivery_of(uow, merchant_id, rating.order_id)
    if delivery is None:
        raise OrderNotDelivered("the order has no delivered shipment to write about")
    message_id = new_id("rmsg")
    uow.record(ShopperMessaged(merchant_id, message_id, rating.order_id, delivery.last_shipment_id, text))
    return message_id


def list_ratings(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    cursor: str | None,
    limit: int,
    stars: int | None = None,
) -> Page[DeliveryRating]:
    """Newest first (by when first given, then id); the cursor is the last rating's id."""
    after = decode_cursor(cursor)
    query = select(DeliveryRating).where(DeliveryRating.merchant_id == merchant_id)
    if stars is not None:
        query = query.where(DeliveryRating.stars == stars)
    if after is not None:
        last = uow.session.get(DeliveryRating, str(after))
        if last is not None and last.merchant_id == merchant_id:
            query = query.where(
                tuple_(DeliveryRating.created_at, DeliveryRating.id) < (last.created_at, last.id)
            )
    rows = list(
        uow.session.scalars(
            query.order_by(DeliveryRating.created_at.desc(), DeliveryRating.id.desc()).limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=encode_cursor(rows[-1].id) if more and rows else None)


def order_numbers(uow: UnitOfWork, merchant_id: str, ratings: Sequence[DeliveryRating]) -> dict[str, str]:
    orders = orders_service.orders_by_id(uow, merchant_id, [r.order_id for r in ratings])
    return {order_id: order.number for order_id, order in orders.items()}


def counted_facts(
    uow: UnitOfWork, merchant_id: str, first_day: date, last_day: date
) -> list[rules.CountedFacts]:
    """The ratings of orders delivered from ``first_day`` to ``last_day`` (local delivery days),
    counted by the database per carrier, lane, warehouse, lateness class and exception."""
    lateness = case(
        (DeliveryRating.days_late.is_(None), rules.NO_PROMISE),
        (DeliveryRating.days_late <= 0, rules.ON_TIME),
        (DeliveryRating.days_late <= 2, rules.LATE_1_2),
        else_=rules.LATE_MORE,
    )
    keys = (
        DeliveryRating.carrier,
        DeliveryRating.lane,
        DeliveryRating.warehouse,
        lateness,
        DeliveryRating.had_exception,
    )
    rows = uow.session.execute(
        select(
            *keys,
            func.count(),
            func.sum(DeliveryRating.stars),
            func.sum(case((DeliveryRating.stars <= rules.LOW_STARS, 1), else_=0)),
        )
        .where(
            DeliveryRating.merchant_id == merchant_id,
            DeliveryRating.delivered_on >= first_day,
            DeliveryRating.delivered_on <= last_day,
        )
        .group_by(*keys)
    ).all()
    return [
        rules.CountedFacts(carrier, lane, warehouse, str(late), bool(exception), int(n), int(total), int(low))
        for carrier, lane, warehouse, late, exception, n, total, low in rows
    ]


@dataclass(frozen=True)
class Summary:
    first_day: date
    last_day: date
    overall: rules.RatingGroup
    groups: dict[str, list[rules.RatingGroup]]


def summary(uow: UnitOfWork, merchant_id: str, first_day: date, last_day: date) -> Summary:
    """Average stars and share of 1-2 stars, overall and by each grouping."""
    counted = counted_facts(uow, merchant_id, first_day, last_day)
    overall = rules.summarise_counted(counted) or [rules.RatingGroup("all", 0, 0, 0)]
    return Summary(
        first_day,
        last_day,
        overall[0],
        {grouping: rules.summarise_counted(counted, grouping) for grouping in rules.GROUPINGS},
    )
