"""Cron expressions for blueprint schedules, on `cronsim <https://pypi.org/project/cronsim/>`_.

The dialect is Vixie (Debian) cron's, as cronsim implements it: five fields (minute
hour day-of-month month day-of-week), ``*``, lists, ranges, steps (``*/15``,
``1-10/2``, ``5/20`` = 5 to the end, every 20), month and day names, Sunday as 0 or 7,
and the day rule: when both day-of-month and day-of-week are restricted (neither
starts with ``*``) a day matches if *either* does. ``@hourly``, ``@daily``,
``@weekly``, ``@monthly`` and ``@yearly`` are shorthands. Times are wall-clock times
in a zoneinfo timezone, with Debian cron's daylight-saving rules: a job at a fixed time
in the hour skipped by a jump fires when the jump ends, a fixed time in a repeated hour
fires once, and a job that runs every few minutes fires on every wall-clock match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from wardflow.errors import WardflowError

__all__ = ["CronError", "CronSchedule", "check_timezone", "parse_cron"]

_FIELDS = (("minute", "0-59"), ("hour", "0-23"), ("day of month", "1-31"),
           ("month", "1-12 or jan-dec"), ("day of week", "0-7 or sun-sat"))
_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
           "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
           "@hourly": "0 * * * *"}
# cronsim names the field it refuses; the key is the end of its message.
_CRONSIM_FIELDS = {"minute": 0, "hour": 1, "day-of-month": 2, "month": 3, "day-of-week": 4}
_NEVER_FIRES = "the day of month never occurs in the months given, so it never fires"


class CronError(WardflowError):
    """A cron expression or timezone that cannot be used; the message says which field."""


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A checked 5-field cron expression in a timezone; :meth:`next_fire` is pure."""

    expression: str
    timezone: str
    fields: str  # the five fields, shorthands expanded

    def next_fire(self, after: datetime) -> datetime:
        """The first firing strictly after ``after`` (timezone-aware), in UTC."""
        if after.tzinfo is None:
            raise ValueError("next_fire needs a timezone-aware datetime")
        local = after.astimezone(ZoneInfo(self.timezone))
        return next(CronSim(self.fields, local)).astimezone(UTC)


def parse_cron(expression: str, timezone: str = "UTC") -> CronSchedule:
    """Check a 5-field cron expression (or an ``@daily``-style shorthand).

    Raises:
        CronError: naming the field, its text and the values it may take.
    """
    fields = _MACROS.get(expression.strip().lower(), expression).strip()
    parts = fields.split()
    if len(parts) != 5:
        raise CronError(f"not a 5-field cron expression (minute hour day-of-month month"
                        f" day-of-week); got {len(parts)} field(s)")
    check_timezone(timezone)
    try:
        CronSim(fields, datetime(2000, 1, 1, tzinfo=UTC))
    except CronSimError as err:
        raise _explain(str(err), parts) from err
    return CronSchedule(expression, timezone, fields)


def check_timezone(name: str) -> None:
    """Raise :class:`CronError` unless ``name`` is a timezone zoneinfo knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise CronError(f"unknown timezone {name!r}; use an IANA name such as"
                        " 'Europe/Berlin' or 'UTC'") from err


def _explain(message: str, parts: list[str]) -> CronError:
    """cronsim says only "Bad minute": add the field's text and what it may hold."""
    index = _CRONSIM_FIELDS.get(message.rsplit(" ", 1)[-1])
    if index is None:
        return CronError(f"not a valid cron expression: {message}")
    name, allowed = _FIELDS[index]
    if index == 2 and _only_numbers(parts[2]) and all(
            1 <= int(day) <= 31 for day in _numbers(parts[2])):
        return CronError(f"{name}: {parts[2]!r}: {_NEVER_FIRES}")
    return CronError(f"{name}: {parts[index]!r} is not valid; use {allowed}, '*', lists (a,b),"
                     " ranges (a-b) and steps (*/n, a-b/n)")


def _numbers(text: str) -> list[str]:
    return [token for item in text.split(",") for token in item.split("-")]


def _only_numbers(text: str) -> bool:
    """Plain days and ascending ranges, nothing cronsim could refuse for another reason."""
    ranges = [item.split("-") for item in text.split(",")]
    return "/" not in text and all(
        all(token.isdigit() for token in bounds) and 1 <= len(bounds) <= 2
        and int(bounds[0]) <= int(bounds[-1]) for bounds in ranges)
