"""Property-based run of the whole API from its own OpenAPI document.

Schemathesis reads /openapi.json from a live server and sends every operation generated
valid and invalid requests over HTTP: none may answer 5xx, and every answer must match the
documented status codes, content type and schema. Bounded (a fixed number of examples per
operation) to keep the suite fast.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from tests.conftest import Tenant
from tests.support import LiveServer

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def api_schema(server: LiveServer, make_merchant: Callable[[str], Tenant], request: pytest.FixtureRequest):
    """The API's own OpenAPI document, fetched over HTTP from the live server."""
    request.node.tenant = make_merchant("Fuzzed Shop")
    return schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_no_operation_errors_or_breaks_its_documented_schema(case, request: pytest.FixtureRequest) -> None:
    tenant: Tenant = request.node.tenant
    case.call_and_validate(headers={"Authorization": f"Bearer {tenant.api_key}"}, checks=CHECKS)
