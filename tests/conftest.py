"""Fixtures: every database test runs on SQLite and, when enabled, on PostgreSQL.

PostgreSQL tests run when ``ORDERTRACK_TEST_POSTGRES_URL`` names a server (for example
``postgresql://postgres@127.0.0.1:5432/postgres``); each test session creates its own
database there and drops it at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from ordertrack.config import Settings
from ordertrack.db.uow import Database
from ordertrack.merchants import service as merchants_service
from tests.support import (
    LiveServer,
    ServeProcess,
    fresh_postgres_database,
    migrated_database,
    sqlite_url,
    wipe,
)

# The local SMTP relay, webhook receiver and SMS API (fixtures relay, receiver, provider).
pytest_plugins = ["tests.notifications.servers"]

BACKENDS = ["sqlite", "postgresql"]
TEST_SECRET = "test-secret-for-tracking-links"


def _postgres_server() -> str | None:
    settings = Settings()
    if not settings.test_postgres_url and settings.require_postgres_tests:
        pytest.fail("ORDERTRACK_REQUIRE_POSTGRES_TESTS is set but ORDERTRACK_TEST_POSTGRES_URL is not")
    return settings.test_postgres_url


@pytest.fixture(scope="session")
def _sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = migrated_database(sqlite_url(tmp_path_factory.mktemp("sqlite")))
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def _postgresql_db() -> Iterator[Database]:
    server = _postgres_server()
    if not server:
        pytest.skip("PostgreSQL tests are off: set ORDERTRACK_TEST_POSTGRES_URL to a server URL")
    with fresh_postgres_database(server) as url:
        db = migrated_database(url)
        yield db
        db.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db(backend: str, request: pytest.FixtureRequest) -> Database:
    """A migrated database of the test's backend, emptied before the test."""
    database: Database = request.getfixturevalue(f"_{backend}_db")
    wipe(database)
    return database


@dataclass(frozen=True)
class Tenant:
    merchant_id: str
    api_key: str


@pytest.fixture
def make_merchant(db: Database) -> Callable[[str], Tenant]:
    def make(name: str = "Acme Outfitters") -> Tenant:
        with db.uow() as uow:
            created = merchants_service.create_merchant(uow, name)
            uow.commit()
        return Tenant(created.merchant_id, created.api_key)

    return make


@pytest.fixture
def settings(db: Database) -> Settings:
    return Settings(database_url=db.url.render_as_string(hide_password=False), api_key_cache_seconds=0)


@pytest.fixture(scope="session")
def _servers() -> Iterator[dict[str, LiveServer]]:
    servers: dict[str, LiveServer] = {}
    yield servers
    for server in servers.values():
        server.__exit__(None, None, None)


@pytest.fixture
def server(db: Database, backend: str, _servers: dict[str, LiveServer]) -> LiveServer:
    """A live HTTP server on 127.0.0.1 for the test's backend (one per backend per session)."""
    if backend not in _servers:
        settings = Settings(
            database_url=db.url.render_as_string(hide_password=False),
            api_key_cache_seconds=0,
            secret_key=TEST_SECRET,
        )
        _servers[backend] = LiveServer(db, settings).__enter__()
    return _servers[backend]


# Every test's browser and client reach the shared process from 127.0.0.1, so it allows more
# shopper lookups than the shipped limit, as an operator whose shoppers share one address would
# set it. The limit itself is tested on a process of its own.
SERVED_ENV = {"ORDERTRACK_TRACK_LOOKUP_BURST": "1000"}


@pytest.fixture(scope="session")
def _served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServeProcess]]:
    processes: dict[str, ServeProcess] = {}
    yield processes
    for process in processes.values():
        process.__exit__(None, None, None)


@pytest.fixture
def served(
    db: Database, backend: str, _served: dict[str, ServeProcess], tmp_path_factory: pytest.TempPathFactory
) -> ServeProcess:
    """``ordertrack serve`` in its own process on the test's database (one per backend per session)."""
    if backend not in _served:
        url = db.url.render_as_string(hide_password=False)
        workdir = tmp_path_factory.mktemp(f"serve-{backend}")
        _served[backend] = ServeProcess(url, workdir, secret=TEST_SECRET, env=SERVED_ENV).__enter__()
    return _served[backend]


@pytest.fixture
def served_stopped(backend: str, _served: dict[str, ServeProcess]) -> None:
    """No shared ``served`` process on the test's database during the test (the next test that
    needs one starts it again): for a test whose own ``ordertrack serve`` must be the only
    worker taking the outbox, since the shared one, without email configured, would take the
    messages first and put them off."""
    process = _served.pop(backend, None)
    if process is not None:
        process.__exit__(None, None, None)


@pytest.fixture
def served_client(served: ServeProcess, make_merchant: Callable[[str], Tenant]) -> Iterator[httpx.Client]:
    """An HTTP client authenticated as a fresh merchant, talking to ``ordertrack serve``."""
    tenant = make_merchant("Acme Outfitters")
    with served.client(tenant.api_key) as http:
        http.tenant = tenant  # type: ignore[attr-defined]
        yield http


@pytest.fixture
def client(server: LiveServer, make_merchant: Callable[[str], Tenant]) -> Iterator[httpx.Client]:
    """An HTTP client authenticated as a fresh merchant."""
    tenant = make_merchant("Acme Outfitters")
    with server.client(tenant.api_key) as http:
        http.tenant = tenant  # type: ignore[attr-defined]
        yield http
