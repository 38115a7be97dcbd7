"""The database handle and the unit of work: services use a session, only edges commit."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from types import TracebackType

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from ordertrack.db.engine import is_sqlite, make_engine, normalise_url
from ordertrack.db.reader import PostgresReader, Reader, ThreadedReader
from ordertrack.events import Event
from ordertrack.live.hub import Hub
from ordertrack.live.listener import CHANNEL, payloads

Dispatch = Callable[["UnitOfWork"], None]


def _refuse_events(uow: UnitOfWork) -> None:
    if uow.events:
        raise RuntimeError("a read-only unit of work recorded events; use db.uow() to change things")


class Database:
    """Engines and session factories for one database URL.

    ``dispatch`` runs the handlers of the events a unit of work recorded (it is
    :func:`ordertrack.handlers.dispatch`; :func:`ordertrack.bootstrap.open_database` wires it).
    """

    def __init__(self, url: str, *, dispatch: Dispatch, **engine_kw: object) -> None:
        self.url = normalise_url(url)
        self.dispatch = dispatch
        self.is_sqlite = is_sqlite(self.url)
        self.engine: Engine = make_engine(url, writer=True, **engine_kw)
        # SQLite: readers get their own engine whose transactions do not take the write lock.
        self.read_engine: Engine = (
            make_engine(url, writer=False, **engine_kw) if self.is_sqlite else self.engine
        )
        self._write_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        # One writer at a time inside this process; across processes SQLite's lock queues them.
        self._sqlite_writer = threading.Lock() if self.is_sqlite else None
        self.reader: Reader = ThreadedReader(self.read_engine) if self.is_sqlite else PostgresReader(self.url)
        # This process's open tracking pages. SQLite has one process: commits publish here
        # directly. PostgreSQL commits notify, and the process's listener publishes here.
        self.hub = Hub()

    def uow(self, *, write: bool = True) -> UnitOfWork:
        if write:
            return UnitOfWork(
                self._write_sessions,
                self._sqlite_writer,
                self.hub,
                notify=not self.is_sqlite,
                dispatch=self.dispatch,
            )
        return UnitOfWork(self._read_sessions, None, self.hub, notify=False, dispatch=_refuse_events)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


class UnitOfWork:
    """One transaction. Leaving the block without ``commit()`` rolls everything back.

    Features record domain events on it (:meth:`record`); their handlers run inside the
    transaction when :meth:`settle` or :meth:`commit` is called, and may record more.

    It also collects one fact for the shopper's live pages: which orders and parcels now
    look different (:meth:`record_page_change`). They are told only once committed: on
    PostgreSQL by ``pg_notify`` inside the transaction (delivered on commit, dropped on
    rollback, heard by every process), on SQLite by the in-process hub after the commit.
    """

    session: Session

    def __init__(
        self,
        factory: sessionmaker[Session],
        lock: threading.Lock | None,
        hub: Hub,
        *,
        notify: bool,
        dispatch: Dispatch,
    ) -> None:
        self._factory = factory
        self._lock = lock
        self._hub = hub
        self._notify = notify
        self._dispatch = dispatch
        self.page_changes: set[str] = set()
        self.events: list[Event] = []

    def __enter__(self) -> UnitOfWork:
        if self._lock is not None:
            self._lock.acquire()
        self.session = self._factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            # close() ends the transaction (rolling back anything not committed) and detaches
            # loaded objects without expiring them, so results stay readable after the block.
            self.session.close()
        finally:
            if self._lock is not None:
                self._lock.release()

    def record_page_change(self, *, order_id: str | None = None, parcel_ids: Iterable[str] = ()) -> None:
        """What this order's or these parcels' tracking pages show has changed."""
        if order_id is not None:
            self.page_changes.add(order_id)
        self.page_changes.update(parcel_ids)

    def record(self, *events: Event) -> None:
        """These facts happened in this transaction; their handlers run at :meth:`settle`."""
        self.events.extend(events)

    def settle(self) -> None:
        """Run the handlers of every recorded event now, so derived state can be read back."""
        if self.events:
            self._dispatch(self)

    def commit(self) -> None:
        self.settle()
        changes, self.page_changes = self.page_changes, set()
        if changes and self._notify:
            for payload in payloads(changes):
                self.session.execute(
                    text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload}
                )
        self.session.commit()
        if changes and not self._notify:
            self._hub.publish(changes)

    def flush(self) -> None:
        self.session.flush()
