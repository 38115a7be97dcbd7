"""Make the country outlines the tracking page's map draws, from Natural Earth via ``world-atlas``.

    python3 tools/build_land.py                      # rewrite the shipped file
    python3 tools/build_land.py --check              # exit 1 when the shipped file differs
    python3 tools/build_land.py --source world-atlas-2.0.2.tgz   # use a tarball at hand

Provenance: ``world-atlas`` 2.0.2 on the npm registry (ISC licence, Mike Bostock) is Natural
Earth's 1:50m "Admin 0 – Countries" converted to TopoJSON. Natural Earth is in the public
domain ("Made with Natural Earth", naturalearthdata.com). Without ``--source`` the tarball is
fetched with ``npm pack`` and checked against the integrity hash below, so the output is the
same on every machine. The product ships only the file this script writes; nothing is fetched
at run time.

The shipped file ``src/ordertrack/web/track/land.json.gz`` is JSON, gzipped (mtime 0, so the
bytes are reproducible)::

    {"source": "...", "unit": 100,
     "countries": [{"id": "840", "name": "United States of America", "polygons": [ring, ...]}]}

where a polygon is a list of rings (outer first, then holes) and a ring is a flat list of
integers ``[lon0, lat0, dlon1, dlat1, ...]``: the first point in hundredths of a degree
(about a kilometre), then each point as the difference from the one before (small numbers
that gzip well). Consecutive points that round to the same hundredth are kept once.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAND = ROOT / "src" / "ordertrack" / "web" / "track" / "land.json.gz"
PACKAGE = "world-atlas@2.0.2"
INTEGRITY = "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
MEMBER = "package/countries-50m.json"
SOURCE = (
    "Made with Natural Earth (public domain): Admin 0 - Countries 1:50m, "
    "as TopoJSON in world-atlas 2.0.2 (ISC); rounded to 0.01 degree by tools/build_land.py"
)
UNIT = 100  # hundredths of a degree


def _tarball(source: Path | None) -> bytes:
    if source is not None:
        data = source.read_bytes()
    else:
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=folder, check=True, capture_output=True)
            data = next(Path(folder).glob("*.tgz")).read_bytes()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != INTEGRITY:
        raise SystemExit(f"{PACKAGE}: integrity {digest} is not the expected {INTEGRITY}")
    return data


def _topology(tarball: bytes) -> dict:
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        assert member is not None
        return json.load(member)


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Each arc as absolute longitudes and latitudes (TopoJSON quantises and delta-encodes them)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(arc if not ring else arc[1:])
    return ring


def _encode(ring: list[tuple[float, float]]) -> list[int] | None:
    """The ring in hundredths of a degree, delta-encoded; None when it shrinks to nothing."""
    kept: list[tuple[int, int]] = []
    for lon, lat in ring:
        point = (round(lon * UNIT), round(lat * UNIT))
        if not kept or kept[-1] != point:
            kept.append(point)
    if len(kept) > 1 and kept[0] == kept[-1]:
        kept.pop()  # the closing point: the reader closes every ring
    if len(kept) < 3:
        return None
    flat = [kept[0][0], kept[0][1]]
    for (x0, y0), (x1, y1) in zip(kept, kept[1:], strict=False):
        flat.extend((x1 - x0, y1 - y0))
    return flat


def land(tarball: bytes) -> bytes:
    topology = _topology(tarball)
    arcs = _arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("type") == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry.get("type") == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        encoded = []
        for polygon in polygons:
            rings = [_encode(_ring(arcs, ring)) for ring in polygon]
            if rings and rings[0] is not None:
                encoded.append([ring for ring in rings if ring is not None])
        if encoded:
            countries.append(
                {"id": geometry.get("id") or "", "name": geometry["properties"]["name"], "polygons": encoded}
            )
    countries.sort(key=lambda c: (c["id"], c["name"]))
    text = json.dumps({"source": SOURCE, "unit": UNIT, "countries": countries}, separators=(",", ":"))
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file, write nothing")
    parser.add_argument("--source", type=Path, help="a world-atlas 2.0.2 tarball (else npm pack fetches it)")
    args = parser.parse_args()
    made = land(_tarball(args.source))
    if args.check:
        if not LAND.exists() or LAND.read_bytes() != made:
            print(f"{LAND.relative_to(ROOT)} differs from what {PACKAGE} makes", file=sys.stderr)
            return 1
        print(f"{LAND.relative_to(ROOT)} is up to date ({len(made):,} bytes)")
        return 0
    LAND.write_bytes(made)
    print(f"wrote {LAND.relative_to(ROOT)} ({len(made):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
