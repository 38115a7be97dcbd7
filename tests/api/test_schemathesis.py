"""Property-based run of the whole API from its own OpenAPI document.

Schemathesis reads /openapi.json from a live server and sends every operation generated
valid and invalid requests over HTTP, and runs every check it has (``--checks all``): no
5xx; every answer of the documented status, content type, headers and schema; invalid data
refused and valid data accepted; ``405`` with ``Allow`` for undeclared methods; ``OPTIONS``
naming every method; the API key required. Bounded (a fixed number of examples per
operation) to keep the suite fast.

A few rules span a request's parts in ways OpenAPI cannot say, so a request the document
allows can still be refused with a 422 naming the rule; for those operations (and only
those) the check that valid data is accepted is left out. Each has its reason below and in
docs/api.md.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from tests.conftest import Tenant
from tests.support import LiveServer

checks.load_all_checks()
CHECKS = list(checks.CHECKS.get_all())

# Operation -> why a request the document allows may still be refused (422).
BEYOND_OPENAPI = {
    "GET /api/v1/notifications/templates/{trigger}/{channel}/{locale}": (
        "staff alerts have no SMS template: a rule across two path parameters"
    ),
    "PUT /api/v1/notifications/templates/{trigger}/{channel}/{locale}": (
        "an email template needs subject and HTML, an SMS one must have neither: the body's "
        "shape depends on a path parameter; and a template must render in the sandbox"
    ),
    "GET /api/v1/availability": (
        "the SKU must be one of the merchant's catalog, the code a country with a clock of its own"
        " (not ZZ or EU) and a warehouse one of the merchant's: all depend on data the document cannot list"
    ),
    "PUT /api/v1/notifications/settings": (
        "staff alerts and webhook-only events (rating.created) have no SMS: a rule across two fields"
    ),
    "POST /api/v1/notifications/webhook-endpoints": (
        "the URL's host must resolve to public addresses only, which depends on DNS"
    ),
    "POST /api/v1/orders/{order_ref}/shipments": (
        "parcels need distinct tracking numbers and their contents must add up to the lines"
    ),
    "POST /api/v1/tracking/events": (
        "any item is taken and a bad one reported, but a batch with no readable event is 422; and a"
        " scan dated before 1990 or more than a day ahead of the server's clock is implausible"
    ),
    "POST /api/v1/warehouses": (
        "a warehouse's address.name, when given, repeats the warehouse's name: a rule across two fields"
    ),
    "POST /api/v1/stock/{warehouse}/{sku}/adjustments": (
        "a level holds at most 2,147,483,647 units: whether a delta fits depends on the level now"
    ),
    "POST /api/v1/stock/{warehouse}/{sku}/receipts": (
        "a level holds at most 2,147,483,647 units: whether a receipt fits depends on the level now"
    ),
    "PUT /api/v1/settings/store-contact": (
        "the support phone must be a number in its country's numbering plan (libphonenumber's"
        " data), which no pattern can say; its shape (E.164) is declared"
    ),
    "PUT /api/v1/settings/map-tiles": (
        "a tile URL template must be https on a plain host and hold {z}, {x} and {y} once each, in"
        " any order, and it needs the credit line beside it: a rule across two fields"
    ),
    "POST /api/v1/suppliers": (
        "a supplier's address.name, when given, repeats its name; its holiday subdivision must be one of"
        " its holiday country's; and its phone must be in its country's numbering plan (libphonenumber)"
    ),
    "PUT /api/v1/suppliers/{supplier_id}": (
        "the same rules as creating a supplier: name and address.name, subdivision and country, the"
        " phone's numbering plan"
    ),
    "PUT /api/v1/suppliers/{supplier_id}/skus/{sku}": (
        "the SKU must be a product of the merchant's catalog (422 unknown_sku), which depends on the data"
    ),
    "POST /api/v1/purchase-orders": (
        "the supplier, the warehouse and every SKU must exist (422 unknown_supplier, unknown_warehouse,"
        " unknown_sku), promised dates may not be before the supplier's today nor arrive before they"
        " ship, and a line without a cost needs the supplier's cost for its SKU in the order's currency"
    ),
    "POST /api/v1/purchase-orders/{po_ref}/confirm": (
        "confirmed lines must name lines of the order, and promised dates may not be before the"
        " supplier's today nor arrive before they ship"
    ),
    "GET /api/v1/reorder-suggestions": (
        "a warehouse or supplier filter must name one of the merchant's (422 unknown_warehouse,"
        " unknown_supplier), which depends on the data"
    ),
    "POST /api/v1/reorder-suggestions/draft-purchase-orders": (
        "each item's warehouse must exist and a supplier must have terms for its SKU (422"
        " unknown_warehouse, no_supplier_for_sku), and without a quantity there must be one to suggest"
    ),
    "POST /api/v1/purchase-orders/{po_ref}/inbound-shipments": (
        "a notice's lines must name lines of the order, its tracking numbers must be distinct and"
        " fit their carrier's form and check digit (or one carrier's, when none is named), and its"
        " expected arrival may not be before the supplier's today"
    ),
    "POST /api/v1/purchase-orders/{po_ref}/inbound-shipments/csv": (
        "the file's text must be CSV with the notice columns, each row a line of the order with"
        " valid tracking numbers and dates: the same rules as a notice, inside a string"
    ),
    "POST /api/v1/inbound-shipments/{ref}/receipts": (
        "each counted line must be a line (or a SKU on one line) of the notice, count at least one"
        " unit, and its photo's bytes must be a JPEG, PNG or WebP of at most 5 MB"
    ),
    "POST /api/v1/purchase-orders/{ref}/receipts": (
        "the same rules as counting a notice in, against the order's lines; and the order must have been sent"
    ),
    "GET /api/v1/analytics/delivery": (
        "from and to must be calendar days (not 2026-02-30), from not after to and at most 400 days"
        " apart: rules across two parameters (422 invalid_date, range_reversed, range_too_long)"
    ),
    "GET /api/v1/analytics/lanes": "as_of must be a calendar day (422 invalid_date), not only of its form",
    "GET /api/v1/ratings/summary": (
        "from and to must be calendar days (not 2026-02-30), from not after to and at most 400 days"
        " apart: rules across two parameters (422 invalid_period)"
    ),
    "GET /api/v1/analytics/lanes/shipments": (
        "as_of must be a calendar day (422 invalid_date), and the carrier not blank after trimming"
    ),
    "POST /api/v1/contacts": (
        "the order must be one of the merchant's (an id, number or tracking number: 422 unknown_order)"
        " and the contact not in the future (422 occurred_in_future), which depend on the data and the clock"
    ),
    "POST /api/v1/contacts/csv": (
        "the file's text must be CSV with the contact columns, each row naming an order of the merchant:"
        " the same rules as one contact, inside a string"
    ),
    "PUT /api/v1/carriers/{carrier}/account": (
        "base_url is still declared (deprecated) so old clients learn why it is refused, and the"
        " sandbox environment exists for some carriers only (a path and a body field together)"
    ),
}


def checks_for(label: str) -> list:
    if label in BEYOND_OPENAPI:
        return [check for check in CHECKS if check is not checks.positive_data_acceptance]
    return CHECKS


@pytest.fixture
def api_schema(server: LiveServer, make_merchant: Callable[[str], Tenant], request: pytest.FixtureRequest):
    """The API's own OpenAPI document, fetched over HTTP from the live server."""
    tenant = make_merchant("Fuzzed Shop")
    loaded = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")
    # The key as configuration (like ``st run -H``), so schemathesis knows every request carries
    # it and tests leaving it out as its own case (ignored_auth, missing_required_header).
    loaded.config.update(headers={"Authorization": f"Bearer {tenant.api_key}"})
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_no_operation_errors_or_breaks_its_documented_schema(case) -> None:
    case.call_and_validate(checks=checks_for(case.operation.label))
