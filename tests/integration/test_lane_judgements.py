"""Kept judgements of lanes that got worse (analytics.lane_judgements): what is kept equals what
counting now gives; a stale one is counted again; one merchant never reads another's; the worker
judges again only the merchants whose analytics changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from ordertrack.analytics import figures as f
from ordertrack.analytics import lane_judgements as judgements
from ordertrack.analytics import lanes, rollup, store
from ordertrack.analytics.lane_judgements import LaneJudgement
from ordertrack.analytics.model import AnalyticsCell, AnalyticsShipment
from ordertrack.db.uow import Database
from tests.conftest import Tenant
from tests.integration.test_analytics_store import lane_facts

AS_OF = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def put_facts(db: Database, facts: list[f.DeliveryFacts], at: datetime) -> None:
    """Store the facts as the worker would have folded them: shipment rows and cells."""
    with db.uow() as uow:
        rows = [store._shipment_row(fact, rollup.cell_key(fact), at) for fact in facts]  # type: ignore[arg-type]
        uow.session.execute(AnalyticsShipment.__table__.insert(), rows)
        cells = store.with_coarse(rollup.build(facts))
        tag = facts[0].merchant_id[-8:]
        cell_rows = [
            store._cell_row(key, cell, at) | {"id": f"anc_{tag}{i}"}
            for i, (key, cell) in enumerate(cells.items())
        ]
        uow.session.execute(AnalyticsCell.__table__.insert(), cell_rows)
        uow.commit()


def with_lane_facts(db: Database, make_merchant: Callable[[str], Tenant], name: str) -> str:
    merchant_id = make_merchant(name).merchant_id
    put_facts(db, lane_facts(merchant_id, AS_OF), NOW - timedelta(hours=1))
    return merchant_id


def from_raw_facts(merchant_id: str, window: int) -> list[lanes.LaneAlert]:
    return rollup.lanes_that_got_worse(rollup.build(lane_facts(merchant_id, AS_OF)), AS_OF, window)


def comparable(alerts: list[lanes.LaneAlert]) -> list[tuple[object, ...]]:
    return [(a.lane, a.figure, a.window_days, a.current, a.usual_low, a.usual_high) for a in alerts]


def set_kept(db: Database, merchant_id: str, alerts: str, judged_at: datetime | None = None) -> None:
    values: dict[str, object] = {"alerts": alerts} | ({"judged_at": judged_at} if judged_at else {})
    with db.uow() as uow:
        uow.session.execute(
            update(LaneJudgement).where(LaneJudgement.merchant_id == merchant_id).values(values)
        )
        uow.commit()


def kept_rows(db: Database, merchant_id: str) -> dict[int, tuple[str, datetime]]:
    with db.uow(write=False) as uow:
        rows = uow.session.execute(select(LaneJudgement).where(LaneJudgement.merchant_id == merchant_id))
        return {j.window_days: (j.alerts, j.judged_at) for (j,) in rows}


def test_a_kept_judgement_equals_counting_now_and_the_raw_facts(
    db: Database, make_merchant: Callable[[str], Tenant]
) -> None:
    merchant = with_lane_facts(db, make_merchant, "Kept")
    judged = judgements.judge(db, merchant, AS_OF, NOW)
    for window in judgements.WINDOWS:
        with db.uow(write=False) as uow:
            found = judgements.kept(uow, merchant, AS_OF, window, NOW + timedelta(minutes=1))
            counted = store.lanes_that_got_worse(uow, merchant, AS_OF, window)
        assert found is not None
        alerts, judged_at = found
        assert judged_at == NOW
        assert comparable(alerts) == comparable(counted) == comparable(from_raw_facts(merchant, window))
        assert alerts == judged[window]
    assert any(a.lane[0] == "ups" for a in judged[7])


def test_a_judgement_older_than_its_age_limit_is_counted_again_and_kept(
    db: Database, make_merchant: Callable[[str], Tenant]
) -> None:
    merchant = with_lane_facts(db, make_merchant, "Stale")
    judgements.judge(db, merchant, AS_OF, NOW)
    set_kept(db, merchant, "[]")  # a judgement that says nothing got worse, judged at NOW
    fresh = NOW + judgements.MAX_AGE
    assert judgements.kept_or_counted(db, merchant, AS_OF, 7, fresh) == ([], NOW)
    later = NOW + judgements.MAX_AGE + timedelta(seconds=1)
    with db.uow(write=False) as uow:
        assert judgements.kept(uow, merchant, AS_OF, 7, later) is None
    alerts, judged_at = judgements.kept_or_counted(db, merchant, AS_OF, 7, later)
    assert judged_at == later
    assert comparable(alerts) == comparable(from_raw_facts(merchant, 7)) != []
    assert kept_rows(db, merchant)[7][1] == later
    assert kept_rows(db, merchant)[30] == ("[]", NOW)  # only the window asked for was counted


def test_keeping_a_newer_day_forgets_the_days_before(
    db: Database, make_merchant: Callable[[str], Tenant]
) -> None:
    merchant = with_lane_facts(db, make_merchant, "Days")
    judgements.judge(db, merchant, AS_OF - timedelta(days=1), NOW)
    judgements.judge(db, merchant, AS_OF, NOW)
    with db.uow(write=False) as uow:
        days = set(
            uow.session.scalars(select(LaneJudgement.as_of).where(LaneJudgement.merchant_id == merchant))
        )
    assert days == {AS_OF}


def test_a_merchant_never_reads_another_merchants_judgement(
    db: Database, make_merchant: Callable[[str], Tenant]
) -> None:
    a = with_lane_facts(db, make_merchant, "Alpha")
    b = make_merchant("Beta").merchant_id
    assert judgements.judge(db, a, AS_OF, NOW)[7]
    with db.uow(write=False) as uow:
        assert judgements.kept(uow, b, AS_OF, 7, NOW) is None
    assert judgements.kept_or_counted(db, b, AS_OF, 7, NOW) == ([], NOW)
    assert comparable(judgements.kept_or_counted(db, a, AS_OF, 7, NOW)[0]) == comparable(from_raw_facts(a, 7))


def test_the_worker_judges_again_only_the_merchants_whose_analytics_changed(
    db: Database, make_merchant: Callable[[str], Tenant]
) -> None:
    changed = with_lane_facts(db, make_merchant, "Changed")
    quiet = with_lane_facts(db, make_merchant, "Quiet")
    empty = make_merchant("Empty").merchant_id
    assert judgements.judge_changed(db, NOW) >= 2
    for merchant in (changed, quiet):
        assert {w: judged_at for w, (_, judged_at) in kept_rows(db, merchant).items()} == {7: NOW, 30: NOW}
    assert kept_rows(db, empty) == {}  # no analytics, nothing to judge

    # Nothing changed: the judgements are renewed (still what counting gives), not counted again.
    for merchant in (changed, quiet):
        set_kept(db, merchant, "[]")
    second = NOW + timedelta(minutes=5)
    judgements.judge_changed(db, second)
    assert kept_rows(db, quiet) == {7: ("[]", second), 30: ("[]", second)}
    assert kept_rows(db, changed) == {7: ("[]", second), 30: ("[]", second)}

    # `changed`'s cells are folded again after that (the fold stamps the merchant): only it is
    # counted again.
    with db.uow() as uow:
        store.mark_folded(uow.session, [changed], second + timedelta(minutes=2))
        uow.commit()
    third = NOW + timedelta(minutes=10)
    judgements.judge_changed(db, third)
    assert kept_rows(db, quiet) == {7: ("[]", third), 30: ("[]", third)}
    for window in judgements.WINDOWS:
        alerts, judged_at = kept_rows(db, changed)[window]
        assert judged_at == third
        assert comparable(judgements.decode_alerts(alerts)) == comparable(from_raw_facts(changed, window))
