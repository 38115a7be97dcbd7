"""The ratings summary as JSON and as CSV (one row per group; the overall row first)."""

from __future__ import annotations

import csv
import io
import json

from ordertrack.analytics.rating_rules import RatingGroup
from ordertrack.analytics.ratings import Summary

CSV_COLUMNS = ("grouping", "group", "ratings", "average_stars", "low_ratings", "low_share")


def group_json(group: RatingGroup) -> dict[str, object]:
    return {
        "key": group.key,
        "ratings": group.ratings,
        "average": group.average,
        "low": group.low,
        "low_share": group.low_share,
    }


def summary_json(found: Summary) -> str:
    return json.dumps(
        {
            "from": found.first_day.isoformat(),
            "to": found.last_day.isoformat(),
            "overall": group_json(found.overall),
            "by": {name: [group_json(g) for g in groups] for name, groups in found.groups.items()},
        }
    )


def summary_csv(found: Summary) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = [("all", found.overall), *((name, g) for name, groups in found.groups.items() for g in groups)]
    for grouping, group in rows:
        writer.writerow(
            (
                grouping,
                _safe(group.key),
                group.ratings,
                "" if group.average is None else f"{group.average:.2f}",
                group.low,
                "" if group.low_share is None else f"{group.low_share:.4f}",
            )
        )
    return out.getvalue()


def _safe(cell: str) -> str:
    """A cell a spreadsheet would read as a formula is quoted with an apostrophe."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
