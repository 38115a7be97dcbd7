"""The route map: where the parcel has been, where it is now and where it is going, drawn by
the server as an SVG over real country outlines (or a merchant's map tiles).

Web Mercator, the projection of every web map, so a merchant's tiles line up with the rest.
The view fits the scans and the destination with room for the labels, and never shows less
than about 450 km across, so a local delivery still shows its surroundings. A route that
crosses the antimeridian is unwrapped (each place within 180 degrees of the one before), and
the land is drawn once more a world to the left or right where the view needs it.

What lies under the route, the country outlines for the view or the merchant's tiles, is drawn
by :mod:`maplayers`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ordertrack.web.track.geography import locate, mercator
from ordertrack.web.track.maplayers import HEIGHT, WIDTH, Tile, TileSource, View, land_paths, tile_grid
from ordertrack.web.track.readable import ShownPlace

# Room kept free between the outermost place and the frame, for markers and labels.
MARGIN_X = 96  # a phone shows the map 4:3, cutting 53 units off each side (track.css)
MARGIN_Y = 56
# The narrowest view, in world units (1 = all 360 degrees): about 4.3 degrees of longitude.
MIN_SPAN = 0.012
# Legs longer than this are drawn along the great circle, in ARC_STEPS steps.
GREAT_CIRCLE_KM = 800.0
ARC_STEPS = 24
EARTH_RADIUS_KM = 6371.0
# Markers closer than this (map units) share one label.
LABEL_CLASH = 48.0


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float
    label: str
    where: ShownPlace | None = None  # the place as written, named in the page's language when shown


@dataclass(frozen=True)
class MapPoint:
    number: int  # 1 for the first place the parcel was seen
    x: float
    y: float
    label: str
    where: ShownPlace | None = None


@dataclass(frozen=True)
class Marker:
    """The current position or the destination, with where its label goes."""

    x: float
    y: float
    label: str
    label_x: float
    label_y: float
    anchor: str  # "start" or "end"
    below: bool  # the label hangs under the marker (else it stands above it)
    labelled: bool = True  # False when another marker's label already names the spot
    where: ShownPlace | None = None

    @property
    def short(self) -> str:
        """The label on the map itself: the town alone ("Dallas"), the full place is in the key."""
        return self.label.split(",")[0].strip()


@dataclass(frozen=True)
class RouteMap:
    width: int
    height: int
    points: tuple[MapPoint, ...]  # the scans' places in travel order
    land: tuple[str, ...]  # one SVG path per country in view
    current: Marker | None  # where the parcel was seen last (None once it has arrived)
    destination: Marker | None
    remaining: str | None  # the dashed line still to travel, "x1,y1 x2,y2 ..."
    tiles: tuple[Tile, ...] = ()
    attribution: str | None = None
    track: tuple[tuple[float, float], ...] = ()  # the route line, long legs along great circles

    @property
    def polyline(self) -> str:
        line = self.track or tuple((p.x, p.y) for p in self.points)
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in line)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def arrived(self) -> bool:
        return self.current is None


# A parcel that has arrived ends where it was last seen; one on its way back is not going to
# the shopper's address, so its map shows no destination.
ARRIVED_STATUSES = frozenset({"delivered"})
GOING_BACK_STATUSES = frozenset({"returning", "returned"})


def position(
    latitude: float | None,
    longitude: float | None,
    city: str | None,
    region: str | None,
    country: str | None,
) -> tuple[float, float] | None:
    """Where a scan or an address is: its coordinates, else the shipped city of that name."""
    if latitude is not None and longitude is not None:
        return latitude, longitude
    found = locate(city, country, region)
    return (found.latitude, found.longitude) if found else None


def parcel_map(
    located: Sequence[GeoPoint],
    *,
    status: str,
    destination: GeoPoint | None,
    tiles: TileSource | None = None,
) -> RouteMap | None:
    """The map of one parcel, as its status allows: see :data:`ARRIVED_STATUSES`."""
    return project(
        located,
        destination=None if status in GOING_BACK_STATUSES else destination,
        arrived=status in ARRIVED_STATUSES,
        tiles=tiles,
    )


def route_points(located: Sequence[GeoPoint]) -> list[GeoPoint]:
    """The places in travel order, with repeated scans at the same spot kept once."""
    kept: list[GeoPoint] = []
    for point in located:
        if kept and (kept[-1].latitude, kept[-1].longitude) == (point.latitude, point.longitude):
            continue
        kept.append(point)
    return kept


def unwrap(longitude: float, reference: float) -> float:
    """``longitude`` moved by whole turns to within 180 degrees of ``reference``."""
    return longitude - 360.0 * round((longitude - reference) / 360.0)


def fit(xs: Sequence[float], ys: Sequence[float], *, width: int = WIDTH, height: int = HEIGHT) -> View:
    """The view that shows every point with the margins, at least :data:`MIN_SPAN` across."""
    inner_w, inner_h = width - 2 * MARGIN_X, height - 2 * MARGIN_Y
    span_x = max(max(xs) - min(xs), MIN_SPAN)
    span_y = max(max(ys) - min(ys), MIN_SPAN * inner_h / inner_w)
    scale = min(inner_w / span_x, inner_h / span_y)
    scale = max(scale, width / 1.5)  # never more than one and a half worlds across
    centre_x, centre_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    x0 = centre_x - width / 2 / scale
    y0 = centre_y - height / 2 / scale
    tall = height / scale
    if tall < 1:  # keep the frame inside the square Mercator world, north to south
        y0 = min(max(y0, 0.0), 1.0 - tall)
    return View(x0=x0, y0=y0, scale=scale, width=width, height=height)


def _label(
    x: float, y: float, text: str, *, below: bool, width: int, height: int, where: ShownPlace | None = None
) -> Marker:
    start = x < width * 0.55
    # Stand above unless that leaves the frame; hang below unless that does.
    if below and y > height - 40:
        below = False
    elif not below and y < 40:
        below = True
    return Marker(
        x=x,
        y=y,
        label=text,
        label_x=round(x + 20 if start else x - 20, 1),
        label_y=round(y + 18 if below else y - 18, 1),
        anchor="start" if start else "end",
        below=below,
        where=where,
    )


def project(
    located: Sequence[GeoPoint],
    *,
    destination: GeoPoint | None = None,
    arrived: bool = False,
    tiles: TileSource | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> RouteMap | None:
    """The map of a parcel's route; None when no scan has a known place.

    ``arrived``: the parcel is delivered (or collected), so its last place is where it ended,
    not a current position; without a ``destination`` that last place is shown as one."""
    points = route_points(located)
    if not points:
        return None
    longitudes = [points[0].longitude]
    for point in points[1:]:
        longitudes.append(unwrap(point.longitude, longitudes[-1]))
    world = [mercator(lon, p.latitude) for lon, p in zip(longitudes, points, strict=True)]
    goal = None
    if destination is not None:
        goal = mercator(unwrap(destination.longitude, longitudes[-1]), destination.latitude)
    elif arrived:
        destination, goal = points[-1], world[-1]
    track = [world[0]]
    for previous, point, here in zip(points, points[1:], world[1:], strict=False):
        track.extend([*leg(previous, point)[:-1], here])
    ahead: list[tuple[float, float]] = []
    if goal is not None and destination is not None and not arrived:
        ahead = [world[-1], *leg(points[-1], destination)[:-1], goal]
    everything = track + ahead + ([goal] if goal else [])
    view = fit([x for x, _ in everything], [y for _, y in everything], width=width, height=height)
    placed = tuple(
        MapPoint(number, *view.at(x, y), label=point.label, where=point.where)
        for number, (point, (x, y)) in enumerate(zip(points, world, strict=True), start=1)
    )
    last = placed[-1]
    target = view.at(*goal) if goal else None
    current = None
    if not arrived:
        current = _label(
            last.x, last.y, last.label, below=False, width=width, height=height, where=last.where
        )
    marker = None
    if target and destination is not None:
        marker = _label(
            *target, destination.label, below=True, width=width, height=height, where=destination.where
        )
    if marker and current and math.dist((marker.x, marker.y), (current.x, current.y)) < LABEL_CLASH:
        marker = replace(marker, labelled=False)  # one label for both ("Paris", now in Paris)
    remaining = None
    if current and target and math.dist((last.x, last.y), target) > 1:
        remaining = " ".join("{:.1f},{:.1f}".format(*view.at(x, y)) for x, y in ahead)
    return RouteMap(
        width=width,
        height=height,
        points=placed,
        land=land_paths(view),
        current=current,
        destination=marker,
        remaining=remaining,
        tiles=tile_grid(view, tiles) if tiles else (),
        attribution=tiles.attribution if tiles else None,
        track=tuple(view.at(x, y) for x, y in track),
    )


def leg(start: GeoPoint, end: GeoPoint) -> list[tuple[float, float]]:
    """The way from ``start`` to ``end`` in world units, ``start`` left out: a long leg follows
    the great circle, as a plane flies (curved on the map), a short one is a straight step.
    Longitudes run on from ``start``'s, so a leg over the antimeridian does not wrap."""
    a, b = _unit_vector(start), _unit_vector(end)
    angle = math.acos(max(-1.0, min(1.0, sum(p * q for p, q in zip(a, b, strict=True)))))
    longitude = start.longitude
    if angle * EARTH_RADIUS_KM < GREAT_CIRCLE_KM or math.sin(angle) < 1e-9:
        return [mercator(unwrap(end.longitude, longitude), end.latitude)]
    steps = []
    for step in range(1, ARC_STEPS + 1):
        t = step / ARC_STEPS
        f, g = math.sin((1 - t) * angle) / math.sin(angle), math.sin(t * angle) / math.sin(angle)
        x, y, z = (f * p + g * q for p, q in zip(a, b, strict=True))
        latitude = math.degrees(math.atan2(z, math.hypot(x, y)))
        longitude = unwrap(math.degrees(math.atan2(y, x)), longitude)
        steps.append(mercator(longitude, latitude))
    return steps


def _unit_vector(point: GeoPoint) -> tuple[float, float, float]:
    lat, lon = math.radians(point.latitude), math.radians(point.longitude)
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))
