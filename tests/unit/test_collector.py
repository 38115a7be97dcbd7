"""The cycle collector as a server process sets it once started (kit.collector)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ordertrack.api.app import create_app
from ordertrack.config import Settings
from ordertrack.kit import collector


@pytest.fixture
def restored() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settling_freezes_what_start_up_built_and_spaces_young_collections(restored: None) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    _, middle, old = gc.get_threshold()
    collector.settle()
    assert gc.get_freeze_count() > 1000
    assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, middle, old)


def test_a_served_app_settles_the_collector_once_started_and_a_test_app_does_not(
    restored: None, tmp_path
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ot.db'}", var_dir=tmp_path)
    gc.unfreeze()
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() == 0
    with TestClient(create_app(settings, server=True)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 1000
        assert gc.get_threshold()[0] == collector.YOUNG_THRESHOLD


def test_a_paused_block_runs_without_collection_and_the_last_block_to_end_resumes_it() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():  # another answer at the same time
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_leaves_a_collector_that_was_off_off() -> None:
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_pause_ends_when_its_block_raises() -> None:
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("the answer failed")
    assert gc.isenabled()
