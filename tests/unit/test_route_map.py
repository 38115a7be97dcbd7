"""The route map: projection, the view's fit, land clipping, markers, tiles and their CSP, the
shipped outlines and the places found by name (web/track/routemap.py, maplayers.py,
geography.py)."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import json
import math
import re
import subprocess
import sys
import tarfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from ordertrack.kit.errors import OrdertrackError
from ordertrack.merchants.map_tiles import MapTiles, check_attribution, check_template
from ordertrack.web.pages import SECURITY_HEADERS
from ordertrack.web.track import geography
from ordertrack.web.track.maplayers import TileSource, View, clip, policy_with_tiles, tile_zoom
from ordertrack.web.track.routemap import MIN_SPAN, GeoPoint, fit, parcel_map, project, unwrap

ROOT = Path(__file__).resolve().parents[2]
LOUISVILLE = GeoPoint(38.25, -85.76, "Louisville, KY, US")
DALLAS = GeoPoint(32.78, -96.80, "Dallas, TX, US")
AUSTIN = GeoPoint(30.27, -97.74, "Austin, TX, US")
TILES = TileSource("https://tiles.example.com/{z}/{x}/{y}.png", "© Example Maps")


def _inside(route, x: float, y: float) -> bool:
    return 0 <= x <= route.width and 0 <= y <= route.height


def test_route_points_stay_inside_the_view_in_travel_order_with_north_up_and_east_right() -> None:
    route = project([LOUISVILLE, DALLAS, AUSTIN])
    assert route is not None
    assert [p.label for p in route.points] == [LOUISVILLE.label, DALLAS.label, AUSTIN.label]
    assert [p.number for p in route.points] == [1, 2, 3]
    assert all(_inside(route, p.x, p.y) for p in route.points)
    louisville, dallas, austin = route.points
    assert louisville.x > dallas.x > austin.x
    assert louisville.y < dallas.y < austin.y
    line = [tuple(float(v) for v in pair.split(",")) for pair in route.polyline.split()]
    assert line[0] == (louisville.x, louisville.y) and line[-1] == (austin.x, austin.y)
    assert (dallas.x, dallas.y) in line  # the line goes through every place, in order
    assert line.index((dallas.x, dallas.y)) == len(line) - 2  # Dallas–Austin is short: straight


def test_a_long_leg_follows_the_great_circle_north_over_the_atlantic() -> None:
    route = project([GeoPoint(39.53, -119.81, "Reno"), GeoPoint(50.03, 8.56, "Frankfurt")])
    assert route is not None
    reno, frankfurt = route.points
    line = [tuple(float(v) for v in pair.split(",")) for pair in route.polyline.split()]
    assert len(line) > 10
    assert min(y for _, y in line) < min(reno.y, frankfurt.y) - 40  # bowed towards the pole
    assert all(_inside(route, x, y) for x, y in line)  # and the view holds the whole curve


def test_repeated_scans_at_one_spot_count_once_and_no_place_means_no_map() -> None:
    assert project([]) is None
    route = project([GeoPoint(1, 1, "a"), GeoPoint(1, 1, "a"), GeoPoint(1, 2, "b")])
    assert route is not None and len(route.points) == 2


def test_one_known_place_still_gets_a_map_with_the_current_position() -> None:
    route = project([DALLAS])
    assert route is not None and route.current is not None
    assert route.current.short == "Dallas"
    assert route.land, "the land around Dallas is drawn"


def test_the_view_holds_the_destination_and_keeps_room_for_labels() -> None:
    route = project([LOUISVILLE, DALLAS], destination=AUSTIN)
    assert route is not None and route.destination is not None and route.current is not None
    for marker in (route.current, route.destination):
        assert 40 <= marker.x <= route.width - 40 and 30 <= marker.y <= route.height - 30
    assert route.remaining is not None  # the leg still to travel, dashed
    assert route.destination.below and not route.current.below


def test_a_local_route_is_never_zoomed_in_past_the_minimum_span() -> None:
    a, b = GeoPoint(52.52, 13.40, "Berlin"), GeoPoint(52.53, 13.41, "Berlin Mitte")
    xs, ys = zip(*(geography.mercator(p.longitude, p.latitude) for p in (a, b)), strict=True)
    view = fit(xs, ys)
    assert view.width / view.scale >= MIN_SPAN  # at least about 4 degrees across
    route = project([a, b])
    assert route is not None and route.land  # Germany and its neighbours around the dot


def test_a_route_across_the_antimeridian_is_unwrapped_not_drawn_round_the_world() -> None:
    assert unwrap(-170.0, 175.0) == 190.0
    route = project([GeoPoint(-18.1, 178.4, "Suva"), GeoPoint(-13.8, -171.8, "Apia")])
    assert route is not None
    suva, apia = route.points
    assert apia.x > suva.x  # east of Suva, not three hundred degrees west
    assert math.dist((suva.x, suva.y), (apia.x, apia.y)) < route.width
    assert route.land  # Fiji, drawn from both sides of the line


def test_delivered_parcel_ends_at_its_destination_and_a_returning_one_shows_none() -> None:
    delivered = parcel_map([LOUISVILLE, AUSTIN], status="delivered", destination=AUSTIN)
    assert delivered is not None and delivered.arrived and delivered.destination is not None
    assert delivered.remaining is None
    without = parcel_map([LOUISVILLE, AUSTIN], status="delivered", destination=None)
    assert without is not None and without.destination is not None  # its last place
    going_back = parcel_map([LOUISVILLE, DALLAS], status="returning", destination=AUSTIN)
    assert going_back is not None and going_back.destination is None and going_back.current is not None


def test_markers_at_one_spot_share_one_label() -> None:
    paris = GeoPoint(48.86, 2.35, "Paris, FR")
    route = project([GeoPoint(51.3, 12.2, "Schkeuditz, DE"), paris], destination=paris)
    assert route is not None and route.current is not None and route.destination is not None
    assert route.current.labelled and not route.destination.labelled


def test_clipping_keeps_a_polygon_inside_the_rectangle() -> None:
    square = [(-10.0, -10.0), (50.0, -10.0), (50.0, 50.0), (-10.0, 50.0)]
    clipped = clip(square, 0, 0, 20, 20)
    assert clipped and all(0 <= x <= 20 and 0 <= y <= 20 for x, y in clipped)
    assert {(0.0, 0.0), (20.0, 20.0)} <= set(clipped)
    assert clip([(30.0, 30.0), (40.0, 30.0), (40.0, 40.0)], 0, 0, 20, 20) == []


def test_land_paths_stay_near_the_frame_and_stay_small() -> None:
    route = project([GeoPoint(39.53, -119.81, "Reno"), GeoPoint(50.03, 8.56, "Frankfurt")])
    assert route is not None
    numbers = [float(v) for pair in re.findall(r"M(-?\d+) (-?\d+)", "".join(route.land)) for v in pair]
    assert numbers and all(-10 <= n <= route.width + 10 for n in numbers)
    assert sum(len(path) for path in route.land) < 80_000  # the page stays light


def test_land_is_parsed_once_and_a_map_renders_fast() -> None:
    geography.countries()
    started = time.perf_counter()
    for offset in range(20):  # twenty different views: no cache help
        project([GeoPoint(40 + offset * 0.3, -100 + offset, "a"), GeoPoint(35, -90, "b")])
    per_map = (time.perf_counter() - started) / 20
    assert per_map < 0.05, f"{per_map * 1000:.1f} ms a map"
    assert geography.countries() is geography.countries()


def test_tiles_cover_the_view_at_a_zoom_near_their_own_size() -> None:
    route = project([LOUISVILLE, DALLAS], tiles=TILES)
    assert route is not None and route.tiles and route.attribution == "© Example Maps"
    for tile in route.tiles:
        assert re.fullmatch(r"https://tiles\.example\.com/\d+/\d+/\d+\.png", tile.href)
        assert 128 <= tile.size <= 512
    left = min(t.x for t in route.tiles)
    top = min(t.y for t in route.tiles)
    right = max(t.x + t.size for t in route.tiles)
    bottom = max(t.y + t.size for t in route.tiles)
    assert left <= 0 and top <= 0 and right >= route.width and bottom >= route.height
    assert tile_zoom(View(0, 0, 256)) == 0 and tile_zoom(View(0, 0, 256 * 2**30)) == 18


def test_the_csp_allows_images_from_the_tile_host_only() -> None:
    policy = policy_with_tiles(SECURITY_HEADERS["Content-Security-Policy"], TILES)
    assert "img-src 'self' data: https://tiles.example.com;" in policy
    assert "script-src 'self'" in policy and policy.count("tiles.example.com") == 1


@pytest.mark.parametrize(
    "template",
    [
        "http://tiles.example.com/{z}/{x}/{y}.png",
        "https://tiles.example.com/{z}/{x}.png",
        "https://tiles.example.com/{z}/{x}/{y}/{z}.png",
        "https://{s}.tiles.example.com/{z}/{x}/{y}.png",
        "https://user@tiles.example.com/{z}/{x}/{y}.png",
        "https://tiles.example.com/{z}/{x}/{y}.png#top",
        'https://tiles.example.com/{z}/{x}/{y}.png"><script>',
        "javascript:alert(1)//{z}{x}{y}",
        "https://tiles.example.com/" + "a" * 500 + "/{z}/{x}/{y}",
    ],
)
def test_a_bad_tile_template_is_refused_with_a_code(template: str) -> None:
    with pytest.raises(OrdertrackError) as refused:
        check_template(template)
    assert refused.value.code == "invalid_map_tiles" and refused.value.status_code == 422


def test_a_good_tile_template_is_kept_with_its_host_in_lower_case() -> None:
    kept = check_template(" https://Tiles.Example.com:8443/v1/{z}/{x}/{y}.png?key=abc ")
    assert kept == "https://tiles.example.com:8443/v1/{z}/{x}/{y}.png?key=abc"
    assert MapTiles(kept, "x").origin == "https://tiles.example.com:8443"
    assert check_attribution("  © Example\n Maps ") == "© Example Maps"
    with pytest.raises(OrdertrackError):
        check_attribution("   ")


def test_every_simulated_city_is_found_by_name_region_and_country() -> None:
    source = resources.files("ordertrack.simulate").joinpath("cities.csv")
    with source.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    for row in rows:
        found = geography.locate(row["name"].upper(), row["country"], row["admin1"])
        assert found is not None, row["name"]
        if found.region == (row["admin1"] or None):
            assert (found.latitude, found.longitude) == (float(row["latitude"]), float(row["longitude"]))
    assert geography.locate("Nowhere At All", "US") is None and geography.locate("Paris", None) is None


def test_the_shipped_outlines_are_natural_earth_countries_and_small() -> None:
    data = resources.files("ordertrack.web.track").joinpath("land.json.gz").read_bytes()
    assert len(data) < 300_000
    document = json.loads(gzip.decompress(data))
    assert "Natural Earth" in document["source"]
    names = {c["name"] for c in document["countries"]}
    assert {"United States of America", "Germany", "Brazil", "Australia", "Fiji"} <= names
    assert "Natural Earth" in geography.land_source()


def test_the_outlines_tool_checks_the_shipped_file_against_a_wrong_source(tmp_path: Path) -> None:
    fake = tmp_path / "world-atlas.tgz"
    fake.write_bytes(b"not the package")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_land.py"), "--check", "--source", str(fake)],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "integrity" in (done.stdout + done.stderr)


def test_outlines_that_cross_the_antimeridian_draw_no_line_across_the_ocean() -> None:
    route = project([GeoPoint(39.53, -119.81, "Sparks"), GeoPoint(-37.8, 144.98, "Fitzroy")])
    assert route is not None
    for path in route.land:
        for sub in path.split("M")[1:]:
            steps = sub.split("l", 1)[1].rstrip("z").split(" ")
            widest = max(abs(int(steps[i])) for i in range(0, len(steps) - 1, 2))
            assert widest < route.width / 2, "a ring jumps across the map"


def test_a_large_town_anywhere_is_placed_and_a_town_known_only_by_its_region_is_not() -> None:
    osaka = geography.locate("OSAKA", "JP")
    assert osaka is not None and abs(osaka.latitude - 34.7) < 0.2 and abs(osaka.longitude - 135.5) < 0.2
    # Fitzroy (Melbourne) is too small for the shipped towns: no pin at Australia's middle.
    assert geography.locate("Fitzroy", "AU", "VIC") is None


@pytest.mark.parametrize(
    ("route", "destination"),
    [
        ([GeoPoint(51.34, 12.37, "Schkeuditz"), GeoPoint(52.09, 5.12, "Utrecht")], None),
        ([LOUISVILLE, DALLAS], AUSTIN),
        ([GeoPoint(39.53, -119.81, "Sparks"), GeoPoint(-37.8, 144.98, "Melbourne")], None),
    ],
)
def test_every_place_stays_inside_the_part_a_phone_shows(route: list[GeoPoint], destination) -> None:
    # A phone shows the 640x400 drawing 4:3 (track.css): 533 units wide, 53 cut off each side.
    drawn = project(route, destination=destination)
    assert drawn is not None
    shown = (640 - 400 * 4 / 3) / 2
    for x in [p.x for p in drawn.points] + [m.x for m in (drawn.current, drawn.destination) if m]:
        assert shown + 25 <= x <= 640 - shown - 25


def _tool() -> Any:
    spec = importlib.util.spec_from_file_location("build_land", ROOT / "tools" / "build_land.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_outlines_tool_decodes_topojson_arcs_into_delta_encoded_rings() -> None:
    # A square island made of two arcs, the second one used backwards (~1), and a point that
    # rounds onto its neighbour (kept once).
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [-10, -10]},
        "arcs": [[[0, 0], [4, 0], [0, 4]], [[0, 0], [0, 4], [4, 0], [0, 0]]],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, ~1]], "id": "999", "properties": {"name": "Squareland"}},
                    {"type": None, "properties": {"name": "Nothing"}},
                ],
            }
        },
    }
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        data = json.dumps(topology).encode()
        info = tarfile.TarInfo("package/countries-50m.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    made = json.loads(gzip.decompress(_tool().land(archive.getvalue())))
    assert made["unit"] == 100 and "Natural Earth" in made["source"]
    (country,) = made["countries"]
    assert (country["id"], country["name"]) == ("999", "Squareland")
    (ring,) = country["polygons"][0]
    points = [(ring[0], ring[1])]
    for index in range(2, len(ring), 2):
        points.append((points[-1][0] + ring[index], points[-1][1] + ring[index + 1]))
    assert points == [(-1000, -1000), (-800, -1000), (-800, -800), (-1000, -800)]
