"""tools/screenshots.py: its page list is sound, and it photographs a running server, skipping
with a message what it cannot show."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM
from tests.support import ServeProcess

pytestmark = pytest.mark.browser
TOOL = Path(__file__).resolve().parents[2] / "tools" / "screenshots.py"


def _tool() -> object:
    spec = importlib.util.spec_from_file_location("screenshots_tool", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_page_list_names_each_page_once_with_a_caption_and_known_widths() -> None:
    tool = _tool()
    pages = tool.PAGES  # type: ignore[attr-defined]
    names = [shot.name for shot in pages]
    assert len(names) == len(set(names))
    assert all(shot.caption.endswith(".") and shot.widths for shot in pages)
    assert all(set(shot.widths) <= {1280, 360} for shot in pages)
    wanted = set(
        [
            "landing",
            "track-lookup",
            "track-in-transit",
            "track-delivered",
            "track-cancelled",
            "track-spanish",
            "dashboard-orders",
            "dashboard-order",
            "dashboard-ship",
            "dashboard-attention",
            "dashboard-inventory",
            "dashboard-settings",
            "dashboard-templates",
            "dashboard-staff",
        ]
    )
    assert wanted <= set(names)
    assert {1280, 360} <= set(next(s for s in pages if s.name == "track-in-transit").widths)


def test_tool_photographs_a_running_server_and_lists_the_pictures(
    served: ServeProcess, tmp_path: Path
) -> None:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is not installed")
    out, index = tmp_path / "shots", tmp_path / "shots.md"
    result = subprocess.run(
        [sys.executable, str(TOOL), "--base-url", served.base_url, "--out", str(out), "--index", str(index),
         "--only", "landing", "--only", "dashboard-order"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "skipped dashboard-order: needs the server's API key" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["landing-1280.png", "landing-360.png"]
    for picture in out.iterdir():
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert picture.stat().st_size < 400_000
    listed = index.read_text()
    assert "(shots/landing-1280.png)" in listed and "(shots/landing-360.png)" in listed
    assert "dashboard-order" not in listed
