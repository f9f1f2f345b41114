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
from collections.abc import Callable
from datetime import datetime

__all__ = ["StoreBackend"]


class StoreBackend:
    """The connection, clock and write transaction that the backend base provides."""

    _clock: Callable[[], datetime]

    @property
    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError  # pragma: no cover - the backend base provides it

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # pragma: no cover - the backend base provides it

    def _read(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # pragma: no cover - the backend base provides it

    def close(self) -> None:
        raise NotImplementedError  # pragma: no cover - the backend base provides it
