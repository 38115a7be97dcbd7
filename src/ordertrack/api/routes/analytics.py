"""Delivery analytics over HTTP: every figure of a period and filters as JSON or CSV, lanes that
got worse, and the shipments behind one lane (docs/api.md, "Delivery analytics")."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from ordertrack.analytics import export, report
from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.references import DEFAULT, Limit
from ordertrack.db.uow import Database
from ordertrack.kit import collector
from ordertrack.kit.clock import utcnow
from ordertrack.kit.pagination import Cursor, decode_cursor, encode_cursor
from ordertrack.kit.schema import error_responses

router = APIRouter(tags=["analytics"])

Day = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="a day, YYYY-MM-DD (destination-local)"),
]
Filter = Annotated[str | None, Query(max_length=80)]
Country = Annotated[
    str | None,
    Query(pattern=r"^([A-Za-z]{2})?$", description="ISO 3166 two-letter country code (empty: none)"),
]
# A page of groups (a large shop ships on thousands of lanes).
GROUPS_PAGE = 100
MAX_GROUPS = 1000
Window = Annotated[str | None, Query(pattern="^(7|30)$", description="the last 7 or 30 days (default 7)")]


def _params(request: Request) -> dict[str, str]:
    return dict(request.query_params.items())


def _wants_csv(request: Request, format: str | None) -> bool:
    if format:
        return format == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


@router.get(
    "/api/v1/analytics/delivery",
    responses={
        **error_responses(422),
        200: {
            "description": "Every delivery figure (shares as numerator, denominator and rate), "
            "the weekly on-time rates and, with group_by, the figures per group; CSV with "
            "format=csv or Accept: text/csv",
            "content": {"application/json": {}, "text/csv": {}},
        },
    },
)
def delivery(
    request: Request,
    from_: Annotated[Day, Query(alias="from")] = None,
    to: Day = None,
    carrier: Filter = None,
    service: Filter = None,
    warehouse: Filter = None,
    origin_country: Country = None,
    origin_region: Filter = None,
    destination_country: Country = None,
    destination_region: Filter = None,
    group_by: Annotated[str | None, Query(pattern="^(warehouse|lane|carrier)$")] = None,
    limit: Annotated[
        int | None,
        Query(ge=1, le=MAX_GROUPS, description=f"groups a page, most shipments first (JSON: {GROUPS_PAGE})"),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="groups to skip (paging)")] = 0,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """The delivery figures of the merchant's shipments whose analytics day (destination-local
    delivery day, else hand-off day) is from ``from`` to ``to`` (default: the last 30 days; at
    most 400 days), with the filters given. Definitions: docs/analytics.md.

    With ``group_by`` the groups come most shipments first, one page at a time (``limit``,
    ``offset``; the answer says ``groups_total`` and ``next_offset``): a large shop ships on
    thousands of lanes. The CSV holds every group unless ``limit`` is given."""
    query = report.parse_query(_params(request), utcnow().date(), group_by=True)
    csv = _wants_csv(request, format)
    size = limit if limit is not None else (None if csv else GROUPS_PAGE)
    # The CSV of every lane builds a million short-lived objects: no cycle collection meanwhile.
    with collector.paused():
        return _delivery_answer(db, merchant_id, query, csv, size, offset)


def _delivery_answer(
    db: Database, merchant_id: str, query: report.DeliveryQuery, csv: bool, size: int | None, offset: int
) -> Response:
    page = None if size is None else (offset, size)
    with db.uow(write=False) as uow:
        groups = (query.group_by,) if query.group_by else ()
        found = report.delivery_report(uow, merchant_id, query, groups, lane_page=page)
    total = found.lanes_total if query.group_by == "lane" else len(export.groups_of(found, query.group_by))
    if query.group_by and query.group_by != "lane" and page is not None:
        found = export.with_group_page(found, query.group_by, *page)
    if csv:
        return Response(
            export.report_csv(found, *groups),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="delivery-{query.first}-{query.last}.csv"'
            },
        )
    body = export.report_json(found)
    if query.group_by and page is not None:
        following = offset + size  # type: ignore[operator]
        body |= {
            "groups_total": total,
            "offset": offset,
            "limit": size,
            "next_offset": following if following < total else None,
        }
    return Response(orjson.dumps(body), media_type="application/json")


def _alert_json(alert: Any) -> dict[str, Any]:
    return {
        "lane": {name: value or None for name, value in report.lane_params(alert.lane).items()},
        "figure": alert.figure,
        "window_days": alert.window_days,
        "current": alert.current,
        "usual_low": alert.usual_low,
        "usual_high": alert.usual_high,
    }


@router.get("/api/v1/analytics/lanes", responses=error_responses(422))
def worse_lanes(
    request: Request,
    window: Window = None,
    as_of: Day = None,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Lanes whose on-time rate (against the promise) or transit p90 over the window ending
    ``as_of`` (default today) left their usual range over the 8 weeks before; every one of them
    (a merchant has few), with no paging. The shipments behind one: ``/analytics/lanes/shipments``.
    ``judged_at``: when the answer was counted; the worker keeps it fresh (at most 15 minutes old)."""
    now = utcnow()
    days, day = report.parse_window(_params(request), now.date())
    alerts, judged_at = report.worse_lanes(db, merchant_id, day, days, now)
    return JSONResponse(
        {
            "as_of": str(day),
            "window_days": days,
            "judged_at": judged_at.isoformat(),
            "lanes": [_alert_json(a) for a in alerts],
        }
    )


@router.get("/api/v1/analytics/lanes/shipments", responses=error_responses(422))
def lane_shipments(
    request: Request,
    carrier: Annotated[str, Query(min_length=1, max_length=80)],
    origin_country: Country = None,
    destination_country: Country = None,
    destination_region: Filter = None,
    window: Window = None,
    as_of: Day = None,
    late_only: bool = False,
    cursor: Cursor = None,
    limit: Limit = DEFAULT,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """The shipments of one lane delivered in the window ending ``as_of``, by id (only those
    delivered after their promise with ``late_only``): what an alert of ``/analytics/lanes``
    stands on. Each id opens with ``GET /api/v1/shipments/{id}``."""
    params = _params(request)
    lane = report.parse_lane(params)
    days, day = report.parse_window(params, utcnow().date())
    after = decode_cursor(cursor)
    with db.uow(write=False) as uow:
        ids = report.shipments_behind(uow, merchant_id, lane, day, days, late_only=late_only)
    if after is not None:
        ids = [i for i in ids if i > str(after)]
    page = ids[:limit]
    more = len(ids) > limit
    return JSONResponse(
        {
            "items": [{"shipment_id": i} for i in page],
            "next_cursor": encode_cursor(page[-1]) if more and page else None,
        }
    )
