"""EventBridge schedule expressions: `rate(...)` and six-field `cron(...)`, parsed and stepped.

Pure. The grammar is AWS's ("Using cron and rate expressions to schedule rules in Amazon
EventBridge", EventBridge User Guide): fields Minutes 0-59, Hours 0-23, Day-of-month 1-31
(`, - * ? / L W`), Month 1-12 or JAN-DEC, Day-of-week 1-7 or SUN-SAT (`, - * ? L #`, 1 is
Sunday), Year 1970-2199; one of Day-of-month and Day-of-week must be `?`; `#` stands alone in
its field. A rate's value is a positive integer, its unit singular for 1 and plural above
(the Serverless Framework's schema pattern, lib/plugins/aws/package/compile/events/schedule.js).
No maintained Python cron library reads this dialect (`?`, `L`, `W`, `#` and the year field
together), hence this small parser; `ScheduleError` carries what was expected.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MONTHS = {name: i for i, name in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL",
                                            "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
DAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"),
                                         start=1)}
_RATE = re.compile(r"rate\((\d+) (minute|hour|day)(s?)\)")
_UNIT_S = {"minute": 60, "hour": 3600, "day": 86400}
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("Minutes", 0, 59, {}), ("Hours", 0, 23, {}), ("Day-of-month", 1, 31, {}),
    ("Month", 1, 12, MONTHS), ("Day-of-week", 1, 7, DAYS), ("Year", 1970, 2199, {}))


class ScheduleError(ValueError):
    """An expression EventBridge would refuse; the message says what was expected."""


@dataclass(frozen=True, slots=True)
class Rate:
    """rate(N unit): every `seconds`, counted from when the rule starts."""

    seconds: int
    text: str

    def next_after(self, start: datetime, now: datetime) -> datetime:
        """The first run strictly after `now` of a rate started at `start`."""
        step = timedelta(seconds=self.seconds)
        runs = max(0, int((now - start) // step)) + 1
        return start + runs * step


@dataclass(frozen=True, slots=True)
class DaySpec:
    """A day field: a set of values, or one of the special forms (L, nW, LW, nL, n#k)."""

    values: frozenset[int] | None = None  # None: any (`*` or `?`)
    last: bool = False  # L
    weekday_near: int | None = None  # nW (Day-of-month); 0 with `last`: LW
    nth: tuple[int, int] | None = None  # (day, k) of d#k (Day-of-week)
    last_of: int | None = None  # nL (Day-of-week): the last such weekday of the month


@dataclass(frozen=True, slots=True)
class Cron:
    """cron(Minutes Hours Day-of-month Month Day-of-week Year), in UTC unless told."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    day_of_month: DaySpec | None  # None: `?`
    months: frozenset[int]
    day_of_week: DaySpec | None  # None: `?`
    years: frozenset[int]
    text: str

    def next_after(self, start: datetime, now: datetime) -> datetime | None:
        """The first run strictly after `now` (naive or aware alike); None: never again."""
        del start  # a cron schedule does not depend on when it started
        moment = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = moment.date()
        while day.year <= 2199:
            if day.year not in self.years:
                day = date(day.year + 1, 1, 1)
                continue
            if day.month not in self.months:
                day = _first_of_next_month(day)
                continue
            if self._day_matches(day):
                found = self._time_on(day, moment)
                if found is not None:
                    return found
            day += timedelta(days=1)
        return None

    def _time_on(self, day: date, moment: datetime) -> datetime | None:
        for hour in self.hours:
            for minute in self.minutes:
                candidate = moment.replace(year=day.year, month=day.month, day=day.day,
                                           hour=hour, minute=minute)
                if candidate >= moment:
                    return candidate
        return None

    def _day_matches(self, day: date) -> bool:
        if self.day_of_month is not None:
            return _month_day_matches(self.day_of_month, day)
        assert self.day_of_week is not None
        return _week_day_matches(self.day_of_week, day)


Schedule = Rate | Cron


def parse(text: str) -> Schedule:
    """`rate(5 minutes)` or `cron(0 12 * * ? *)` -> a Schedule; ScheduleError otherwise."""
    text = text.strip()
    if text.startswith("rate("):
        return _rate(text)
    if text.startswith("cron(") and text.endswith(")"):
        return _cron(text)
    raise ScheduleError(f"expected rate(...) or cron(...), got {text!r}")


def _rate(text: str) -> Rate:
    match = _RATE.fullmatch(text)
    if not match:
        raise ScheduleError(f"{text!r}: expected rate(VALUE UNIT), UNIT minute(s), hour(s) "
                            "or day(s)")
    value, unit, plural = int(match[1]), match[2], match[3]
    if value < 1:
        raise ScheduleError(f"{text!r}: the value must be a positive integer")
    if (value == 1) == bool(plural):
        raise ScheduleError(f"{text!r}: the unit is singular for 1 and plural above "
                            f"(rate(1 {unit}), rate(5 {unit}s))")
    return Rate(value * _UNIT_S[unit], text)


def _cron(text: str) -> Cron:
    fields = text[len("cron("):-1].split()
    if len(fields) != 6:
        raise ScheduleError(f"{text!r}: expected six fields (Minutes Hours Day-of-month Month "
                            f"Day-of-week Year), got {len(fields)}")
    minute, hour, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ScheduleError(f"{text!r}: exactly one of Day-of-month and Day-of-week must be "
                            "'?'")
    return Cron(
        minutes=tuple(sorted(_values(minute, 0))), hours=tuple(sorted(_values(hour, 1))),
        day_of_month=None if dom == "?" else _month_day(dom),
        months=frozenset(_values(month, 3)),
        day_of_week=None if dow == "?" else _week_day(dow),
        years=frozenset(_values(year, 5)), text=text)


def _values(field: str, index: int) -> set[int]:
    """`,`-separated items of `*`, N, N-M, with an optional /STEP, in the field's range."""
    name, low, high, _ = _FIELDS[index]
    found: set[int] = set()
    for item in field.split(","):
        base, _, step_text = item.partition("/")
        if base == "*":
            first, last = low, high
        elif "-" in base:
            first_text, _, last_text = base.partition("-")
            first, last = _number(first_text, index), _number(last_text, index)
        else:
            first = _number(base, index)
            last = high if step_text else first
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) < 1:
                raise ScheduleError(f"{name} {field!r}: the increment after / must be a "
                                    "positive integer")
            step = int(step_text)
        if first > last:
            raise ScheduleError(f"{name} {field!r}: a range runs from low to high")
        found.update(range(first, last + 1, step))
    return found


def _number(text: str, index: int) -> int:
    name, low, high, names = _FIELDS[index]
    value = names.get(text.upper()) if not text.isdigit() else int(text)
    if value is None or not low <= value <= high:
        spelled = f" or {min(names, key=names.__getitem__)}-" \
                  f"{max(names, key=names.__getitem__)}" if names else ""
        raise ScheduleError(f"{name} {text!r}: expected {low}-{high}{spelled}")
    return value


def _month_day(field: str) -> DaySpec:
    if field == "L":
        return DaySpec(last=True)
    if field == "LW":
        return DaySpec(last=True, weekday_near=0)
    if field.endswith("W"):
        return DaySpec(weekday_near=_number(field[:-1], 2))
    return DaySpec(values=None if field == "*" else frozenset(_values(field, 2)))


def _week_day(field: str) -> DaySpec:
    if field == "L":
        return DaySpec(values=frozenset({7}))  # the last day of the week: Saturday
    if "#" in field:
        day_text, _, k_text = field.partition("#")
        if not k_text.isdigit() or not 1 <= int(k_text) <= 5 or "," in field:
            raise ScheduleError(f"Day-of-week {field!r}: expected DAY#N, N from 1 to 5, "
                                "alone in the field")
        return DaySpec(nth=(_number(day_text, 4), int(k_text)))
    if field.endswith("L"):
        return DaySpec(last_of=_number(field[:-1], 4))
    return DaySpec(values=None if field == "*" else frozenset(_values(field, 4)))


def _aws_weekday(day: date) -> int:
    """1 = Sunday ... 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


def _month_day_matches(spec: DaySpec, day: date) -> bool:
    length = calendar.monthrange(day.year, day.month)[1]
    if spec.weekday_near is not None:
        target = length if spec.last else min(spec.weekday_near, length)
        return day.day == _nearest_weekday(day.replace(day=target)).day
    if spec.last:
        return day.day == length
    return spec.values is None or day.day in spec.values


def _nearest_weekday(target: date) -> date:
    """The weekday nearest `target`, never leaving its month (Quartz's W rule)."""
    weekday = target.weekday()  # Monday 0 ... Sunday 6
    if weekday == 5:  # Saturday: the Friday before, unless that is last month
        return target - timedelta(days=1) if target.day > 1 else target + timedelta(days=2)
    if weekday == 6:  # Sunday: the Monday after, unless that is next month
        length = calendar.monthrange(target.year, target.month)[1]
        return target + timedelta(days=1) if target.day < length else target - timedelta(days=2)
    return target


def _week_day_matches(spec: DaySpec, day: date) -> bool:
    weekday = _aws_weekday(day)
    if spec.nth is not None:
        wanted, k = spec.nth
        return weekday == wanted and (day.day - 1) // 7 + 1 == k
    if spec.last_of is not None:
        length = calendar.monthrange(day.year, day.month)[1]
        return weekday == spec.last_of and day.day + 7 > length
    return spec.values is None or weekday in spec.values


def _first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)
