"""Real-browser tests: Python Playwright driving Debian's chromium against ``ordertrack serve``
on 127.0.0.1 (the ``served`` process, see tests/conftest.py).

``browser`` is one headless chromium per test module. ``page`` is a fresh page in its own
context (cookies do not leak between tests). ``screenshot`` saves a PNG under
``tests/artifacts/`` (git-ignored); ``screenshots`` saves the page at both widths every page
test looks at, 1280 px and 360 px. ``axe_audit`` runs axe-core (bundled with the
axe-playwright-python test dependency, served from disk, never fetched) and returns the
serious and critical violations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


# Module scope, not session: Playwright's sync API keeps an event loop running in the main
# thread while it is open, and later tests that start their own loop (asyncio.run) would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A 360 px wide phone screen."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# The desktop and the phone screen every page test is seen at.
WIDTHS = ((1280, 900), (360, 740))


def screenshots(page: Any, name: str) -> list[Path]:
    """The page as it stands, saved 1280 px and 360 px wide; it must not scroll sideways at 360."""
    size = page.viewport_size
    saved = []
    try:
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            saved.append(screenshot(page, f"{name}-{width}"))
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, f"{name} scrolls sideways at {width} px ({scroll_width} px wide)"
    finally:
        page.set_viewport_size(size)
    return saved


def axe_audit(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
