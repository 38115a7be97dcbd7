"""The Contacts page's chart: WISMO contacts per 100 orders by week, drawn like the delivery
charts (:mod:`ordertrack.analytics.charts`: static pygal SVG, no script, with its table)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pygal

from ordertrack.analytics.charts import Chart, _config, _svg
from ordertrack.analytics.deflection import ContactRate, DeflectionWeek


def _value(rate: ContactRate) -> float | None:
    per_100 = rate.per_100
    return None if per_100 is None else round(per_100, 1)


def _cell(rate: ContactRate) -> str:
    per_100 = rate.per_100
    return "—" if per_100 is None else f"{per_100:.1f} ({rate.contacts:,} of {rate.orders:,} orders)"


def contacts_by_week(weeks: Sequence[DeflectionWeek]) -> Chart:
    """Contacts per 100 orders, week by week (oldest first): all orders, told first, not told."""
    labels = [w.week.strftime("%d %b") for w in weeks]
    every = max(1, math.ceil(len(labels) / 5))
    chart = pygal.Line(
        **_config(
            legend_at_bottom_columns=3,
            y_title="contacts per 100 orders",
            dots_size=4,
            stroke_style={"width": 3},
            x_labels_major_every=every,
            show_minor_x_labels=every == 1,
            no_data_text="No orders",
            min_scale=2,
        )
    )
    chart.x_labels = labels
    chart.add("All orders", [_value(w.orders.all) for w in weeks])
    chart.add("Told first", [_value(w.orders.informed) for w in weeks])
    chart.add("Not told", [_value(w.orders.not_informed) for w in weeks])
    rows = tuple(
        (w.week.isoformat(), _cell(w.orders.all), _cell(w.orders.informed), _cell(w.orders.not_informed))
        for w in weeks
    )
    told = sum(w.orders.informed.contacts for w in weeks), sum(w.orders.informed.orders for w in weeks)
    untold = (
        sum(w.orders.not_informed.contacts for w in weeks),
        sum(w.orders.not_informed.orders for w in weeks),
    )
    span = f"{len(weeks)} week{'' if len(weeks) == 1 else 's'}"
    if told[1] and untold[1]:
        summary = (
            f"Over {span}, {100 * told[0] / told[1]:.1f} contacts per 100 orders whose"
            f" shopper was told first, against {100 * untold[0] / untold[1]:.1f} for the others."
        )
    else:
        summary = f"Contacts per 100 orders over {span}; too few orders to compare told and not told."
    title = "Contacts per 100 orders, week by week"
    return Chart(
        "contacts",
        title,
        summary,
        _svg(chart, "contacts", title, summary),
        ("Week of", "All orders", "Told first", "Not told"),
        rows,
    )
