"""Rate limits per principal and per workflow, shared by every process that counts them.

A sliding window: at most ``limit`` hits of one key in any ``per_s`` seconds. Hits are
rows, and each hit is one write transaction (expire the key's old hits, count, insert
if under the limit), so concurrent requests can never be admitted past the limit:

- :class:`RateLimiter`: in SQLite (WAL, ``BEGIN IMMEDIATE``), so a CLI run, a worker
  and the web server that share a data home share the limit; ``":memory:"`` keeps it
  inside one object, for tests;
- :class:`PostgresRateLimiter`: in Postgres (the transaction holds the store's advisory
  lock), so every machine with the same ``WARDFLOW_DATABASE_URL`` shares one counter.

The clock is injected: when shared, it must be a wall clock that all processes agree
on (the default, :func:`time.time`; machines keep theirs in step with NTP).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Index, Table, render
from wardflow._sqlite import SqliteStore
from wardflow._store import StoreBackend
from wardflow.errors import ConfigError, RateLimited

__all__ = ["PostgresRateLimiter", "RateLimiter", "RateLimits"]

_TABLES = (
    Table("rate_hits", (Column("key", not_null=True), Column("at", "real", not_null=True)),
          primary_key=(), indexes=(Index("rate_hits_key_at", ("key", "at")),)),
)


@runtime_checkable
class RateLimits(Protocol):
    """Sliding-window rate limits, checked and counted atomically: what callers type
    against.

    Backends: :class:`RateLimiter` (SQLite) and :class:`PostgresRateLimiter`;
    ``wardflow.testing.RateLimitsConformance`` is what any backend must pass.
    """

    def hit(self, key: str, *, limit: int, per_s: float) -> None:
        """Count one request for ``key``, or raise :class:`RateLimited` (not counted)."""
        ...

    def remaining(self, key: str, *, limit: int, per_s: float) -> int:
        """How many more hits ``key`` may make now (nothing is counted)."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _RateSql(StoreBackend):
    """The rate limiter's SQL, which SQLite and Postgres both accept."""

    _seconds: Callable[[], float]

    def hit(self, key: str, *, limit: int, per_s: float) -> None:
        """Count one request for ``key``, or refuse it.

        Args:
            key: what is limited, e.g. ``principal:carla`` or ``workflow:invoice``.
            limit: requests allowed in any window of ``per_s`` seconds.
            per_s: the window's length in seconds.

        Raises:
            RateLimited: ``limit`` requests were already counted in the last ``per_s``
                seconds; ``retry_after_s`` says when the oldest of them expires. A
                refused request is not counted.
            ConfigError: ``limit`` is below 1 or ``per_s`` is not positive.
        """
        if limit < 1 or per_s <= 0:
            raise ConfigError(f"rate limit for {key!r} must allow at least 1 request in a"
                              f" positive window (got {limit} per {per_s} s)")
        now = self._seconds()
        with self._write() as conn:
            conn.execute("DELETE FROM rate_hits WHERE key = ? AND at <= ?", (key, now - per_s))
            count, oldest = conn.execute(
                "SELECT COUNT(*), MIN(at) FROM rate_hits WHERE key = ?", (key,)
            ).fetchone()
            if count < limit:
                conn.execute("INSERT INTO rate_hits (key, at) VALUES (?, ?)", (key, now))
                return
        raise RateLimited(key, limit, per_s, max(0.0, float(oldest) + per_s - now))

    def remaining(self, key: str, *, limit: int, per_s: float) -> int:
        """How many more hits ``key`` may make now (nothing is counted)."""
        now = self._seconds()
        with self._read() as conn:
            (count,) = conn.execute(
                "SELECT COUNT(*) FROM rate_hits WHERE key = ? AND at > ?", (key, now - per_s)
            ).fetchone()
        return max(0, limit - int(count))


class RateLimiter(_RateSql, SqliteStore):
    """Sliding-window rate limits in SQLite, checked and counted atomically.

    Args:
        path: an SQLite file shared by several processes, or ``":memory:"``.
        clock: seconds as a float; :func:`time.time` by default (tests inject a fake).
        busy_timeout_s: how long a hit waits for another process's lock.
    """

    def __init__(
        self, path: Path | str = ":memory:", *, clock: Callable[[], float] = time.time,
        busy_timeout_s: float = 30.0,
    ) -> None:
        super().__init__(path, schema=render("sqlite", _TABLES), busy_timeout_s=busy_timeout_s)
        self.path = str(path)
        self._seconds = clock  # a float clock, not the base class's datetime one


class PostgresRateLimiter(_RateSql, PostgresStore):
    """Sliding-window rate limits in Postgres: one counter per key for every machine.

    Each hit is one transaction under the store's advisory lock, so hits racing from
    any number of connections are admitted up to the limit and no further.

    Args:
        url: a ``postgres://`` URL (may be the checkpointer's database).
        clock: seconds as a float; :func:`time.time` by default (tests inject a fake).
        retry_s: how long opening waits for a database that is not up yet.
    """

    def __init__(self, url: str, *, clock: Callable[[], float] = time.time,
                 retry_s: float = 30.0) -> None:
        super().__init__(url, schema=render("postgres", _TABLES),
                         lock_name="wardflow.rate_hits", retry_s=retry_s)
        self._seconds = clock
