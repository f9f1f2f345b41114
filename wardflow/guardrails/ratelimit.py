"""Rate limits per principal and per workflow, shared by the processes of a data home.

A sliding window: at most ``limit`` hits of one key in any ``per_s`` seconds. Hits
are rows in SQLite (WAL, one ``BEGIN IMMEDIATE`` transaction per hit), so a CLI run,
a worker and the web server that share a data home share the limit; ``":memory:"``
keeps it inside one object, for tests. The clock is injected: with a file it must
be a wall clock that all processes agree on (the default, :func:`time.time`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from wardflow._sqlite import SqliteStore
from wardflow.errors import ConfigError, RateLimited

__all__ = ["RateLimiter"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rate_hits (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS rate_hits_key_at ON rate_hits (key, at);
"""


class RateLimiter(SqliteStore):
    """Sliding-window rate limits, checked and counted atomically.

    Args:
        path: an SQLite file shared by several processes, or ``":memory:"``.
        clock: seconds as a float; :func:`time.time` by default (tests inject a fake).
        busy_timeout_s: how long a hit waits for another process's lock.
    """

    def __init__(
        self, path: Path | str = ":memory:", *, clock: Callable[[], float] = time.time,
        busy_timeout_s: float = 30.0,
    ) -> None:
        super().__init__(path, schema=_SCHEMA, busy_timeout_s=busy_timeout_s)
        self.path = str(path)
        self._seconds = clock  # a float clock, not the base class's datetime one

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
