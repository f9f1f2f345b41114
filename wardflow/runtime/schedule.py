"""Schedules: cron-style triggers for blueprints, fired by ``wardflow serve`` or
``wardflow schedule tick``.

::

    trigger:
      schedule: "0 2 * * mon-fri"   # minute hour day-of-month month day-of-week
      timezone: "Europe/Berlin"     # default UTC
      missed: run_once              # default skip
      source: "inbox"               # what a firing processes (default inbox)

The cron dialect (Vixie cron's) is described in :mod:`wardflow.graphs.cron`.

State lives in the data home (``control.sqlite``), or in Postgres when
``WARDFLOW_DATABASE_URL`` is set: per blueprint the last slot handled, and one row per
firing keyed by (blueprint, slot), claimed in a write transaction, so two processes (the
server and a ``tick`` from cron), two machines or a restart never fire one slot twice.
A new schedule counts from when a scheduler first sees it.

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
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wardflow._sqlite import utc_now
from wardflow.config import Settings
from wardflow.errors import ConfigError, KillSwitchEngaged, WardflowError
from wardflow.graphs.cron import CronSchedule, parse_cron
from wardflow.runtime._schedule_store import (
    _MAX_COUNTED,
    Firing,
    PostgresScheduleStore,
    ScheduleStore,
    SqliteScheduleStore,
    _Due,
    _iso,
)
from wardflow.services import Lazy, Services, build_services

if TYPE_CHECKING:
    from wardflow.graphs.blueprint import Blueprint

__all__ = ["Firing", "PostgresScheduleStore", "ScheduleStore", "Scheduler",
           "SqliteScheduleStore", "load_scheduled"]

log = logging.getLogger(__name__)

# The scheduler -------------------------------------------------------------------------
Runner = Callable[["Blueprint"], Sequence[dict[str, Any]]]


class Scheduler:
    """Fires the scheduled blueprints whose slots are due.

    Args:
        settings: the data home (state in ``control.sqlite``, records in the audit log).
        blueprints: blueprints; those without a ``schedule`` trigger are ignored.
        grace: how late a slot may still fire as on time; later it counts as missed.
        runner: runs one firing and returns its runs (default: the blueprint on every
            document of its source, in a :class:`~wardflow.runtime.workspace.Workspace`).
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

    def __enter__(self) -> Scheduler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        from wardflow.runtime.s3events import s3_storage
        from wardflow.runtime.workspace import Workspace

        with Workspace(self.settings, services=self._services.get()) as ws:
            if blueprint.trigger.maildir is not None or s3_storage(ws.storage) is not None:
                # A maildir, or a location in S3: each new message or object version once.
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
