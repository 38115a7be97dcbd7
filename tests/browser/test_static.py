"""The browser harness itself: chromium starts and the server's own assets load."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_chromium_loads_the_stylesheet_from_the_server(page: Any, server) -> None:
    response = page.goto(f"{server.base_url}/static/site.css")
    assert response is not None and response.status == 200
    assert "--brand" in page.content()
