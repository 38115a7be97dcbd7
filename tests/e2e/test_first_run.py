"""First run, as a newcomer meets it: the start-up banner, `/`, `/api/v1/`, the API reference,
the favicon, the demo's API key across restarts, and the README's example that must run."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ordertrack.config import Settings
from tests.conftest import BACKENDS, TEST_SECRET
from tests.support import ServeProcess, fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]


def test_landing_page_links_the_shopper_lookup_the_dashboard_and_the_api_docs(served: ServeProcess) -> None:
    with served.client() as http:
        answer = http.get("/")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        for href in ("/track", "/dashboard/login", "/docs"):
            assert f'href="{href}"' in answer.text
            assert http.get(href).status_code == 200
        spanish = http.get("/", params={"lang": "es"}).text
        assert "Seguir un pedido" in spanish and "Panel de la tienda" in spanish


def test_api_index_lists_every_resource_with_links_that_answer(served: ServeProcess) -> None:
    with served.client() as http:
        index = http.get("/api/v1/")
        assert index.status_code == 200
        assert http.get("/api/v1").json() == index.json()
        for root in ("/api", "/api/"):
            moved = http.get(root)
            assert moved.status_code == 307 and moved.headers["location"] == "/api/v1/"
        body = index.json()
        assert body["documentation"] == {"reference": "/docs", "openapi": "/openapi.json"}
        names = {resource["name"] for resource in body["resources"]}
        assert {"orders", "shipments", "tracking", "inventory", "notifications", "carriers"} <= names
        documented = http.get("/openapi.json").json()["paths"]
        for resource in body["resources"]:
            for link in resource["links"]:
                assert link["href"] in documented
                assert link["templated"] == ("{" in link["href"])
        orders = next(r for r in body["resources"] if r["name"] == "orders")
        assert any(link["href"] == "/api/v1/orders" and "GET" in link["methods"] for link in orders["links"])
        # Without a key the collections refuse with the API's JSON error, not a bare 404.
        assert http.get("/api/v1/orders").status_code == 401


def test_api_reference_is_served_from_this_process_with_a_strict_policy(served: ServeProcess) -> None:
    with served.client() as http:
        page = http.get("/docs")
        assert page.status_code == 200
        assert "'unsafe-inline'" not in page.headers["content-security-policy"]
        assert "<script>" not in page.text  # only script files: no inline script
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sources and all(s.startswith("/") for s in sources), sources
        for source in sources:
            assert http.get(source).status_code == 200, source


def test_favicon_is_served_as_an_icon_and_linked_from_pages(served: ServeProcess) -> None:
    with served.client() as http:
        icon = http.get("/favicon.ico")
        assert icon.status_code == 200
        assert icon.headers["content-type"] == "image/x-icon"
        assert icon.content[:4] == b"\x00\x00\x01\x00"  # the ICO header
        assert '<link rel="icon" href="/static/favicon.svg"' in http.get("/track").text
        assert http.get("/static/favicon.svg").headers["content-type"].startswith("image/svg+xml")


@pytest.fixture(params=BACKENDS)
def demo_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'demo.db'}"
        return
    server = Settings().test_postgres_url
    if not server:
        pytest.skip("PostgreSQL tests are off: set ORDERTRACK_TEST_POSTGRES_URL to a server URL")
    with contextlib.ExitStack() as stack:
        yield stack.enter_context(fresh_postgres_database(server))


def _banner_key(process: ServeProcess) -> str:
    return next(
        line.split("API key:")[1].strip() for line in process.log().splitlines() if "API key:" in line
    )


def test_demo_reuses_its_api_key_on_restart_and_the_banner_lists_the_front_doors(
    demo_database: str, tmp_path: Path
) -> None:
    keys = []
    for run in range(2):
        with ServeProcess(
            demo_database, tmp_path / f"run{run}", secret=TEST_SECRET, args=["--demo", "--no-live"]
        ) as process:
            keys.append(_banner_key(process))
            with process.client(keys[-1]) as http:
                assert http.get("/api/v1/orders", params={"limit": 1}).status_code == 200
            log = process.log()
            for line in (
                f"Shopper page:  {process.base_url}/track",
                f"Dashboard:     {process.base_url}/dashboard",
                f"API docs:      {process.base_url}/docs",
            ):
                assert line in log
    assert keys[0] == keys[1]
    assert keys[0].startswith("otk_")


def test_serve_without_demo_prints_the_front_doors_too(tmp_path: Path) -> None:
    with ServeProcess(f"sqlite:///{tmp_path / 'plain.db'}", tmp_path, secret=TEST_SECRET) as process:
        assert httpx.get(f"{process.base_url}/").status_code == 200
        log = process.log()
    assert f"API docs:      {process.base_url}/docs" in log
    assert "API key:" not in log


def test_readme_carriers_parse_example_runs_on_a_file_that_exists() -> None:
    readme = (ROOT / "README.md").read_text()
    examples = re.findall(r"ordertrack carriers parse (\S+) (\S+)( --json)?", readme)
    runnable = [(carrier, file, flag) for carrier, file, flag in examples if carrier != "CARRIER"]
    assert runnable, "the README shows no runnable carriers parse example"
    for carrier, file, flag in runnable:
        assert (ROOT / file).is_file(), f"README names {file}, which is not in the repository"
        result = subprocess.run(
            [sys.executable, "-m", "ordertrack", "carriers", "parse", carrier, file, *flag.split()],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "delivered" in result.stdout
        assert "unknown_code" not in result.stdout
