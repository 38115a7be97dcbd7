"""The database handle and the unit of work: services use a session, only edges commit."""

from __future__ import annotations

import threading
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ordertrack.db.engine import is_sqlite, make_engine, normalise_url
from ordertrack.db.reader import PostgresReader, Reader, ThreadedReader


class Database:
    """Engines and session factories for one database URL."""

    def __init__(self, url: str, **engine_kw: object) -> None:
        self.url = normalise_url(url)
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

    def uow(self, *, write: bool = True) -> UnitOfWork:
        if write:
            return UnitOfWork(self._write_sessions, self._sqlite_writer)
        return UnitOfWork(self._read_sessions, None)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


class UnitOfWork:
    """One transaction. Leaving the block without ``commit()`` rolls everything back."""

    session: Session

    def __init__(self, factory: sessionmaker[Session], lock: threading.Lock | None) -> None:
        self._factory = factory
        self._lock = lock

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

    def commit(self) -> None:
        self.session.commit()

    def flush(self) -> None:
        self.session.flush()
