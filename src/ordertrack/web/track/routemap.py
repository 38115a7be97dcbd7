"""The route map: scan coordinates projected onto a small SVG canvas, drawn by the server.

No tiles and nothing fetched: an equirectangular projection (longitude scaled by the cosine
of the middle latitude, so shapes are not stretched sideways) fitted to the bounding box of
the points, keeping the aspect ratio and a margin for the labels. Good enough for the few
hundred kilometres to few thousand kilometres a parcel travels; it does not handle a route
that crosses the antimeridian.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 360
MARGIN = 36


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float
    label: str


@dataclass(frozen=True)
class MapPoint:
    number: int  # 1 for the first place the parcel was seen
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class RouteMap:
    width: int
    height: int
    points: tuple[MapPoint, ...]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def route_points(located: Sequence[GeoPoint]) -> list[GeoPoint]:
    """The places in travel order, with repeated scans at the same spot kept once."""
    kept: list[GeoPoint] = []
    for point in located:
        if kept and (kept[-1].latitude, kept[-1].longitude) == (point.latitude, point.longitude):
            continue
        kept.append(point)
    return kept


def project(
    located: Sequence[GeoPoint], *, width: int = WIDTH, height: int = HEIGHT, margin: int = MARGIN
) -> RouteMap | None:
    """The route fitted into ``width`` x ``height``; None when fewer than two places are known."""
    points = route_points(located)
    if len(points) < 2:
        return None
    middle = math.radians((max(p.latitude for p in points) + min(p.latitude for p in points)) / 2)
    squeeze = max(math.cos(middle), 0.01)
    xs = [p.longitude * squeeze for p in points]
    ys = [-p.latitude for p in points]
    span_x = max(xs) - min(xs)
    span_y = max(ys) - min(ys)
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    spans = [s for s in (span_x / inner_w, span_y / inner_h) if s > 0]
    scale = 1 / max(spans) if spans else 1.0
    # Centre the drawing in the box along the axis that has room to spare.
    offset_x = margin + (inner_w - span_x * scale) / 2
    offset_y = margin + (inner_h - span_y * scale) / 2
    return RouteMap(
        width=width,
        height=height,
        points=tuple(
            MapPoint(
                number=index,
                x=round(offset_x + (x - min(xs)) * scale, 1),
                y=round(offset_y + (y - min(ys)) * scale, 1),
                label=point.label,
            )
            for index, (point, x, y) in enumerate(zip(points, xs, ys, strict=True), start=1)
        ),
    )
