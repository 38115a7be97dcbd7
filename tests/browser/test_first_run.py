"""The landing page and the API reference in a real browser: nothing fetched from elsewhere,
no script or style refused by the Content-Security-Policy, axe clean."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import axe_audit, screenshots
from tests.support import ServeProcess

pytestmark = pytest.mark.browser


def _record(page: Any) -> tuple[list[str], list[str]]:
    requests: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return requests, refused


def test_api_reference_renders_every_operation_offline(page: Any, served: ServeProcess) -> None:
    requests, refused = _record(page)
    page.goto(f"{served.base_url}/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 30
    assert page.get_by_text("/api/v1/orders", exact=True).first.is_visible()
    origin = urlsplit(served.base_url).netloc
    elsewhere = [
        url
        for url in requests
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != origin
    ]
    assert elsewhere == []
    assert refused == []
    assert axe_audit(page) == []  # Swagger UI's colours corrected by /static/api-docs.css
    screenshots(page, "api-reference")


def test_landing_page_passes_axe_and_leads_to_the_lookup(page: Any, served: ServeProcess) -> None:
    requests, refused = _record(page)
    page.goto(f"{served.base_url}/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert axe_audit(page) == []
    screenshots(page, "landing")
    assert refused == []
    page.get_by_role("link", name="Track an order").click()
    page.wait_for_url(f"{served.base_url}/track")
    assert all(
        urlsplit(url).netloc == urlsplit(served.base_url).netloc for url in requests if url.startswith("http")
    )
