"""What a store's SQL body needs of the database it runs on.

An embedded store (ERP, audit log, event ledger) writes its SQL once, in a class
derived from :class:`StoreBackend`, and gets its backend from a second base:
:class:`wardflow._sqlite.SqliteStore` or :class:`wardflow._postgres.PostgresStore`.
Neither backend derives from the other; the store's Protocol is what the two
variants share with any other implementation.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from types import TracebackType
from typing import Self

__all__ = ["StoreBackend"]


class StoreBackend:
    """The connection, clock and write transaction that the backend base provides;
    reads under the lock and ``with`` (closing) are the same for every backend."""

    _clock: Callable[[], datetime]
    _lock: threading.Lock

    @property
    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError  # pragma: no cover - the backend base provides it

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # pragma: no cover - the backend base provides it

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """The connection, under the store's lock (not reentrant: not inside ``_write``)."""
        with self._lock:
            yield self._conn

    def close(self) -> None:
        raise NotImplementedError  # pragma: no cover - the backend base provides it

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
