"""Delivery ratings over HTTP: the list, one rating, the summary (JSON or CSV), replying to the
shopper, and when the request is sent (docs/api.md, "Delivery ratings")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from ordertrack.analytics import rating_export, ratings
from ordertrack.analytics.rating_schemas import (
    RatingOut,
    RatingPage,
    RatingReplyIn,
    RatingReplyOut,
    RatingSettingsIn,
    RatingSettingsOut,
    RatingSummaryOut,
)
from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.references import DEFAULT, Limit
from ordertrack.api.transactions import idempotent_write, in_transaction, json_response
from ordertrack.attention.workflow import Actor
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Unprocessable
from ordertrack.kit.pagination import Cursor
from ordertrack.kit.schema import error_responses

router = APIRouter(prefix="/api/v1", tags=["ratings"])

RatingId = Annotated[str, Path(min_length=1, max_length=32)]
Day = Annotated[
    str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="a day, YYYY-MM-DD (local delivery day)")
]
API_ACTOR = Actor(None, "API")
MAX_DAYS = 400


class InvalidPeriod(Unprocessable):
    code = "invalid_period"


def period(first: str | None, last: str | None, today: date) -> tuple[date, date]:
    """``from`` to ``to`` (default: the 30 days ending today), at most 400 days."""
    try:
        last_day = date.fromisoformat(last) if last else today
        first_day = date.fromisoformat(first) if first else last_day - timedelta(days=29)
    except ValueError:
        raise InvalidPeriod("from and to must be days, YYYY-MM-DD") from None
    if first_day > last_day:
        raise InvalidPeriod("from must not be after to")
    if (last_day - first_day).days >= MAX_DAYS:
        raise InvalidPeriod(f"a period is at most {MAX_DAYS} days")
    return first_day, last_day


@router.get("/ratings", response_model=RatingPage, responses=error_responses(422))
def list_ratings(
    stars: Annotated[int | None, Query(ge=1, le=5)] = None,
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """The shoppers' ratings, newest first (by when first given)."""
    with db.uow(write=False) as uow:
        page = ratings.list_ratings(uow, merchant_id, cursor=cursor, limit=limit, stars=stars)
        numbers = ratings.order_numbers(uow, merchant_id, page.items)
    items = [RatingOut(**ratings.rating_payload(r, numbers.get(r.order_id, ""))) for r in page.items]  # type: ignore[arg-type]
    return json_response(RatingPage(items=items, next_cursor=page.next_cursor))


@router.get(
    "/ratings/summary",
    responses={
        **error_responses(422),
        200: {
            "description": "Average stars and share of 1-2 stars, overall and per group; CSV with format=csv",
            "content": {"application/json": {"schema": RatingSummaryOut.model_json_schema()}, "text/csv": {}},
        },
    },
)
def rating_summary(
    from_: Annotated[Day, Query(alias="from")] = None,
    to: Day = None,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Ratings of orders delivered (local day) from ``from`` to ``to``: average stars and the share
    of 1-2 stars by carrier, lane, warehouse, lateness and exception. Definitions: docs/analytics.md."""
    first_day, last_day = period(from_, to, utcnow().date())
    with db.uow(write=False) as uow:
        found = ratings.summary(uow, merchant_id, first_day, last_day)
    if format == "csv":
        return Response(
            rating_export.summary_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="ratings-{first_day}-{last_day}.csv"'},
        )
    return Response(rating_export.summary_json(found), media_type="application/json")


@router.get("/ratings/settings", response_model=RatingSettingsOut)
def rating_settings(merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)) -> Response:
    """How many hours after delivery the shopper is asked to rate (default 24)."""
    with db.uow(write=False) as uow:
        hours = ratings.request_after_hours(uow, merchant_id)
    return json_response(RatingSettingsOut(request_after_hours=hours))


@router.put("/ratings/settings", response_model=RatingSettingsOut, responses=error_responses(422))
def change_rating_settings(
    body: RatingSettingsIn, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """Change when the request is sent; orders delivered from now on are asked that much later."""
    hours = in_transaction(
        db, lambda uow: ratings.set_request_after_hours(uow, merchant_id, body.request_after_hours)
    )
    return json_response(RatingSettingsOut(request_after_hours=hours))


@router.get("/ratings/{rating_id}", response_model=RatingOut, responses=error_responses(404))
def get_rating(
    rating_id: RatingId, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    with db.uow(write=False) as uow:
        rating = ratings.get_rating(uow, merchant_id, rating_id)
        number = ratings.order_numbers(uow, merchant_id, [rating]).get(rating.order_id, "")
    return json_response(RatingOut(**ratings.rating_payload(rating, number)))  # type: ignore[arg-type]


@router.post(
    "/ratings/{rating_id}/reply",
    status_code=202,
    response_model=RatingReplyOut,
    responses=error_responses(404, 409),
)
def reply_to_rating(
    request: Request,
    rating_id: RatingId,
    body: RatingReplyIn,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Answer the shopper: a message by their channels (email, SMS) through the outbox, kept on the
    attention item's history when the rating opened one."""

    def produce(uow):  # type: ignore[no-untyped-def]
        message_id = ratings.reply(uow, merchant_id, rating_id, body.text, API_ACTOR, now=utcnow())
        return 202, RatingReplyOut(message_id=message_id)

    return idempotent_write(request, db, merchant_id, body, produce)
