"""The in-process hub: a page's stream wakes for the ids it follows and for nothing else."""

from __future__ import annotations

import asyncio
import threading

from ordertrack.live.hub import Hub, Wake
from ordertrack.live.listener import PAYLOAD_LIMIT, payloads


def run(body):  # type: ignore[no-untyped-def]
    async def main():  # type: ignore[no-untyped-def]
        hub = Hub()
        hub.attach(asyncio.get_running_loop())
        return await body(hub)

    return asyncio.run(main())


def test_a_change_wakes_the_pages_that_follow_it_and_no_other() -> None:
    async def body(hub: Hub) -> tuple[Wake, set[str], Wake]:
        order_page = hub.subscribe({"ord_1", "pcl_1"})
        other_page = hub.subscribe({"ord_2", "pcl_2"})
        hub.publish({"pcl_1"})
        return await order_page.wait(1), order_page.take_fired(), await other_page.wait(0.05)

    assert run(body) == (Wake.CHANGED, {"pcl_1"}, Wake.TIMEOUT)


def test_changes_published_from_another_thread_reach_the_loop() -> None:
    async def body(hub: Hub) -> Wake:
        page = hub.subscribe({"pcl_1"})
        threading.Thread(target=hub.publish, args=({"pcl_1"},)).start()
        return await page.wait(2)

    assert run(body) is Wake.CHANGED


def test_changes_while_a_page_was_busy_are_told_once() -> None:
    async def body(hub: Hub) -> tuple[Wake, Wake]:
        page = hub.subscribe({"pcl_1", "pcl_2"})
        hub.publish({"pcl_1"})
        hub.publish({"pcl_2"})
        return await page.wait(1), await page.wait(0.05)

    assert run(body) == (Wake.CHANGED, Wake.TIMEOUT)


def test_a_page_that_follows_new_ids_forgets_the_old_ones() -> None:
    async def body(hub: Hub) -> tuple[Wake, Wake, int]:
        page = hub.subscribe({"ord_1"})
        page.follow({"ord_1", "pcl_9"})
        hub.publish({"pcl_9"})
        woken = await page.wait(1)
        page.follow({"pcl_10"})
        hub.publish({"ord_1"})
        missed = await page.wait(0.05)
        page.cancel()
        return woken, missed, hub.subscriptions

    assert run(body) == (Wake.CHANGED, Wake.TIMEOUT, 0)


def test_resync_wakes_every_page_and_close_ends_them() -> None:
    async def body(hub: Hub) -> tuple[Wake, Wake, Wake]:
        first, second = hub.subscribe({"pcl_1"}), hub.subscribe({"pcl_2"})
        hub.resync()
        woken = await first.wait(1)
        hub.close()
        late = hub.subscribe({"pcl_3"})
        return woken, await second.wait(1), await late.wait(1)

    assert run(body) == (Wake.CHANGED, Wake.CLOSED, Wake.CLOSED)


def test_a_hub_without_a_loop_drops_changes_quietly() -> None:
    Hub().publish({"pcl_1"})  # a CLI command commits with no page open in its process


def test_notification_payloads_stay_under_postgres_limit_and_keep_every_id() -> None:
    ids = {f"pcl_{n:026d}" for n in range(2_000)}
    chunks = payloads(ids)
    assert len(chunks) > 1
    assert all(len(chunk.encode()) < PAYLOAD_LIMIT + 1 for chunk in chunks)
    assert {one for chunk in chunks for one in chunk.split(",")} == ids
