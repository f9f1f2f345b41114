"""Schedules: cron-style triggers for blueprints, fired by ``wardflow serve`` or
``wardflow schedule tick``.

::

    trigger:
      schedule: "0 2 * * mon-fri"   # minute hour day-of-month month day-of-week
      timezone: "Europe/Berlin"     # default UTC
      missed: run_once              # default skip
      source: "inbox"               # what a firing processes (default inbox)

The cron dialect (Vixie cron's) is described in :mod:`wardflow.graphs.cron`.

State lives in the data home (``control.sqlite``): per blueprint the last slot handled,
and one row per firing keyed by (blueprint, slot), claimed in a write transaction, so
two processes (the server and a ``tick`` from cron) or a restart never fire one slot
twice. A new schedule counts from when a scheduler first sees it.

Missed runs: a slot that passed more than ``grace`` ago (5 minutes) without a firing,
because no scheduler was running, is *missed*. ``missed: skip`` records it (audited as
``schedule.missed``) and waits for the next slot; ``missed: run_once`` fires once for
all of them. A firing processes every document in the trigger's source that has no
finished run of this blueprint (documents are never run twice; a run cut short by a
crash is continued). The kill switch is checked before each firing; a firing it stops
is recorded as skipped (``schedule.skipped``) and is not made up later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wardflow._sqlite import SqliteStore, utc_now
from wardflow.config import Settings
from wardflow.errors import ConfigError, KillSwitchEngaged, WardflowError
from wardflow.graphs.cron import CronSchedule, parse_cron
from wardflow.services import Lazy, Services, build_services

if TYPE_CHECKING:
    from wardflow.graphs.blueprint import Blueprint

__all__ = ["Firing", "ScheduleStore", "Scheduler", "load_scheduled"]

log = logging.getLogger(__name__)

_MAX_COUNTED = 1000  # missed slots counted one by one; beyond, "more than"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS schedule_state (
    blueprint TEXT PRIMARY KEY,
    last_slot TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schedule_firings (
    blueprint TEXT NOT NULL,
    slot TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT NOT NULL,
    runs INTEGER NOT NULL DEFAULT 0,
    at TEXT NOT NULL,
    PRIMARY KEY (blueprint, slot)
);
"""


# Persisted state -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Firing:
    """One slot of one schedule: ``fired``, ``failed``, ``skipped`` or ``missed``
    (``firing`` while it runs, or if its process died)."""

    blueprint: str
    slot: str
    state: str
    detail: str
    runs: int = 0
    at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"blueprint": self.blueprint, "slot": self.slot, "state": self.state,
                "detail": self.detail, "runs": self.runs, "at": self.at}


@dataclass(frozen=True, slots=True)
class _Due:
    slot: datetime | None  # the slot to fire or record; None: nothing due
    fire: bool
    missed: int
    first_missed: datetime | None
    more: bool  # more missed slots than were counted


class ScheduleStore(SqliteStore):
    """Last slot per schedule and the firings, in SQLite (shared by processes)."""

    def __init__(self, path: Path | str, *, busy_timeout_s: float = 30.0) -> None:
        super().__init__(path, schema=_SCHEMA, busy_timeout_s=busy_timeout_s)

    def last_slot(self, blueprint: str) -> datetime | None:
        row = self._conn.execute("SELECT last_slot FROM schedule_state WHERE blueprint = ?",
                                 (blueprint,)).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def set_last_slot(self, blueprint: str, slot: datetime) -> None:
        """Where counting starts (a new schedule starts at the first tick that sees it)."""
        with self._write() as conn:
            conn.execute("INSERT INTO schedule_state VALUES (?,?,?) ON CONFLICT(blueprint)"
                         " DO UPDATE SET last_slot = excluded.last_slot,"
                         " updated_at = excluded.updated_at",
                         (blueprint, _iso(slot), _iso(datetime.now(UTC))))

    def claim(self, blueprint: str, now: datetime,
              decide: Callable[[datetime], _Due]) -> Firing | None:
        """Decide what is due since the last slot and record it, in one transaction;
        ``None`` when nothing is due or another process claimed the slot first."""
        with self._write() as conn:
            row = conn.execute("SELECT last_slot FROM schedule_state WHERE blueprint = ?",
                               (blueprint,)).fetchone()
            if row is None:
                conn.execute("INSERT INTO schedule_state VALUES (?,?,?)",
                             (blueprint, _iso(now), _iso(now)))
                return None
            due = decide(datetime.fromisoformat(row[0]))
            if due.slot is None:
                return None
            firing = Firing(blueprint, _iso(due.slot), "firing" if due.fire else "missed",
                            _missed_note(due), 0, _iso(now))
            inserted = conn.execute(
                "INSERT INTO schedule_firings VALUES (?,?,?,?,?,?)"
                " ON CONFLICT(blueprint, slot) DO NOTHING",
                (firing.blueprint, firing.slot, firing.state, firing.detail, 0, firing.at),
            ).rowcount
            conn.execute("UPDATE schedule_state SET last_slot = ?, updated_at = ?"
                         " WHERE blueprint = ?", (firing.slot, _iso(now), blueprint))
            return firing if inserted else None

    def finish(self, firing: Firing, state: str, detail: str, runs: int, at: datetime) -> Firing:
        done = Firing(firing.blueprint, firing.slot, state, detail, runs, _iso(at))
        with self._write() as conn:
            conn.execute("UPDATE schedule_firings SET state = ?, detail = ?, runs = ?, at = ?"
                         " WHERE blueprint = ? AND slot = ?",
                         (state, detail, runs, done.at, firing.blueprint, firing.slot))
        return done

    def firings(self, blueprint: str, limit: int = 20) -> list[Firing]:
        rows = self._conn.execute(
            "SELECT blueprint, slot, state, detail, runs, at FROM schedule_firings"
            " WHERE blueprint = ? ORDER BY slot DESC LIMIT ?", (blueprint, limit)).fetchall()
        return [Firing(*row) for row in rows]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _missed_note(due: _Due) -> str:
    if not due.missed:
        return ""
    count = f"more than {_MAX_COUNTED}" if due.more else str(due.missed)
    first = _iso(due.first_missed) if due.first_missed else "?"
    return f"{count} missed slot(s) since {first}"


# The scheduler -------------------------------------------------------------------------
Runner = Callable[["Blueprint"], Sequence[dict[str, Any]]]


class Scheduler:
    """Fires the scheduled blueprints whose slots are due.

    Args:
        settings: the data home (state in ``control.sqlite``, records in the audit log).
        blueprints: blueprints; those without a ``schedule`` trigger are ignored.
        grace: how late a slot may still fire as on time; later it counts as missed.
        runner: runs one firing and returns its runs (default: the blueprint on every
            document of its source, in a :class:`~wardflow.graphs.workspace.Workspace`).
        clock: the time :meth:`tick` uses when given none.
        services: the data home's collaborators (the caller keeps owning them); None:
            opened from ``settings`` on the first tick and closed by :meth:`close`.
    """

    def __init__(self, settings: Settings, blueprints: Iterable[Blueprint], *,
                 grace: timedelta = timedelta(minutes=5), runner: Runner | None = None,
                 clock: Callable[[], datetime] = utc_now,
                 services: Services | None = None) -> None:
        self.settings = settings
        self._services = Lazy.of(services) if services is not None else Lazy(
            lambda: build_services(settings))
        self.blueprints = [b for b in blueprints if b.trigger.kind == "schedule"]
        self.crons: dict[str, CronSchedule] = {}
        for blueprint in self.blueprints:
            if blueprint.name in self.crons:
                raise ConfigError(f"two scheduled blueprints are named {blueprint.name!r};"
                                  " give one a different `name:`")
            self.crons[blueprint.name] = parse_cron(str(blueprint.trigger.schedule),
                                                    blueprint.trigger.timezone)
        self.grace = grace
        self._runner = runner or self._run_blueprint
        self._clock = clock

    def close(self) -> None:
        """Close the services the scheduler opened (not ones it was given)."""
        self._services.close()

    def next_fire(self, after: datetime) -> datetime | None:
        """The earliest slot of any schedule strictly after ``after`` (pure)."""
        return min((cron.next_fire(after) for cron in self.crons.values()), default=None)

    def tick(self, now: datetime | None = None) -> list[Firing]:
        """Fire (or record as missed) every schedule with a slot due at ``now``."""
        now = now or self._clock()
        store = self._store()
        firings = []
        for blueprint in self.blueprints:
            decide = partial(_decide, self.crons[blueprint.name], now=now, grace=self.grace,
                             policy=blueprint.trigger.missed)
            claimed = store.claim(blueprint.name, now, decide)
            if claimed is not None:
                firings.append(self._handle(store, blueprint, claimed, now))
        return firings

    def status(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Each schedule with its last slot, next firing and latest firings."""
        now = now or self._clock()
        store = self._store()
        rows = []
        for blueprint in self.blueprints:
            last = store.last_slot(blueprint.name)
            trigger = blueprint.trigger
            rows.append({
                "blueprint": blueprint.name, "schedule": trigger.schedule,
                "timezone": trigger.timezone, "missed": trigger.missed,
                "source": trigger.source or "inbox",
                "last_slot": _iso(last) if last else None,
                "next_fire": _iso(self.crons[blueprint.name].next_fire(now)),
                "firings": [f.to_dict() for f in store.firings(blueprint.name, 5)],
            })
        return rows

    def run(self, stop: threading.Event, interval_s: float = 30.0) -> None:
        """Tick every ``interval_s`` seconds until ``stop`` is set."""
        while True:
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - the schedule thread must outlive one bad tick
                log.exception("scheduler tick failed; trying again in %.0f s", interval_s)
            if stop.wait(interval_s):
                return

    def start(self, interval_s: float = 30.0) -> tuple[threading.Thread, threading.Event]:
        """Run :meth:`run` in a daemon thread; set the event to stop it."""
        stop = threading.Event()
        thread = threading.Thread(target=self.run, args=(stop, interval_s),
                                  name="wardflow-scheduler", daemon=True)
        thread.start()
        return thread, stop

    def _store(self) -> ScheduleStore:
        return self._services.get().schedules

    def _handle(self, store: ScheduleStore, blueprint: Blueprint, firing: Firing,
                now: datetime) -> Firing:
        if firing.state == "missed":
            done = store.finish(firing, "missed", f"{firing.detail} (missed: skip)", 0, now)
        else:
            done = self._fire(store, blueprint, firing, now)
        self._services.get().audit.append(
            f"schedule.{done.state}", done.to_dict(), actor="scheduler",
            key=f"schedule:{done.blueprint}:{done.slot}:{done.state}", ts=_iso(now))
        log.info("schedule %s %s: %s %s", blueprint.name, done.slot, done.state, done.detail)
        return done

    def _fire(self, store: ScheduleStore, blueprint: Blueprint, firing: Firing,
              now: datetime) -> Firing:
        try:
            self._services.get().switch.check(blueprint.name)
        except KillSwitchEngaged as err:
            return store.finish(firing, "skipped", str(err), 0, now)
        detail = firing.detail
        if detail and blueprint.trigger.missed == "run_once":
            detail += " (missed: run_once, fired once for them)"
        elif detail:
            detail += " (missed: skip)"
        try:
            runs = self._runner(blueprint)
        except WardflowError as err:
            return store.finish(firing, "failed", "; ".join(filter(None, [detail, str(err)])),
                                0, now)
        return store.finish(firing, "fired", detail, len(runs), now)

    def _run_blueprint(self, blueprint: Blueprint) -> Sequence[dict[str, Any]]:
        from wardflow.graphs.workspace import Workspace

        with Workspace(self.settings, services=self._services.get()) as ws:
            if blueprint.trigger.maildir is not None:
                return ws.watch_once(blueprint)
            location = self.settings.storage_locations[blueprint.trigger.source or "inbox"]
            folder = self.settings.storage_root.resolve() / location
            folder.mkdir(parents=True, exist_ok=True)
            return ws.run_blueprint(blueprint, [folder], submitted_by="scheduler")


def _decide(cron: CronSchedule, last: datetime, *, now: datetime, grace: timedelta,
            policy: str) -> _Due:
    """What is due at ``now`` since ``last``: the latest slot, fired when on time (or
    when ``policy`` is run_once), and how many slots before it were missed."""
    count, first, latest, more = 0, None, None, False
    cursor = last
    while (slot := cron.next_fire(cursor)) <= now:
        count += 1
        first, latest, cursor = first or slot, slot, slot
        if count == _MAX_COUNTED:
            # Down for a long time: count no further, jump to the last day.
            more, cursor = True, max(cursor, now - timedelta(days=1))
    if latest is None:
        return _Due(None, False, 0, None, False)
    on_time = now - latest <= grace
    missed = count - 1 if on_time else count
    return _Due(latest, on_time or policy == "run_once", missed, first if missed else None,
                more)


def load_scheduled(paths: Iterable[Path | str], settings: Settings) -> list[Blueprint]:
    """The scheduled blueprints among ``paths`` (files, or folders of ``*.yaml``).

    Raises:
        BlueprintError: a blueprint does not validate.
    """
    from wardflow.graphs.blueprint import load_blueprint

    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir()
                     else [path])
    loaded = [load_blueprint(file, settings) for file in files]
    return [b for b in loaded if b.trigger.kind == "schedule"]
