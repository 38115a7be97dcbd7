"""Fixtures: every database test runs on SQLite and, when enabled, on PostgreSQL.

PostgreSQL tests run when ``ORDERTRACK_TEST_POSTGRES_URL`` names a server (for example
``postgresql://postgres@127.0.0.1:5432/postgres``); each test session creates its own
database there and drops it at the end.
"""

from __future__ import annotations

import contextlib
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
def _served() -> Iterator[tuple[dict[str, ServeProcess], contextlib.ExitStack]]:
    processes: dict[str, ServeProcess] = {}
    with contextlib.ExitStack() as stack:
        yield processes, stack
        for process in processes.values():
            process.__exit__(None, None, None)
            if process.database is not None:
                process.database.dispose()


@pytest.fixture
def served(
    backend: str,
    _served: tuple[dict[str, ServeProcess], contextlib.ExitStack],
    tmp_path_factory: pytest.TempPathFactory,
) -> ServeProcess:
    """``ordertrack serve`` in its own process on a database of its own (one per backend per
    session), emptied before each test: its embedded worker never touches the ``db`` of other
    tests. Arrange data through its API, or through ``served_db``."""
    processes, stack = _served
    if backend not in processes:
        if backend == "sqlite":
            url = sqlite_url(tmp_path_factory.mktemp("served-sqlite"))
        else:
            server = _postgres_server()
            if not server:
                pytest.skip("PostgreSQL tests are off: set ORDERTRACK_TEST_POSTGRES_URL to a server URL")
            url = stack.enter_context(fresh_postgres_database(server))
        database = migrated_database(url)
        workdir = tmp_path_factory.mktemp(f"serve-{backend}")
        process = ServeProcess(url, workdir, secret=TEST_SECRET, env=SERVED_ENV)
        process.database = database
        processes[backend] = process.__enter__()
    process = processes[backend]
    assert process.database is not None
    wipe(process.database)
    return process


@pytest.fixture
def served_db(served: ServeProcess) -> Database:
    """The database the ``served`` process serves, emptied before the test."""
    assert served.database is not None
    return served.database


@pytest.fixture
def served_client(served: ServeProcess) -> Iterator[httpx.Client]:
    """An HTTP client authenticated as a fresh merchant, talking to ``ordertrack serve``."""
    assert served.database is not None
    with served.database.uow() as uow:
        created = merchants_service.create_merchant(uow, "Acme Outfitters")
        uow.commit()
    tenant = Tenant(created.merchant_id, created.api_key)
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
