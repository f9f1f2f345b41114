"""Cron expressions: a small parser and a pure ``next_fire``, for blueprint schedules.

The dialect is Vixie cron's: five fields (minute hour day-of-month month day-of-week),
``*``, lists, ranges, steps (``*/15``, ``1-10/2``, ``5/20`` = 5 to the end, every 20),
month and day names, Sunday as 0 or 7, and the day rule: when both day-of-month and
day-of-week are restricted (neither starts with ``*``) a day matches if *either* does.
``@hourly``, ``@daily``, ``@weekly``, ``@monthly`` and ``@yearly`` are shorthands. Times
are wall-clock times in a zoneinfo timezone: a time in the hour skipped by a daylight-
saving jump fires when the jump ends, and a time in a repeated hour fires once.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wardflow.errors import WardflowError

__all__ = ["CronError", "CronSchedule", "check_timezone", "parse_cron"]

_MINUTE = timedelta(minutes=1)
_HORIZON_DAYS = 366 * 9  # a 29 February can be 8 years away (2096 -> 2104)
_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
           ("day of week", 0, 7))
_MONTHS = {n: i for i, n in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                       "sep", "oct", "nov", "dec"), start=1)}
_DAYS = {n: i for i, n in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
           "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
           "@hourly": "0 * * * *"}


class CronError(WardflowError):
    """A cron expression or timezone that cannot be used; the message says which field."""


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A parsed 5-field cron expression in a timezone; :meth:`next_fire` is pure."""

    expression: str
    timezone: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: tuple[int, ...]
    months: tuple[int, ...]
    weekdays: tuple[int, ...]  # 0 = Sunday
    any_day: bool  # day-of-month starts with "*"
    any_weekday: bool  # day-of-week starts with "*"

    def next_fire(self, after: datetime) -> datetime:
        """The first firing strictly after ``after`` (timezone-aware), in UTC."""
        if after.tzinfo is None:
            raise ValueError("next_fire needs a timezone-aware datetime")
        zone = ZoneInfo(self.timezone)
        wall = after.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0) + _MINUTE
        limit = wall + timedelta(days=_HORIZON_DAYS)
        while wall < limit:
            if wall.month not in self.months:
                wall = _next_month(wall)
            elif not self.matches_day(wall.date()):
                wall = datetime.combine(wall.date() + timedelta(days=1), time())
            elif wall.hour not in self.hours:
                wall = wall.replace(minute=0) + timedelta(hours=1)
            else:
                minute = next((m for m in self.minutes if m >= wall.minute), None)
                if minute is None:
                    wall = wall.replace(minute=0) + timedelta(hours=1)
                    continue
                instant = _instant(wall.replace(minute=minute), zone)
                if instant > after:
                    return instant
                wall = wall.replace(minute=minute) + _MINUTE
        raise CronError(f"{self.expression!r} does not fire within 9 years after {after}")

    def matches_day(self, day: date) -> bool:
        """Vixie cron's rule: both day fields must match unless both are restricted,
        in which case either may."""
        by_date = day.day in self.days
        by_weekday = day.isoweekday() % 7 in self.weekdays
        if self.any_day or self.any_weekday:
            return by_date and by_weekday
        return by_date or by_weekday


def parse_cron(expression: str, timezone: str = "UTC") -> CronSchedule:
    """Parse a 5-field cron expression (or an ``@daily``-style shorthand).

    Raises:
        CronError: naming the field and what is wrong with it.
    """
    text = _MACROS.get(expression.strip().lower(), expression)
    parts = text.split()
    if len(parts) != 5:
        raise CronError(f"not a 5-field cron expression (minute hour day-of-month month"
                        f" day-of-week); got {len(parts)} field(s)")
    check_timezone(timezone)
    values = [_field(part, name, low, high, _MONTHS if name == "month" else
                     _DAYS if name == "day of week" else {})
              for part, (name, low, high) in zip(parts, _FIELDS, strict=True)]
    weekdays = tuple(sorted({d % 7 for d in values[4]}))
    minutes, hours, days, months, _ = values
    schedule = CronSchedule(expression, timezone, minutes, hours, days, months, weekdays,
                            any_day=parts[2].startswith("*"), any_weekday=parts[4].startswith("*"))
    if not schedule.any_day and schedule.any_weekday and not any(
        day <= calendar.monthrange(2024, month)[1] for month in schedule.months
        for day in schedule.days
    ):
        raise CronError("the day of month never occurs in the months given, so it never fires")
    return schedule


def check_timezone(name: str) -> None:
    """Raise :class:`CronError` unless ``name`` is a timezone zoneinfo knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise CronError(f"unknown timezone {name!r}; use an IANA name such as"
                        " 'Europe/Berlin' or 'UTC'") from err


def _field(text: str, name: str, low: int, high: int, names: dict[str, int]) -> tuple[int, ...]:
    values: set[int] = set()
    for item in text.split(","):
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"{name}: step {step_text!r} in {item!r} must be a positive"
                                " number")
            step = int(step_text)
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _value(first, name, low, high, names), _value(last, name, low, high, names)
            if start > end:
                raise CronError(f"{name}: range {base!r} runs backwards")
        else:
            start = _value(base, name, low, high, names)
            end = high if slash else start
        values.update(range(start, end + 1, step))
    return tuple(sorted(values))


def _value(token: str, name: str, low: int, high: int, names: dict[str, int]) -> int:
    if token.isdigit():
        number = int(token)
        if low <= number <= high:
            return number
        raise CronError(f"{name}: {number} is out of range {low}-{high}")
    if token.lower() in names:
        return names[token.lower()]
    hint = f" or a name such as {next(iter(names))}" if names else ""
    raise CronError(f"{name}: {token!r} is not a number from {low} to {high}{hint}")


def _next_month(wall: datetime) -> datetime:
    year, month = (wall.year + 1, 1) if wall.month == 12 else (wall.year, wall.month + 1)
    return datetime(year, month, 1)


def _instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time as UTC: the first of a repeated time; a time skipped by a
    daylight-saving jump becomes the end of the jump."""
    probe = wall
    while True:
        instant = probe.replace(tzinfo=zone).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == probe:
            return instant
        probe += _MINUTE
