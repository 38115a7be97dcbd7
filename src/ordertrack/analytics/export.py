"""Delivery figures as JSON and as CSV rows: one shape for the API, the dashboard's download and
the docs. Shares travel as numerator, denominator and rate (null with no denominator)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ordertrack.analytics import lanes
from ordertrack.analytics.figures import HISTOGRAM_DAYS, DeliveryFigures, Durations, Share
from ordertrack.analytics.report import AnalyticsReport, lane_params

CSV_HEADER = ("figure", "group", "detail", "numerator", "denominator", "value")


def share_json(share: Share) -> dict[str, Any]:
    rate = share.value
    return {
        "numerator": share.numerator,
        "denominator": share.denominator,
        "rate": round(rate, 4) if rate is not None else None,
    }


def day_label(index: int) -> str:
    """The distribution's buckets: '0' ... '13', then '14+'."""
    return f"{index}+" if index == HISTOGRAM_DAYS else str(index)


def durations_json(d: Durations) -> dict[str, Any]:
    return {
        "count": d.count,
        "p50_hours": d.p50_hours,
        "p90_hours": d.p90_hours,
        "by_day": [{"days": day_label(i), "shipments": n} for i, n in enumerate(d.by_day)],
    }


def figures_json(fig: DeliveryFigures) -> dict[str, Any]:
    """Every figure, in the order docs/analytics.md defines them."""
    accuracy = fig.promise_accuracy
    return {
        "shipments": fig.shipments,
        "on_time_promise": share_json(fig.on_time_promise),
        "on_time_carrier": share_json(fig.on_time_carrier),
        "processing": durations_json(fig.processing),
        "transit": durations_json(fig.transit),
        "first_attempt": share_json(fig.first_attempt),
        "exceptions_by_reason": [{"reason": r, **share_json(s)} for r, s in fig.exceptions_by_reason],
        "returned_to_sender": share_json(fig.returned_to_sender),
        "promise_accuracy": {
            "delivered": accuracy.delivered,
            "inside": accuracy.inside,
            "early": accuracy.early,
            "late": accuracy.late,
            "early_by_days": [{"days": d, "shipments": n} for d, n in accuracy.early_by_days],
            "late_by_days": [{"days": d, "shipments": n} for d, n in accuracy.late_by_days],
        },
        "revisions": {
            "shipments": share_json(fig.revisions.shipments),
            "by_cause": [{"cause": c, "revisions": n} for c, n in fig.revisions.by_cause],
        },
        "where_parcels_wait": [
            {
                "carrier": p.carrier,
                "facility": p.facility,
                "city": p.city,
                "country": p.country,
                "stays": p.stays,
                "p50_hours": p.p50_hours,
                "p90_hours": p.p90_hours,
            }
            for p in fig.where_parcels_wait
        ],
    }


def group_key_json(group_by: str, key: object) -> dict[str, Any]:
    if group_by == "lane":
        return {name: value or None for name, value in lane_params(key).items()}  # type: ignore[arg-type]
    return {group_by: key}


def report_json(report: AnalyticsReport) -> dict[str, Any]:
    """The API's answer: the question, every figure, the weekly on-time rates and, when asked
    for, the figures per warehouse, carrier or lane."""
    q = report.query
    body: dict[str, Any] = {
        "from": str(q.first),
        "to": str(q.last),
        "filters": dict(q.filters),
        "figures": figures_json(report.figures),
        "weeks": [
            {
                "from": str(w.first),
                "to": str(w.last),
                "shipments": w.figures.shipments,
                "on_time_promise": share_json(w.figures.on_time_promise),
                "on_time_carrier": share_json(w.figures.on_time_carrier),
            }
            for w in report.weeks
        ],
    }
    if q.group_by:
        body["group_by"] = q.group_by
        body["groups"] = [
            {"key": group_key_json(q.group_by, key), "figures": figures_json(fig)}
            for key, fig in _groups(report, q.group_by)
        ]
    return body


def _groups(report: AnalyticsReport, group_by: str) -> Iterable[tuple[object, DeliveryFigures]]:
    return groups_of(report, group_by)


def groups_of(report: AnalyticsReport, group_by: str) -> tuple[tuple[Any, DeliveryFigures], ...]:
    """The report's split by ``group_by`` (``()`` for none)."""
    if not group_by:
        return ()
    return {"warehouse": report.by_warehouse, "carrier": report.by_carrier, "lane": report.by_lane}[group_by]


def with_group_page(report: AnalyticsReport, group_by: str, offset: int, limit: int) -> AnalyticsReport:
    """The report with its ``group_by`` split cut to one page."""
    page = groups_of(report, group_by)[offset : offset + limit]
    return replace(report, **{f"by_{group_by}": page})


def _share_row(figure: str, group: str, detail: str, share: Share) -> list[str]:
    rate = share.value
    return [
        figure,
        group,
        detail,
        str(share.numerator),
        str(share.denominator),
        "" if rate is None else f"{rate:.4f}",
    ]


def figures_rows(fig: DeliveryFigures, group: str = "") -> list[list[str]]:
    """One row per number: shares with numerator and denominator, durations in hours, the
    distributions one row per bucket (value = shipments)."""
    rows = [["shipments", group, "", "", "", str(fig.shipments)]]
    rows.append(_share_row("on_time_promise", group, "", fig.on_time_promise))
    rows.append(_share_row("on_time_carrier", group, "", fig.on_time_carrier))
    for name, d in (("processing", fig.processing), ("transit", fig.transit)):
        rows.append([f"{name}_p50_hours", group, "", "", "", "" if d.p50_hours is None else str(d.p50_hours)])
        rows.append([f"{name}_p90_hours", group, "", "", "", "" if d.p90_hours is None else str(d.p90_hours)])
        rows.extend([f"{name}_days", group, day_label(i), "", "", str(n)] for i, n in enumerate(d.by_day))
    rows.append(_share_row("first_attempt", group, "", fig.first_attempt))
    rows.extend(_share_row("exception_rate", group, r, s) for r, s in fig.exceptions_by_reason)
    rows.append(_share_row("returned_to_sender", group, "", fig.returned_to_sender))
    accuracy = fig.promise_accuracy
    rows.append(["promise_inside", group, "", "", "", str(accuracy.inside)])
    rows.extend(["promise_early_days", group, str(d), "", "", str(n)] for d, n in accuracy.early_by_days)
    rows.extend(["promise_late_days", group, str(d), "", "", str(n)] for d, n in accuracy.late_by_days)
    rows.append(_share_row("promise_revised", group, "", fig.revisions.shipments))
    rows.extend(["revisions_by_cause", group, c, "", "", str(n)] for c, n in fig.revisions.by_cause)
    for p in fig.where_parcels_wait:
        place = " / ".join(x for x in (p.carrier, p.facility or p.city or "", p.country or "") if x)
        rows.append(
            [
                "wait_p50_hours",
                group,
                place,
                "",
                str(p.stays),
                "" if p.p50_hours is None else str(p.p50_hours),
            ]
        )
        rows.append(
            [
                "wait_p90_hours",
                group,
                place,
                "",
                str(p.stays),
                "" if p.p90_hours is None else str(p.p90_hours),
            ]
        )
    return rows


def group_label(group_by: str, key: object) -> str:
    if group_by == "lane":
        return lanes_label(key)  # type: ignore[arg-type]
    return f"{group_by}={key if key is not None else ''}"


def lanes_label(lane: lanes.LaneKey) -> str:
    carrier, origin, destination, region = lane
    return f"lane={carrier}:{origin or ''}>{destination or ''}/{region or ''}"


def report_csv(report: AnalyticsReport, *group_by: str) -> str:
    """The CSV of a report: the overall figures, the weekly on-time rates, then each group's
    figures for each of ``group_by`` (warehouse, carrier, lane) asked for."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(_safe(row) for row in figures_rows(report.figures))
    for w in report.weeks:
        week = f"week={w.first}..{w.last}"
        writer.writerow(_safe(_share_row("on_time_promise", week, "", w.figures.on_time_promise)))
        writer.writerow(_safe(_share_row("on_time_carrier", week, "", w.figures.on_time_carrier)))
    for grouping in group_by:
        for key, fig in _groups(report, grouping):
            writer.writerows(_safe(row) for row in figures_rows(fig, group_label(grouping, key)))
    return out.getvalue()


# What a spreadsheet would run as a formula when a cell starts with it.
_FORMULA_STARTS = frozenset("=+@-")


def _safe(row: list[str]) -> list[str]:
    """A group or detail a spreadsheet would run as a formula ('=', '+', '-', '@' first) is quoted
    with a leading apostrophe: carrier and place names come from outside. The other columns are
    the figure's name and numbers this module writes (an export of every lane has 100,000 rows)."""
    for index in (1, 2):
        cell = row[index]
        if cell[:1] in _FORMULA_STARTS and not (cell[:1] == "-" and _number(cell)):
            row[index] = "'" + cell
    return row


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def inbound_csv_rows(cards: Iterable[tuple[str, Any]]) -> str:
    """Rows of the suppliers' scorecards (issue 21's ``suppliers.scoring.Scorecard``: on time,
    fill, discrepancy, lead time) after a report's CSV, grouped by ``supplier=NAME``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for name, card in cards:
        group = f"supplier={name}"
        writer.writerow(_safe(["inbound_orders", group, "", "", "", str(card.orders)]))
        for figure, rate in (("inbound_on_time", card.on_time), ("inbound_fill", card.fill)):
            writer.writerow(_safe(_share_row(figure, group, "", Share(rate.numerator, rate.denominator))))
        writer.writerow(
            _safe(
                _share_row(
                    "inbound_discrepancy",
                    group,
                    "",
                    Share(card.discrepancy.numerator, card.discrepancy.denominator),
                )
            )
        )
        lead = card.lead_time
        writer.writerow(_safe(["inbound_lead_time_p50_days", group, lead.basis, "", "", str(lead.p50_days)]))
        writer.writerow(_safe(["inbound_lead_time_p90_days", group, lead.basis, "", "", str(lead.p90_days)]))
    return out.getvalue()
