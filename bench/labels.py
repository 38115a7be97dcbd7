"""Labels/s, CPU only: the 4x6 PDF one at a time and 200 to a batch, and the ZPL label.

No database and no server: ``documents/`` renders from plain data, so this is the cost of
drawing alone, in this process, on one core (one thread).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ordertrack.documents.batch import render_batch_pdf
from ordertrack.documents.label import render_label_pdf
from ordertrack.documents.model import Address, LabelData
from ordertrack.documents.zpl import render_label_zpl

from cpu import cpu_use
from plan import Plan

BATCH = 200

LABEL = LabelData(
    merchant_name="Northwind Coffee Roasters",
    ship_from=Address(
        name="Northwind Coffee Roasters",
        line1="2200 W Fulton St",
        line2="Dock 4",
        city="Chicago",
        region="IL",
        postal_code="60612",
        country="US",
    ),
    ship_to=Address(
        name="Margaret Okonkwo-Hansen",
        line1="1450 Brickell Bay Dr",
        line2="Apt 2207",
        city="Miami",
        region="FL",
        postal_code="33131",
        country="US",
    ),
    carrier="ups",
    service="UPS Ground",
    weight_grams=2350,
    parcel_index=1,
    parcel_count=2,
    tracking_number="1Z5R89390357567127",
    tracking_url="http://127.0.0.1:8000/track/x.y",
    order_number="NW-104233",
)


def _labels(count: int) -> list[LabelData]:
    """``count`` labels differing in order number and parcel, as a day's batch would."""
    return [replace(LABEL, order_number=f"NW-{104233 + i}", parcel_index=1 + i % 2) for i in range(count)]


def _timed_loop(seconds: float, labels_per_call: int, call: Callable[[int], int]) -> dict[str, Any]:
    """Call ``call(i)`` until ``seconds`` have passed (at least once); labels/s and bytes."""
    calls = 0
    size = 0
    with cpu_use(None) as cpu:
        started = time.perf_counter()
        while True:
            size = call(calls)
            calls += 1
            elapsed = time.perf_counter() - started
            if elapsed >= seconds:
                break
    labels = calls * labels_per_call
    return {
        "seconds": round(elapsed, 2),
        "labels": labels,
        "labels_per_s": round(labels / elapsed, 1),
        "ms_per_label": round(elapsed * 1000 / labels, 3),
        "bytes_per_call": size,
        "cpu_cores": cpu.as_dict(),
    }


def measure(plan: Plan) -> dict[str, Any]:
    singles = _labels(BATCH)
    batch = _labels(BATCH)
    render_label_pdf(LABEL), render_label_zpl(LABEL), render_batch_pdf(batch[:5])  # imports, font caches
    return {
        "tracking_number": LABEL.tracking_number,
        "tracking_url": LABEL.tracking_url,
        "pdf_single": _timed_loop(plan.label_seconds, 1, lambda i: len(render_label_pdf(singles[i % BATCH]))),
        "pdf_batch": {
            "labels_per_batch": BATCH,
            **_timed_loop(plan.label_seconds, BATCH, lambda i: len(render_batch_pdf(batch))),
        },
        "zpl": _timed_loop(plan.label_seconds, 1, lambda i: len(render_label_zpl(singles[i % BATCH]))),
    }
