"""The in-process broadcast: open page streams subscribe to the ids their page shows (an
order's ``ord_…`` and its parcels' ``pcl_…``); a committed change wakes exactly those.

One hub per process. On SQLite the unit of work publishes into it after commit; on
PostgreSQL the process's one listener (:mod:`ordertrack.live.listener`) publishes what
``pg_notify`` delivered, so a change committed by any process reaches every page. An idle
stream costs an entry in a dict and a parked coroutine: no query, no timer of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any


class Wake(Enum):
    """Why :meth:`Subscription.wait` returned."""

    CHANGED = "changed"  # a topic changed, or the hub asked every page to catch up
    TIMEOUT = "timeout"
    CLOSED = "closed"  # the server is stopping


class Subscription:
    """One open page's interest in a few ids; wait() parks until one of them changes."""

    __slots__ = ("_hub", "_event", "topics", "fired", "closed")

    def __init__(self, hub: Hub, topics: frozenset[str]) -> None:
        self._hub = hub
        self._event = asyncio.Event()
        self.topics = topics
        self.fired: set[str] = set()
        self.closed = False

    async def wait(self, timeout: float) -> Wake:
        if not self._event.is_set() and not self.closed:
            try:
                await asyncio.wait_for(self._event.wait(), timeout)
            except TimeoutError:
                return Wake.CLOSED if self.closed else Wake.TIMEOUT
        self._event.clear()
        return Wake.CLOSED if self.closed else Wake.CHANGED

    def take_fired(self) -> set[str]:
        """The topics that changed since the last call (empty after a catch-up request)."""
        fired, self.fired = self.fired, set()
        return fired

    def follow(self, topics: Iterable[str]) -> None:
        """Follow another set of ids (an order gained a parcel)."""
        self._hub._move(self, frozenset(topics))

    def cancel(self) -> None:
        self._hub._remove(self)

    def end(self) -> None:
        """Wake the waiter for good (its client left)."""
        self.closed = True
        self._event.set()

    def _wake(self, topic: str | None) -> None:
        if topic is not None:
            self.fired.add(topic)
        self._event.set()


class Hub:
    """Subscriptions by topic, woken from the event loop that serves them (thread-safe publish)."""

    def __init__(self) -> None:
        self._by_topic: dict[str, set[Subscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()  # guards _loop only: _by_topic is touched on the loop
        self.closing = False

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Serve subscriptions on ``loop`` (the app's; done in the lifespan)."""
        with self._lock:
            self._loop = loop
            self.closing = False

    @property
    def attached(self) -> bool:
        return self._loop is not None and not self._loop.is_closed()

    @property
    def subscriptions(self) -> int:
        return len({s for subs in self._by_topic.values() for s in subs})

    def subscribe(self, topics: Iterable[str]) -> Subscription:
        """Called on the hub's loop."""
        subscription = Subscription(self, frozenset(topics))
        if self.closing:
            subscription.closed = True
        for topic in subscription.topics:
            self._by_topic.setdefault(topic, set()).add(subscription)
        return subscription

    def publish(self, topics: Iterable[str]) -> None:
        """Wake the subscribers of ``topics``; callable from any thread (after a commit)."""
        self._on_loop(self._deliver, frozenset(topics))

    def resync(self) -> None:
        """Wake every subscriber: changes may have been missed (the listener reconnected)."""
        self._on_loop(self._wake_all, None)

    def close(self) -> None:
        """End every stream: the server is stopping."""
        self.closing = True
        self._on_loop(self._wake_all, True)

    def _on_loop(self, call: Callable[[Any], None], argument: Any) -> None:
        with self._lock:
            loop = self._loop
        if loop is None or loop.is_closed():
            return  # nobody listens in this process (a CLI command, a test without a server)
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            call(argument)
        else:
            # RuntimeError: the loop closed in between, the server has stopped.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(call, argument)

    def _deliver(self, topics: frozenset[str]) -> None:
        for topic in topics:
            for subscription in self._by_topic.get(topic, ()):
                subscription._wake(topic)

    def _wake_all(self, closing: bool | None) -> None:
        for subs in list(self._by_topic.values()):
            for subscription in subs:
                if closing:
                    subscription.closed = True
                subscription._wake(None)

    def _move(self, subscription: Subscription, topics: frozenset[str]) -> None:
        self._remove(subscription)
        subscription.topics = topics
        for topic in topics:
            self._by_topic.setdefault(topic, set()).add(subscription)

    def _remove(self, subscription: Subscription) -> None:
        for topic in subscription.topics:
            subs = self._by_topic.get(topic)
            if subs is not None:
                subs.discard(subscription)
                if not subs:
                    del self._by_topic[topic]
