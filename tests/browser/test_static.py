"""The browser harness itself: chromium starts and ``ordertrack serve`` serves its own assets."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import ServeProcess

pytestmark = pytest.mark.browser


def test_chromium_loads_the_stylesheet_from_the_server(page: Any, served: ServeProcess) -> None:
    response = page.goto(f"{served.base_url}/static/site.css")
    assert response is not None and response.status == 200
    assert "--brand" in page.content()
