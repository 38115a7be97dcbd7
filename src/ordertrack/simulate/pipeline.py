"""A simulated stream made and read in child processes, for the bulk loader.

Generating the records, reading them (``bulk.prepare``: schemas, scan checks, dedupe keys)
and playing them against the database each cost about as much Python CPU. Here the
generator runs in one child process and deals batches of records in turn to ``readers``
more, which read them; the caller gets the prepared items back in stream order and plays
them while the next ones are made, so the stages share the cores instead of taking turns.

Each reader remembers the carrier event ids it has read; a repeat that another reader saw
first is read again and then dropped by the loader as a duplicate (same dedupe key), so the
stored rows are the same as with one reader.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from typing import Any

from ordertrack.simulate import bulk
from ordertrack.simulate.generator import SimConfig, generate
from ordertrack.simulate.records import Record

RECORDS_PER_BATCH = 2000
# Per reader, each way. While the loader writes a chunk (PostgreSQL busy, the loader waiting
# on it), the children go on making the next one into these queues: they hold about half a
# chunk of 50,000 orders, ~1 GB more memory across the processes.
QUEUED_BATCHES = 64


def prepared(config: SimConfig, merchant_id: str, *, readers: int = 2) -> Iterator[bulk.Prepared]:
    """``bulk.prepare(merchant_id, generate(config))``, with the work spread over processes.

    Where processes cannot be forked (not Linux), everything runs here, in turn.
    """
    if readers < 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from bulk.prepare(merchant_id, generate(config))
        return
    context = multiprocessing.get_context("fork")
    inputs = [context.Queue(maxsize=QUEUED_BATCHES) for _ in range(readers)]
    outputs = [context.Queue(maxsize=QUEUED_BATCHES) for _ in range(readers)]
    children = [context.Process(target=_generate, args=(config, inputs), daemon=True)]
    children += [
        context.Process(target=_read, args=(merchant_id, into, out), daemon=True)
        for into, out in zip(inputs, outputs, strict=True)
    ]
    for child in children:
        child.start()
    finished = False
    try:
        turn = 0
        while (batch := outputs[turn % readers].get()) is not None:
            yield from batch
            turn += 1
        finished = True
    finally:
        # Stopped early (a time budget, an error in the loader), the children are blocked on
        # full queues: they are ended rather than drained.
        for child in children:
            if not finished:
                child.terminate()
            child.join(timeout=5)


def _generate(config: SimConfig, outs: list[Any]) -> None:
    batch: list[Record] = []
    turn = 0
    for record in generate(config):
        batch.append(record)
        if len(batch) >= RECORDS_PER_BATCH:
            outs[turn % len(outs)].put(batch)
            batch, turn = [], turn + 1
    outs[turn % len(outs)].put(batch)
    for out in outs:
        out.put(None)


def _read(merchant_id: str, into: Any, out: Any) -> None:
    while (batch := into.get()) is not None:
        out.put(list(bulk.prepare(merchant_id, batch)))
    out.put(None)


__all__ = ["prepared"]
