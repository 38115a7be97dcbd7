"""GET /api/v1/analytics/lanes answers from the kept judgement and says when it was judged: the
first question counts and keeps it, the next ones read it; another merchant's key never sees it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from tests.conftest import Tenant
from tests.integration.test_lane_judgements import AS_OF, NOW, from_raw_facts, lane_facts, put_facts, set_kept
from tests.support import LiveServer


def lanes_of(server: LiveServer, tenant: Tenant, window: int) -> httpx.Response:
    return httpx.get(
        f"{server.base_url}/api/v1/analytics/lanes?window={window}&as_of={AS_OF}",
        headers={"Authorization": f"Bearer {tenant.api_key}"},
        timeout=30,
    )


def test_lanes_answer_from_the_kept_judgement_and_say_when_it_was_judged(
    db: Database, server: LiveServer, make_merchant: Callable[[str], Tenant]
) -> None:
    a, b = make_merchant("Alpha"), make_merchant("Beta")
    put_facts(db, lane_facts(a.merchant_id, AS_OF), NOW)
    before = utcnow()
    first = lanes_of(server, a, 7)
    assert first.status_code == 200, first.text
    body = first.json()
    judged_at = datetime.fromisoformat(body["judged_at"])
    assert before <= judged_at <= utcnow()
    expected = [(x.lane[0], x.figure, x.current) for x in from_raw_facts(a.merchant_id, 7)]
    assert [(x["lane"]["carrier"], x["figure"], x["current"]) for x in body["lanes"]] == expected != []

    # What the next question gets is the judgement kept, not a new count: plant an empty one.
    set_kept(db, a.merchant_id, "[]")
    again = lanes_of(server, a, 7).json()
    assert again["lanes"] == [] and again["judged_at"] == body["judged_at"]

    # A judgement older than 15 minutes is counted again.
    set_kept(db, a.merchant_id, "[]", judged_at=utcnow() - timedelta(minutes=16))
    recounted = lanes_of(server, a, 7).json()
    assert recounted["lanes"] == body["lanes"] and recounted["judged_at"] > body["judged_at"]

    theirs = lanes_of(server, b, 7).json()
    assert theirs["lanes"] == [] and datetime.fromisoformat(theirs["judged_at"]) >= before
