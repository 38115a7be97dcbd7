"""Delivery analytics in the dashboard: the figures and charts of a period and filters kept in the
URL (so a link shows the same page), where parcels wait, lanes that got worse with the shipments
behind them, and the CSV of what is shown."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ordertrack.analytics import charts, export, lanes, report, store
from ordertrack.analytics.figures import DeliveryFigures, PlaceDwell
from ordertrack.kit import collector
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import OrdertrackError
from ordertrack.orders import service as orders_service
from ordertrack.shipments import service as shipments_service
from ordertrack.suppliers import performance
from ordertrack.suppliers import service as supplier_service
from ordertrack.suppliers.scoring import WINDOW_DAYS
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_staff, database, page

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)

# Places shown in "where parcels wait": the longest stays, enough to act on.
PLACES_SHOWN = 10
LANES_SHOWN = 15
# A lane's shipments listed on one page; the API pages through all of them.
SHIPMENTS_SHOWN = 500
# The suppliers of the inbound section (as many as the supplier filter lists).
SUPPLIERS_SHOWN = 200
# A query string longer than this is not one the page wrote.
_LONGEST_QUERY = 2000


def _today() -> date:
    return utcnow().date()


def _params(request: Request) -> dict[str, str]:
    if len(request.url.query) > _LONGEST_QUERY:
        raise report.InvalidFilter("The address is too long to be a page of analytics.")
    return {name: value for name, value in request.query_params.items()}


def _form_values(params: dict[str, str]) -> dict[str, str]:
    """What the filter form shows: what was asked, even when it could not be read."""
    names = ("period", "from", "to", "supplier", *report.FILTERS)
    return {name: params.get(name, "")[:80] for name in names}


@router.get("/analytics")
def overview(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    params = _params(request)
    try:
        query = report.parse_query(params, _today())
        return _page(request, staff, query, params)
    except OrdertrackError as error:
        return _page(request, staff, None, params, error=error.message, status_code=error.status_code)


def _page(
    request: Request,
    staff: Staff,
    query: report.DeliveryQuery | None,
    params: dict[str, str],
    *,
    error: str = "",
    status_code: int = 200,
) -> Response:
    context: dict[str, object] = {
        "form": _form_values(params),
        "periods": report.PERIODS,
        "error": error,
        "query": query,
        "data": None,
    }
    if query is not None:
        supplier_id = params.get("supplier", "").strip()[:64]
        with database(request).uow(write=False) as uow:
            merchant_id = staff.merchant_id
            found = report.delivery_report(
                uow, merchant_id, query, ("warehouse", "lane"), lane_page=(0, LANES_SHOWN)
            )
            # The values a filter can take: those with shipments in the period, and the one chosen.
            values = {
                name: store.dimension_values(uow, merchant_id, query.first, query.last, name)
                for name in ("carrier", "warehouse")
            }
            suppliers = sorted(
                supplier_service.supplier_page(uow, staff.merchant_id, None, SUPPLIERS_SHOWN).items,
                key=lambda s: s.name.lower(),
            )
            if supplier_id and supplier_id not in {s.id for s in suppliers}:
                raise report.InvalidFilter("That supplier is not one of this shop's.")
            inbound = [s for s in suppliers if not supplier_id or s.id == supplier_id]
            cards = performance.scorecards(uow, staff.merchant_id, inbound)
        # Outside the reading transaction: a judgement counted now is kept in a write one of its own.
        now = utcnow()
        worse = {
            w: report.worse_lanes(database(request), merchant_id, query.last, w, now) for w in report.WINDOWS
        }
        checked_at = min((judged_at for _, judged_at in worse.values()), default=now)
        chosen = query.filters
        carriers = sorted((set(values["carrier"]) | {chosen.get("carrier", "")}) - {""})
        warehouses = sorted((set(values["warehouse"]) | {chosen.get("warehouse", "")}) - {""})
        shared = query.params() | ({"supplier": supplier_id} if supplier_id else {})
        fig = found.figures
        context.update(
            data=found,
            fig=fig,
            carriers=carriers,
            warehouses=warehouses,
            charts=charts.delivery_charts(fig, found.weeks, found.by_warehouse) if fig.shipments else [],
            percent=charts.percent,
            places=_places(fig),
            lanes=found.by_lane[:LANES_SHOWN],
            more_lanes=max(0, found.lanes_total - len(found.by_lane)),
            lane_words=report.lane_words,
            lane_href=lambda lane: (
                "/dashboard/analytics/lanes/shipments?"
                + urlencode(
                    report.lane_params(lane)
                    | {"from": str(query.first), "to": str(query.last), "figure": "transit_p90"}
                )
            ),
            worse=[(w, [_alert_row(a, query.last) for a in alerts]) for w, (alerts, _) in worse.items()],
            worse_checked_at=checked_at,
            csv_href="/dashboard/analytics.csv?" + urlencode(shared),
            suppliers=suppliers,
            supplier_id=supplier_id,
            inbound=[(supplier, cards[supplier.id]) for supplier in inbound],
            inbound_window=WINDOW_DAYS,
        )
    return page(
        request, staff, "dashboard/analytics.html", context, status_code=status_code, section="analytics"
    )


def _places(fig: DeliveryFigures) -> list[PlaceDwell]:
    return list(fig.where_parcels_wait[:PLACES_SHOWN])


def _alert_row(alert: lanes.LaneAlert, as_of: date) -> dict[str, object]:
    lane = alert.lane
    figure = alert.figure
    link = report.lane_params(lane) | {
        "window": str(alert.window_days),
        "as_of": str(as_of),
        "figure": figure,
    }
    if figure == "on_time":
        what = (
            f"On time {alert.current * 100:.0f}%, usually "
            f"{alert.usual_low * 100:.0f}–{alert.usual_high * 100:.0f}%"
        )
    else:
        what = f"Transit p90 {alert.current:.0f} h, usually {alert.usual_low:.0f}–{alert.usual_high:.0f} h"
    return {
        "lane": report.lane_words(lane),
        "what": what,
        "href": "/dashboard/analytics/lanes/shipments?" + urlencode(link),
        "late_only": figure == "on_time",
    }


@router.get("/analytics/charts.css")
def chart_styles() -> Response:
    """The charts' stylesheet (pygal's, served from here: the pages refuse inline styles)."""
    return Response(
        charts.chart_css(), media_type="text/css", headers={"Cache-Control": "private, max-age=3600"}
    )


@router.get("/analytics.csv")
def download(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    params = _params(request)
    query = report.parse_query(params, _today())
    supplier_id = params.get("supplier", "").strip()[:64]
    # Every split of every lane: a million short-lived objects, no cycle collection meanwhile.
    with collector.paused(), database(request).uow(write=False) as uow:
        found = report.delivery_report(uow, staff.merchant_id, query)
        suppliers = supplier_service.supplier_page(uow, staff.merchant_id, None, SUPPLIERS_SHOWN).items
        inbound = [s for s in suppliers if not supplier_id or s.id == supplier_id]
        cards = performance.scorecards(uow, staff.merchant_id, inbound)
        body = export.report_csv(found, *report.GROUPS) + export.inbound_csv_rows(
            [(s.name, cards[s.id]) for s in inbound]
        )
    name = f"delivery-analytics-{query.first}-{query.last}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/analytics/lanes/shipments")
def lane_shipments(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    """The shipments behind a lane: over a lanes-that-got-worse window (``window``, ``as_of``;
    ``figure=on_time`` lists only the late ones) or over a period (``from``, ``to``: every
    delivered one)."""
    params = _params(request)
    lane = report.parse_lane(params)
    figure = params.get("figure", "on_time")
    if figure not in ("on_time", "transit_p90"):
        raise report.InvalidFilter("figure is on_time or transit_p90.")
    late_only = figure == "on_time"
    if params.get("from") or params.get("to"):
        query = report.parse_query({"from": params.get("from", ""), "to": params.get("to", "")}, _today())
        first, last, window = query.first, query.last, None
    else:
        window, last = report.parse_window(params, _today())
        first = last - timedelta(days=window - 1)
    with database(request).uow(write=False) as uow:
        ids = store.lane_shipments(uow, staff.merchant_id, lane, first, last, late_only=late_only)
        shipments = shipments_service.shipments_by_id(uow, staff.merchant_id, ids[:SHIPMENTS_SHOWN])
        orders = orders_service.orders_by_id(uow, staff.merchant_id, {s.order_id for s in shipments})
        rows = [
            {
                "id": s.id,
                "order_id": s.order_id,
                "order_number": orders[s.order_id].number if s.order_id in orders else s.order_id,
                "carrier": s.carrier,
                "service": s.service or "",
                "warehouse": s.warehouse or "",
                "status": s.status,
                "delivered_at": s.delivered_at,
                "promised_latest": s.promised_latest,
            }
            for s in shipments
        ]
    rows.sort(
        key=lambda row: (row["delivered_at"] is None, row["delivered_at"] or datetime.max.replace(tzinfo=UTC))
    )
    return page(
        request,
        staff,
        "dashboard/analytics_lane.html",
        {
            "lane": report.lane_words(lane),
            "window": window,
            "first": first,
            "last": last,
            "late_only": late_only,
            "rows": rows,
            "total": len(ids),
            "back_href": "/dashboard/analytics?"
            + urlencode({"from": str(first), "to": str(last)} | report.lane_params(lane)),
        },
        section="analytics",
    )
