"""The route map: where the parcel has been, where it is now and where it is going, drawn by
the server as an SVG over real country outlines (or a merchant's map tiles).

Web Mercator, the projection of every web map, so a merchant's tiles line up with the rest.
The view fits the scans and the destination with room for the labels, and never shows less
than about 450 km across, so a local delivery still shows its surroundings. A route that
crosses the antimeridian is unwrapped (each place within 180 degrees of the one before), and
the land is drawn once more a world to the left or right where the view needs it.

Land comes from :mod:`geography` (parsed once per process); for one view it is scaled, thinned
to points at least :data:`THIN_PX` apart, and clipped to the frame, and the result is kept in a
small cache, since the same order's page is drawn again on every live update.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import urlsplit

from ordertrack.web.track.geography import Country, Ring, countries, locate, mercator
from ordertrack.web.track.readable import Place

WIDTH = 640
HEIGHT = 400
# Room kept free between the outermost place and the frame, for markers and labels.
MARGIN_X = 96  # a phone shows the map 4:3, cutting 53 units off each side (track.css)
MARGIN_Y = 56
# The narrowest view, in world units (1 = all 360 degrees): about 4.3 degrees of longitude.
MIN_SPAN = 0.012
# Land points closer than this (in map units) are dropped: invisible, and they weigh the page.
THIN_PX = 2.0
# Land is clipped to the frame plus this much, so clipped edges' strokes stay out of sight.
CLIP_PAD = 6.0
# Legs longer than this are drawn along the great circle, in ARC_STEPS steps.
GREAT_CIRCLE_KM = 800.0
ARC_STEPS = 24
EARTH_RADIUS_KM = 6371.0
# Markers closer than this (map units) share one label.
LABEL_CLASH = 48.0
# The largest tile zoom asked of a tile server (most serve 0-19).
MAX_TILE_ZOOM = 18


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float
    label: str
    where: Place | None = None  # the place as written, named in the page's language when shown


@dataclass(frozen=True)
class MapPoint:
    number: int  # 1 for the first place the parcel was seen
    x: float
    y: float
    label: str
    where: Place | None = None


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
    where: Place | None = None

    @property
    def short(self) -> str:
        """The label on the map itself: the town alone ("Dallas"), the full place is in the key."""
        return self.label.split(",")[0].strip()


@dataclass(frozen=True)
class TileSource:
    """A merchant's map tiles: an https URL template with {z}, {x} and {y}, and the credit line."""

    url_template: str
    attribution: str


@dataclass(frozen=True)
class Tile:
    href: str
    x: float
    y: float
    size: float


@dataclass(frozen=True)
class View:
    """The window onto the world: its top-left corner in world units and map units per world."""

    x0: float
    y0: float
    scale: float
    width: int = WIDTH
    height: int = HEIGHT

    def at(self, x: float, y: float) -> tuple[float, float]:
        return round((x - self.x0) * self.scale, 1), round((y - self.y0) * self.scale, 1)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x0 + self.width / self.scale, self.y0 + self.height / self.scale)


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
    x: float, y: float, text: str, *, below: bool, width: int, height: int, where: Place | None = None
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


# --- land -------------------------------------------------------------------------------------


def land_paths(view: View) -> tuple[str, ...]:
    """Each country in view as one SVG path (its rings as sub-paths), for this view."""
    # Rounded so that views a hair apart share the cache; the error is far below a pixel.
    return _land_paths(round(view.x0, 7), round(view.y0, 7), round(view.scale, 3), view.width, view.height)


@lru_cache(maxsize=256)
def _land_paths(x0: float, y0: float, scale: float, width: int, height: int) -> tuple[str, ...]:
    view = View(x0, y0, scale, width, height)
    left, top, right, bottom = view.box
    paths = []
    for country in countries():
        for shift in (-1.0, 0.0, 1.0):  # the world to the left and right, for the antimeridian
            if not _meets(country.box, shift, (left, top, right, bottom)):
                continue
            path = _country_path(country, shift, view)
            if path:
                paths.append(path)
    return tuple(paths)


def _meets(box: tuple[float, float, float, float], shift: float, frame: tuple[float, ...]) -> bool:
    return box[0] + shift < frame[2] and box[2] + shift > frame[0] and box[1] < frame[3] and box[3] > frame[1]


def _country_path(country: Country, shift: float, view: View) -> str:
    left, top, right, bottom = view.box
    parts = []
    for polygon in country.polygons:
        if not _meets(polygon[0].box, shift, (left, top, right, bottom)):
            continue
        for ring in polygon:
            points = _ring_points(ring, shift, view)
            if len(points) >= 3:
                parts.append(_path_data(points))
    return "".join(parts)


def _path_data(points: list[tuple[float, float]]) -> str:
    """A closed sub-path in whole map units, each point relative to the one before (short)."""
    rounded = [(round(x), round(y)) for x, y in points]
    steps = [f"{x1 - x0} {y1 - y0}" for (x0, y0), (x1, y1) in zip(rounded, rounded[1:], strict=False)]
    return f"M{rounded[0][0]} {rounded[0][1]}l" + " ".join(steps) + "z"


def _ring_points(ring: Ring, shift: float, view: View) -> list[tuple[float, float]]:
    """The ring in map units, thinned, and clipped to the frame when it crosses it."""
    x0, y0, scale = view.x0 - shift, view.y0, view.scale
    low, high_x, high_y = -CLIP_PAD, view.width + CLIP_PAD, view.height + CLIP_PAD
    min_x, min_y = (ring.box[0] - x0) * scale, (ring.box[1] - y0) * scale
    max_x, max_y = (ring.box[2] - x0) * scale, (ring.box[3] - y0) * scale
    if max_x < low or max_y < low or min_x > high_x or min_y > high_y:
        return []
    if max_x - min_x < THIN_PX and max_y - min_y < THIN_PX:
        return []  # an island smaller than a pixel
    points: list[tuple[float, float]] = []
    last_x = last_y = math.inf
    for wx, wy in zip(ring.xs, ring.ys, strict=True):
        x, y = (wx - x0) * scale, (wy - y0) * scale
        if abs(x - last_x) + abs(y - last_y) >= THIN_PX:
            points.append((x, y))
            last_x, last_y = x, y
    if min_x >= low and min_y >= low and max_x <= high_x and max_y <= high_y:
        return points
    return clip(points, low, low, high_x, high_y)


def clip(
    points: list[tuple[float, float]], left: float, top: float, right: float, bottom: float
) -> list[tuple[float, float]]:
    """A polygon clipped to a rectangle (Sutherland–Hodgman): edges along the frame where the
    polygon leaves it, which the frame hides."""
    edges = (
        (lambda p: p[0] >= left, lambda a, b: _cross_x(a, b, left)),
        (lambda p: p[0] <= right, lambda a, b: _cross_x(a, b, right)),
        (lambda p: p[1] >= top, lambda a, b: _cross_y(a, b, top)),
        (lambda p: p[1] <= bottom, lambda a, b: _cross_y(a, b, bottom)),
    )
    for inside, cross in edges:
        if not points:
            break
        kept: list[tuple[float, float]] = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    kept.append(cross(previous, point))
                kept.append(point)
            elif inside(previous):
                kept.append(cross(previous, point))
            previous = point
        points = kept
    return points


def _cross_x(a: tuple[float, float], b: tuple[float, float], x: float) -> tuple[float, float]:
    t = (x - a[0]) / (b[0] - a[0])
    return x, a[1] + t * (b[1] - a[1])


def _cross_y(a: tuple[float, float], b: tuple[float, float], y: float) -> tuple[float, float]:
    t = (y - a[1]) / (b[1] - a[1])
    return a[0] + t * (b[0] - a[0]), y


# --- tiles ------------------------------------------------------------------------------------


def tile_origin(source: TileSource) -> str:
    """``https://host[:port]`` of the tiles (merchants.map_tiles allows no other scheme)."""
    parts = urlsplit(source.url_template)
    return f"{parts.scheme}://{parts.netloc}"


def policy_with_tiles(policy: str, source: TileSource) -> str:
    """A Content-Security-Policy that also lets images come from the tiles' host."""
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    origin = tile_origin(source)
    found = False
    for index, directive in enumerate(directives):
        if directive.split()[0] == "img-src":
            directives[index] = f"{directive} {origin}"
            found = True
    if not found:
        directives.append(f"img-src 'self' data: {origin}")
    return "; ".join(directives)


def tile_zoom(view: View) -> int:
    """The zoom whose 256-pixel tiles are drawn closest to their own size."""
    return max(0, min(MAX_TILE_ZOOM, round(math.log2(view.scale / 256))))


def tile_grid(view: View, source: TileSource) -> tuple[Tile, ...]:
    """The tiles that cover the view, placed in map units; columns wrap round the world."""
    zoom = tile_zoom(view)
    count = 2**zoom
    size = view.scale / count
    left, top, right, bottom = view.box
    rows = range(max(0, math.floor(top * count)), min(count - 1, math.floor(bottom * count)) + 1)
    columns = range(math.floor(left * count), math.floor(right * count) + 1)
    placed = []
    for row in rows:
        for column in columns:
            href = (
                source.url_template.replace("{z}", str(zoom))
                .replace("{x}", str(column % count))
                .replace("{y}", str(row))
            )
            x, y = view.at(column / count, row / count)
            # A hair larger than the grid, so that rounding leaves no seams between tiles.
            placed.append(Tile(href=href, x=x, y=y, size=round(size + 0.3, 1)))
    return tuple(placed)
