"""The embedded worker's fold shares the server's interpreter: it folds the queue in slices and
rests between them so it takes at most its share of the time; a worker process of its own folds
flat out."""

from __future__ import annotations

from typing import Any

import pytest

from ordertrack.analytics import store
from ordertrack.config import Settings
from ordertrack.kit.clock import utcnow
from ordertrack.worker import jobs


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_embedded_fold_rests_nine_times_what_each_slice_took(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    queued = [jobs.EMBEDDED_FOLD_SLICE] * 3 + [4]
    asked: list[int] = []

    def refresh_due(db: Any, limit: int) -> int:
        asked.append(limit)
        clock.now += 0.05  # each slice takes 50 ms
        return queued.pop(0)

    monkeypatch.setattr(store, "refresh_due", refresh_due)
    monkeypatch.setattr(jobs.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(jobs.time, "sleep", clock.sleep)
    folded = jobs.fold_analytics_sharing(None, Settings(), utcnow())  # type: ignore[arg-type]
    assert folded == 3 * jobs.EMBEDDED_FOLD_SLICE + 4
    assert asked == [jobs.EMBEDDED_FOLD_SLICE] * 4
    assert clock.slept == pytest.approx([0.45] * 3)  # 10% of the time: 50 ms folding, 450 ms resting
    busy = 0.05 * len(asked)
    assert busy / clock.now == pytest.approx(0.05 * 4 / (0.05 * 4 + 0.45 * 3))


def test_the_embedded_fold_stops_after_its_seconds_and_serve_uses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()

    def refresh_due(db: Any, limit: int) -> int:
        clock.now += 0.5
        return limit  # an endless queue

    monkeypatch.setattr(store, "refresh_due", refresh_due)
    monkeypatch.setattr(jobs.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(jobs.time, "sleep", clock.sleep)
    jobs.fold_analytics_sharing(None, Settings(), utcnow())  # type: ignore[arg-type]
    assert jobs.EMBEDDED_FOLD_SECONDS < clock.now <= jobs.EMBEDDED_FOLD_SECONDS + 5.0
    by_name = {job.name: job for job in jobs.EMBEDDED_JOBS}
    assert by_name["fold_analytics"].run is jobs.fold_analytics_sharing
    assert [job.name for job in jobs.EMBEDDED_JOBS] == [job.name for job in jobs.JOBS]
    assert {job.name: job.run for job in jobs.JOBS}["fold_analytics"] is jobs.fold_analytics
