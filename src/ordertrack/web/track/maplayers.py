"""What lies under the route map: the country outlines for one view, or a merchant's tiles.

The outlines come from :mod:`geography` (parsed once per process). For one view they are
scaled, thinned to points at least :data:`THIN_PX` apart, clipped to the frame and written as
short relative path data; the result is kept in a small cache, since the same order's page is
drawn again on every live update. A merchant's tiles are placed as ``<image>`` elements at
the zoom whose 256-pixel tiles are drawn closest to their own size, and the page's policy is
widened to their host alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from ordertrack.web.track.geography import CountryOutline, Ring, countries

# The drawing's size in map units (an SVG viewBox; CSS scales it to the column's width).
WIDTH = 640
HEIGHT = 400
# Land points closer than this (in map units) are dropped: invisible, and they weigh the page.
THIN_PX = 2.0
# Land is clipped to the frame plus this much, so clipped edges' strokes stay out of sight.
CLIP_PAD = 6.0
# The largest tile zoom asked of a tile server (most serve 0-19).
MAX_TILE_ZOOM = 18


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


def _country_path(country: CountryOutline, shift: float, view: View) -> str:
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
