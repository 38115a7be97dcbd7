"""For bench/analytics.py: the worker's analytics job alone, in its own process (``main``), the API
app with the analytics handlers taken out of the handler table (rollups off), and the API app with
the job in a thread of its own process (as ``serve``'s embedded worker)."""

from __future__ import annotations

import signal
import sys
import threading

from fastapi import FastAPI

from ordertrack import handlers
from ordertrack.analytics import handlers as analytics_handlers
from ordertrack.api.app import create_app
from ordertrack.bootstrap import open_database
from ordertrack.config import Settings
from ordertrack.kit import collector
from ordertrack.worker import jobs


def create_app_without_rollups() -> FastAPI:
    """The API with no analytics handler: nothing is queued for the cells."""
    ours = {analytics_handlers.mark_shipments_due, analytics_handlers.mark_cancelled_orders_due}
    for event_type, chain in list(handlers.HANDLERS.items()):
        handlers.HANDLERS[event_type] = tuple(h for h in chain if h not in ours)
    return create_app(server=True)


def create_app_with_embedded_fold() -> FastAPI:
    """The API with the fold job in a thread of the same process, as ``ordertrack serve`` runs its
    embedded worker (sharing the interpreter with the requests)."""
    app = create_app(server=True)
    settings = Settings()
    fold = next(job for job in jobs.EMBEDDED_JOBS if job.name == "fold_analytics")
    jobs.start_in_thread(open_database(settings.database_url), settings, tick_seconds=5.0, jobs=(fold,))
    return app


def main(url: str) -> None:
    """Run ``fold_analytics`` every 5 s (the worker's tick) until terminated."""
    db = open_database(url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    fold = next(job for job in jobs.JOBS if job.name == "fold_analytics")
    collector.settle()  # as `ordertrack worker` does once started
    jobs.run_forever(db, Settings(database_url=url), stop, tick_seconds=5.0, jobs=(fold,))
    db.dispose()


if __name__ == "__main__":
    main(sys.argv[1])
