"""Lanes that got worse, judged on a schedule and kept, as a merchant expects of an alert.

Counting a judgement exactly reads every delivery of the window and the 8 weeks before (about
670,000 rows at a million shipments, 1 to 2 s on PostgreSQL), and it cannot be rolled up because
its spans are anchored at ``as_of``. So the worker judges today's lanes of every merchant whose
analytics changed (``judge_lanes``) and keeps the alerts here; the API and the dashboard read the
kept judgement (``kept``) and count only when none is fresh enough (docs/analytics.md, "Lanes that
got worse"; docs/performance.md, "Delivery analytics rollups (issue 22)").
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey, Integer, String, Text, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.analytics import lanes, store
from ordertrack.analytics.model import AnalyticsCell, AnalyticsFold
from ordertrack.db.base import Base
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.merchants.model import Merchant

WINDOWS = (7, 30)
# A kept judgement older than this is counted again when asked for. The worker renews every
# merchant's judgement every 5 minutes, so a judgement older than 15 has missed two runs (the
# worker is down or behind): the page then counts for itself rather than show an alert of the past.
MAX_AGE = timedelta(minutes=15)
# A fold stamps its cells with the instant it began and commits a moment later: cells stamped this
# long before a judgement may not have been visible to it, so they count as changed after it.
FOLD_SLACK = timedelta(minutes=1)


class LaneJudgement(Base):
    """The lanes that got worse over one window ending ``as_of``, as judged at ``judged_at``:
    the ``lanes.LaneAlert``s as JSON, without the shipments behind them (those are listed on demand)."""

    __tablename__ = "analytics_lane_judgements"

    merchant_id: Mapped[str] = mapped_column(String(32), ForeignKey("merchants.id"), primary_key=True)
    as_of: Mapped[date] = mapped_column(primary_key=True)
    window_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    judged_at: Mapped[datetime]
    alerts: Mapped[str] = mapped_column(Text)


def encode_alerts(alerts: Sequence[lanes.LaneAlert]) -> str:
    return json.dumps(
        [
            {
                "lane": list(a.lane),
                "figure": a.figure,
                "window_days": a.window_days,
                "current": a.current,
                "usual_low": a.usual_low,
                "usual_high": a.usual_high,
            }
            for a in alerts
        ],
        separators=(",", ":"),
    )


def decode_alerts(text: str) -> list[lanes.LaneAlert]:
    return [
        lanes.LaneAlert(
            tuple(a["lane"]),  # type: ignore[arg-type]
            a["figure"],
            a["window_days"],
            a["current"],
            a["usual_low"],
            a["usual_high"],
        )
        for a in json.loads(text)
    ]


def count(
    uow: UnitOfWork, merchant_id: str, as_of: date, windows: Sequence[int] = WINDOWS
) -> dict[int, list[lanes.LaneAlert]]:
    """The judgement counted now from the stored facts (``store.lanes_that_got_worse``)."""
    return {w: _without_ids(store.lanes_that_got_worse(uow, merchant_id, as_of, w)) for w in windows}


def keep(
    uow: UnitOfWork,
    merchant_id: str,
    as_of: date,
    judged: Mapping[int, Sequence[lanes.LaneAlert]],
    at: datetime,
) -> None:
    """Keep these windows' judgement (replacing one of the same day and window) and forget the
    merchant's judgements of earlier days. ``at``: when the facts it was counted from were read."""
    rows = [
        {
            "merchant_id": merchant_id,
            "as_of": as_of,
            "window_days": window,
            "judged_at": at,
            "alerts": encode_alerts(alerts),
        }
        for window, alerts in sorted(judged.items())
    ]
    if not rows:
        return
    dialect = postgresql if uow.session.connection().dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(LaneJudgement).values(rows)
    # Two counts of the same day may finish together (two page views, or a page and the worker):
    # the later reading wins, never an error.
    upsert = upsert.on_conflict_do_update(
        index_elements=["merchant_id", "as_of", "window_days"],
        set_={"judged_at": upsert.excluded.judged_at, "alerts": upsert.excluded.alerts},
        where=LaneJudgement.judged_at <= upsert.excluded.judged_at,
    )
    uow.session.execute(upsert)
    uow.session.execute(
        delete(LaneJudgement).where(LaneJudgement.merchant_id == merchant_id, LaneJudgement.as_of < as_of)
    )


def judge(
    db: Database, merchant_id: str, as_of: date, now: datetime, windows: Sequence[int] = WINDOWS
) -> dict[int, list[lanes.LaneAlert]]:
    """Count the windows' lanes that got worse ending ``as_of`` and keep them, judged at ``now``
    (taken before the facts are read, so a fold committed while counting is seen as a change)."""
    with db.uow(write=False) as uow:
        judged = count(uow, merchant_id, as_of, windows)
    with db.uow() as uow:
        keep(uow, merchant_id, as_of, judged, now)
        uow.commit()
    return judged


def kept(
    uow: UnitOfWork, merchant_id: str, as_of: date, window: int, now: datetime
) -> tuple[list[lanes.LaneAlert], datetime] | None:
    """The kept judgement of this window ending ``as_of`` and when it was judged, if no older
    than ``MAX_AGE``; else None."""
    row = uow.session.execute(
        select(LaneJudgement.alerts, LaneJudgement.judged_at).where(
            LaneJudgement.merchant_id == merchant_id,
            LaneJudgement.as_of == as_of,
            LaneJudgement.window_days == window,
            LaneJudgement.judged_at >= now - MAX_AGE,
        )
    ).first()
    if row is None:
        return None
    return decode_alerts(row.alerts), row.judged_at


def kept_or_counted(
    db: Database, merchant_id: str, as_of: date, window: int, now: datetime
) -> tuple[list[lanes.LaneAlert], datetime]:
    """The kept judgement when fresh enough; else counted now and kept, in a write transaction
    of its own (the reading one stays read-only)."""
    with db.uow(write=False) as uow:
        found = kept(uow, merchant_id, as_of, window, now)
    if found is not None:
        return found
    return judge(db, merchant_id, as_of, now, (window,))[window], now


# --- the worker's round -------------------------------------------------------------------------------------


def last_judged(uow: UnitOfWork, merchant_id: str, as_of: date) -> datetime | None:
    """When both windows ending ``as_of`` were last judged (the older of the two), if both were."""
    judged, windows = uow.session.execute(
        select(func.min(LaneJudgement.judged_at), func.count()).where(
            LaneJudgement.merchant_id == merchant_id,
            LaneJudgement.as_of == as_of,
            LaneJudgement.window_days.in_(WINDOWS),
        )
    ).one()
    return judged if windows == len(WINDOWS) else None


def changed_since(uow: UnitOfWork, merchant_id: str, since: datetime) -> bool:
    """Whether the merchant's cells changed (a fold or a rebuild, ``AnalyticsFold``) after
    ``since``: one row read."""
    chosen = select(AnalyticsFold.folded_at).where(AnalyticsFold.merchant_id == merchant_id)
    folded = uow.session.scalar(chosen)
    return folded is not None and folded > since - FOLD_SLACK


def merchants_with_analytics(uow: UnitOfWork) -> list[str]:
    has_cells = exists().where(AnalyticsCell.merchant_id == Merchant.id)
    return list(uow.session.scalars(select(Merchant.id).where(has_cells).order_by(Merchant.id)))


def renew(uow: UnitOfWork, merchant_id: str, as_of: date, now: datetime) -> None:
    """Nothing the judgement reads changed since it was judged: it is still what counting now gives."""
    uow.session.execute(
        update(LaneJudgement)
        .where(LaneJudgement.merchant_id == merchant_id, LaneJudgement.as_of == as_of)
        .values(judged_at=now)
    )


def judge_changed(db: Database, now: datetime) -> int:
    """Judge today's (UTC) lanes of each merchant whose analytics changed since its last judgement,
    one merchant per transaction; renew the others' judgements. How many were judged."""
    as_of = now.date()
    with db.uow(write=False) as uow:
        merchants = merchants_with_analytics(uow)
    judged = 0
    for merchant_id in merchants:
        with db.uow() as uow:
            since = last_judged(uow, merchant_id, as_of)
            if since is not None and not changed_since(uow, merchant_id, since):
                renew(uow, merchant_id, as_of, now)
                uow.commit()
                continue
        judge(db, merchant_id, as_of, now)
        judged += 1
    return judged


def _without_ids(alerts: Sequence[lanes.LaneAlert]) -> list[lanes.LaneAlert]:
    return [
        lanes.LaneAlert(a.lane, a.figure, a.window_days, a.current, a.usual_low, a.usual_high) for a in alerts
    ]
