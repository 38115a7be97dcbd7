"""Python's cycle collector, set for a long-running server or worker (docs/performance.md, "The
cycle collector in a server").

A server process holds a few hundred thousand long-lived objects once it has started (modules,
the app's routes, SQLAlchemy's mappers and statement cache). With the default settings a full
collection walks all of them every so often, and the request that happens to allocate at that
moment waits for it: tens of milliseconds on an answer that reads thousands of rows, which is
what decides its p99. After start-up the objects alive are frozen out of the collector's view
(``gc.freeze``), and young collections run every few thousand allocations rather than 700.
Cycles are still collected; only what start-up built is no longer walked.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

# Allocations (less deallocations) between young collections; the older generations keep
# Python's defaults.
YOUNG_THRESHOLD = 7_000


def settle() -> None:
    """Collect what start-up left behind, freeze what remains, and space young collections out."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


_pauses = 0
_resume = False
_lock = threading.Lock()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cycle collection while the block runs: for an answer that builds a million short-lived
    objects with no cycles among them (the CSV of every lane: parsed counts, sums, rows), which
    reference counting frees as it goes, and which would otherwise set off collections that walk
    them, full ones included, in the middle of the answer. Blocks may overlap (threads); the
    collector runs again when the last one ends, if it ran before the first began."""
    global _pauses, _resume
    with _lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
