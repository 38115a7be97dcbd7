"""The delivery charts: static SVG drawn on the server with pygal, each with the table of its
numbers for screen readers.

pygal draws the chart; what it adds for its optional browser script is taken out: the config
``<script>``, the comments naming its web site, and the per-point ``<title>``/``<desc>`` tooltips
(a screen reader would read hundreds of them), and its inline ``<style>`` (refused by the
pages' Content-Security-Policy; ``chart_css`` serves it as a stylesheet). The SVG then carries
``role="img"`` with one title and one description, scales to its container (viewBox, width
100%), and loads nothing.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pygal
from pygal.style import Style

from ordertrack.analytics.export import day_label
from ordertrack.analytics.figures import DeliveryFigures, Durations, PromiseAccuracy, Share
from ordertrack.analytics.report import Week

# Okabe–Ito hues darkened until each is at least 3:1 against white (WCAG 1.4.11).
BLUE, VERMILION, GREEN, PURPLE, GREY = "#0067a5", "#c0500a", "#007a5e", "#8a4fa0", "#5f6b76"
# Early, inside, late read blue, green, vermilion on the accuracy chart: one palette for all.
PALETTE = (BLUE, GREEN, VERMILION, PURPLE, GREY)
# Drawn narrow so that at 360 px wide the labels shrink little (the SVG scales to its box).
WIDTH, HEIGHT = 480, 300


def _style(*colors: str) -> Style:
    return Style(**{**_STYLE_BASE, "colors": colors or PALETTE})


_STYLE_BASE: dict[str, Any] = dict(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#d9dee3",
    opacity="1",
    opacity_hover="1",
    transition="none",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=14,
    value_font_size=13,
    title_font_size=16,
    no_data_font_size=16,
)


@dataclass(frozen=True)
class Chart:
    """One chart: its SVG (safe to put in a page as is) and the same numbers as a table."""

    slug: str
    title: str
    description: str
    svg: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def percent(share: Share) -> str:
    """'93.3% (28 of 30)'; '—' with no denominator."""
    value = share.value
    if value is None:
        return "—"
    return f"{value * 100:.1f}% ({share.numerator:,} of {share.denominator:,})"


def _rate(share: Share) -> float | None:
    value = share.value
    return None if value is None else round(value * 100, 1)


def _count_labels(top: int) -> list[int]:
    """Whole-number ticks for counts, at most six steps, on a step of 1, 2 or 5 times a power of ten
    (pygal would mark 0.2, 0.4... on a scale of 2, or every unit up to 15)."""
    top = max(top, 1)
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if top / step <= 6:
                return list(range(0, -(-top // step) * step + 1, step))
        magnitude *= 10


def _config(**extra: Any) -> dict[str, Any]:
    return {
        "js": [],
        "disable_xml_declaration": True,
        "style": _style(),
        "width": WIDTH,
        "height": HEIGHT,
        "explicit_size": False,
        "margin": 8,
        "margin_right": 24,
        "margin_bottom": 16,
        "spacing": 10,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "print_values": False,
        "show_minor_x_labels": True,
        "truncate_label": -1,
        "truncate_legend": -1,
        "no_data_text": "No shipments",
        "pretty_print": False,
        **extra,
    }


def _svg(chart: Any, slug: str, title: str, description: str) -> str:
    """pygal's SVG without its script, comments and tooltips; role="img" with a title and a
    description; scaling with its container."""
    root = chart.render_tree()
    _strip(root)
    for attribute in ("width", "height"):
        root.attrib.pop(attribute, None)
    root.set("viewBox", f"0 0 {WIDTH} {HEIGHT}")
    root.set("id", f"chart-{slug}")
    root.set("width", "100%")
    root.set("role", "img")
    root.set("aria-labelledby", f"chart-{slug}-title chart-{slug}-desc")
    root.set("focusable", "false")
    root.set("preserveAspectRatio", "xMidYMid meet")
    title_el = ET.Element("title", {"id": f"chart-{slug}-title"})
    title_el.text = title
    desc_el = ET.Element("desc", {"id": f"chart-{slug}-desc"})
    desc_el.text = description
    root.insert(0, desc_el)
    root.insert(0, title_el)
    return ET.tostring(root, encoding="unicode")


@cache
def chart_css() -> str:
    """pygal's CSS for every chart, as a stylesheet of its own: the pages' Content-Security-Policy
    refuses inline styles, so the ``<style>`` pygal puts in each SVG is served from this origin
    instead, scoped to ``.pygal-chart`` rather than one chart's random id."""
    chart = pygal.Bar(**_config())
    for index in range(len(PALETTE)):  # pygal writes a colour rule per series drawn
        chart.add(str(index), [1])
    root = chart.render_tree()
    scope = "#" + root.get("id", "")
    css = "\n".join(style.text or "" for style in root.iter("style"))
    return css.replace(scope, ".pygal-chart")


def _strip(element: ET.Element) -> None:
    for child in list(element):
        tag = child.tag if isinstance(child.tag, str) else ""
        local = tag.rsplit("}", 1)[-1]
        if tag == "" or local in ("script", "style", "title", "desc") or child.tag is ET.Comment:
            element.remove(child)
        else:
            _strip(child)


def on_time_by_week(weeks: Sequence[Week]) -> Chart:
    """On-time rate per week, against the promise and against the carrier's estimate."""
    labels = [w.first.strftime("%d %b") for w in weeks]
    # Past 6 weeks the labels would overlap at 360 px: every few weeks is labelled.
    every = max(1, math.ceil(len(labels) / 5))
    chart = pygal.Line(
        **_config(
            range=(0, 100),
            y_title="% on time",
            dots_size=4,
            stroke_style={"width": 3},
            x_labels_major_every=every,
            show_minor_x_labels=every == 1,
        )
    )
    chart.x_labels = labels
    chart.add("Against the promise", [_rate(w.figures.on_time_promise) for w in weeks])
    chart.add("Against the carrier", [_rate(w.figures.on_time_carrier) for w in weeks])
    rows = tuple(
        (f"{w.first} to {w.last}", percent(w.figures.on_time_promise), percent(w.figures.on_time_carrier))
        for w in weeks
    )
    kept = [w.figures.on_time_promise for w in weeks if w.figures.on_time_promise.denominator]
    summary = (
        f"Weekly on-time rate against the promise from {_rate(kept[0])}% to {_rate(kept[-1])}% "
        f"over {len(weeks)} weeks."
        if kept
        else "No delivered shipment with a promise in these weeks."
    )
    title = "On time, week by week"
    return Chart(
        "on-time",
        title,
        summary,
        _svg(chart, "on-time", title, summary),
        ("Week", "Against the promise", "Against the carrier"),
        rows,
    )


def distribution(slug: str, title: str, durations: Durations, what: str) -> Chart:
    """How many shipments took 0, 1, ... 13 and 14 or more days."""
    chart = pygal.Bar(
        **_config(
            show_legend=False,
            x_title="days",
            y_title="shipments",
            y_labels=_count_labels(max(durations.by_day)),
        )
    )
    chart.x_labels = [day_label(i) for i in range(len(durations.by_day))]
    chart.add("Shipments", list(durations.by_day))
    rows = tuple((day_label(i), f"{n:,}") for i, n in enumerate(durations.by_day))
    if durations.count:
        summary = (
            f"{durations.count:,} {what}: half within {durations.p50_hours} hours, "
            f"nine in ten within {durations.p90_hours} hours."
        )
    else:
        summary = f"No {what}."
    return Chart(slug, title, summary, _svg(chart, slug, title, summary), ("Days", "Shipments"), rows)


def processing_by_warehouse(groups: Sequence[tuple[str | None, DeliveryFigures]]) -> Chart:
    """Order to hand-off, p50 and p90 hours per warehouse."""
    shown = [(name or "no warehouse", fig.processing) for name, fig in groups if fig.processing.count]
    chart = pygal.HorizontalBar(**_config(x_title="hours"))
    chart.x_labels = [name for name, _ in shown]
    chart.add("p50", [d.p50_hours for _, d in shown])
    chart.add("p90", [d.p90_hours for _, d in shown])
    rows = tuple((name, f"{d.count:,}", str(d.p50_hours), str(d.p90_hours)) for name, d in shown)
    title = "Processing time per warehouse"
    summary = (
        f"Hours from order to hand-off in {len(shown)} warehouse{'s' if len(shown) != 1 else ''}; "
        + "; ".join(f"{name}: p50 {d.p50_hours} h, p90 {d.p90_hours} h" for name, d in shown[:5])
        + "."
        if shown
        else "No shipment handed off."
    )
    return Chart(
        "processing",
        title,
        summary,
        _svg(chart, "processing", title, summary),
        ("Warehouse", "Shipments", "p50 hours", "p90 hours"),
        rows,
    )


def exceptions(fig: DeliveryFigures) -> Chart:
    """Share of shipments meeting each exception reason."""
    chart = pygal.HorizontalBar(**_config(show_legend=False, x_title="% of shipments", min_scale=2))
    shown = list(fig.exceptions_by_reason)
    chart.x_labels = [reason.replace("_", " ") for reason, _ in shown]
    chart.add("Exception rate", [_rate(share) for _, share in shown])
    rows = tuple((reason.replace("_", " "), percent(share)) for reason, share in shown)
    title = "Exceptions by reason"
    summary = (
        "; ".join(f"{reason.replace('_', ' ')} {percent(share)}" for reason, share in shown[:5]) + "."
        if shown
        else "No exception in this period."
    )
    return Chart(
        "exceptions", title, summary, _svg(chart, "exceptions", title, summary), ("Reason", "Shipments"), rows
    )


def promise_accuracy(accuracy: PromiseAccuracy) -> Chart:
    """Delivered early / inside / late against the hand-off promise, by days outside it."""
    early = dict(accuracy.early_by_days)
    late = dict(accuracy.late_by_days)
    buckets: list[tuple[str, str, int]] = [
        ("early", f"{d} early", early[d]) for d in sorted(early, reverse=True)
    ]
    buckets.append(("inside", "inside", accuracy.inside))
    buckets.extend(("late", f"{d} late", late[d]) for d in sorted(late))
    chart = pygal.StackedBar(
        **_config(
            x_title="days outside the promised window",
            y_title="shipments",
            y_labels=_count_labels(max([n for _, _, n in buckets], default=0)),
            x_label_rotation=30,
        )
    )
    chart.x_labels = [label for _, label, _ in buckets]
    for kind, name in (("early", "Early"), ("inside", "Inside"), ("late", "Late")):
        chart.add(name, [n if k == kind else None for k, _, n in buckets])
    rows = tuple((label, f"{n:,}") for _, label, n in buckets)
    title = "Promise accuracy"
    if accuracy.delivered:
        summary = (
            f"Of {accuracy.delivered:,} delivered with a promise: {accuracy.inside:,} inside the window, "
            f"{accuracy.early:,} early, {accuracy.late:,} late."
        )
    else:
        summary = "No delivered shipment with a promise."
    return Chart(
        "accuracy", title, summary, _svg(chart, "accuracy", title, summary), ("Delivered", "Shipments"), rows
    )


def delivery_charts(figures: DeliveryFigures, weeks: Sequence[Week], by_warehouse: Sequence) -> list[Chart]:
    """The overview's charts, in the order the page shows them."""
    return [
        on_time_by_week(weeks),
        distribution("transit", "Transit time (hand-off to delivery)", figures.transit, "deliveries"),
        processing_by_warehouse(by_warehouse),
        exceptions(figures),
        promise_accuracy(figures.promise_accuracy),
    ]
