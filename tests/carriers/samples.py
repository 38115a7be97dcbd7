"""The carriers' recorded payloads in ../shared/data/carriers, read in place (never copied).

Tests that need a sample skip, saying so, when the folder is absent; each carrier's test
module also carries small payloads of our own so its mapping runs in every checkout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CARRIER_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "carriers"


def sample_path(folder: str, name: str) -> Path:
    return CARRIER_DATA / folder / name


def sample(folder: str, name: str) -> bytes:
    """The raw bytes of one recorded payload, or a skip naming what is missing."""
    path = sample_path(folder, name)
    if not path.is_file():
        pytest.skip(f"carrier sample {folder}/{name} not found at {CARRIER_DATA} (shared data absent)")
    return path.read_bytes()


def samples_in(folder: str, suffixes: tuple[str, ...] = (".json", ".xml")) -> list[Path]:
    """Every raw payload of a carrier folder (not the other project's ``Parsed*`` readings)."""
    directory = CARRIER_DATA / folder
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in suffixes and not p.name.startswith("Parsed"))
