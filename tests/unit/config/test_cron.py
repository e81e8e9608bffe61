"""EventBridge's rate and six-field cron expressions: what they accept and when they run next."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from emulator.config.events.cron import ScheduleError, parse

NOW = datetime(2026, 12, 7, 20, 15, 30, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(("expression", "expected"), [
    # the examples of AWS's "Using cron and rate expressions to schedule rules"
    ("cron(0 10 * * ? *)", datetime(2026, 12, 8, 10, 0)),
    ("cron(15 12 * * ? *)", datetime(2026, 12, 8, 12, 15)),
    ("cron(0 18 ? * MON-FRI *)", datetime(2026, 12, 7, 18, 0).replace(day=8)),
    ("cron(0 8 1 * ? *)", datetime(2027, 1, 1, 8, 0)),
    ("cron(0/15 * * * ? *)", datetime(2026, 12, 7, 20, 30)),
    ("cron(0/10 * ? * MON-FRI *)", datetime(2026, 12, 7, 20, 20)),
    ("cron(0/5 8-17 ? * MON-FRI *)", datetime(2026, 12, 8, 8, 0)),
    ("cron(0 9 ? * 2#1 *)", datetime(2027, 1, 4, 9, 0)),  # first Monday
    ("cron(1/10 * * * ? *)", datetime(2026, 12, 7, 20, 21)),  # the 11th, 21st ... minute
    # the special characters
    ("cron(0 0 L * ? *)", datetime(2026, 12, 31, 0, 0)),
    ("cron(0 0 L 2 ? 2028)", datetime(2028, 2, 29, 0, 0)),  # a leap year
    ("cron(0 0 15W * ? *)", datetime(2026, 12, 15, 0, 0)),  # a Tuesday: itself
    ("cron(0 0 1W 8 ? 2027)", datetime(2027, 8, 2, 0, 0)),  # Sun 1st: Monday 2nd
    ("cron(0 0 31W 10 ? 2027)", datetime(2027, 10, 29, 0, 0)),  # Sun 31st: Friday 29th
    ("cron(0 0 LW 1 ? 2027)", datetime(2027, 1, 29, 0, 0)),  # Sun 31st: Friday 29th
    ("cron(0 0 ? * 6L *)", datetime(2026, 12, 25, 0, 0)),  # last Friday
    ("cron(0 0 ? * L *)", datetime(2026, 12, 12, 0, 0)),  # Saturday
    ("cron(0 0 ? * SUN,SAT *)", datetime(2026, 12, 12, 0, 0)),
    ("cron(0 0 1 JAN-MAR ? 2030-2031)", datetime(2030, 1, 1, 0, 0)),
    ("cron(30 20 * * ? *)", datetime(2026, 12, 8, 20, 30).replace(day=7)),
    ("cron(15 20 * * ? *)", datetime(2026, 12, 8, 20, 15)),  # this minute has begun: tomorrow
    ("rate(1 minute)", datetime(2026, 12, 7, 20, 16)),
    ("rate(5 minutes)", datetime(2026, 12, 7, 20, 20)),
    ("rate(2 hours)", datetime(2026, 12, 7, 22, 0)),
    ("rate(1 day)", datetime(2026, 12, 8, 20, 0)),
])
def test_next_run(expression: str, expected: datetime) -> None:
    started = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # when the rule was created
    assert parse(expression).next_after(started, NOW) == expected.replace(tzinfo=UTC)


def test_a_date_that_never_comes_is_valid_and_never_runs() -> None:
    assert parse("cron(0 0 30 2 ? *)").next_after(NOW, NOW) is None


def test_cron_follows_a_time_zone() -> None:
    paris = NOW.astimezone(ZoneInfo("Europe/Paris"))
    found = parse("cron(0 9 * * ? *)").next_after(paris, paris)
    assert found is not None
    assert found.astimezone(UTC) == datetime(2026, 12, 8, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("expression", "message"), [
    ("every day", "expected rate(...) or cron(...)"),
    ("rate(1 minutes)", "singular for 1 and plural above"),
    ("rate(5 minute)", "singular for 1 and plural above"),
    ("rate(0 minutes)", "positive integer"),
    ("rate(5 seconds)", "UNIT minute(s), hour(s) or day(s)"),
    ("rate(-1 minutes)", "expected rate(VALUE UNIT)"),
    ("cron(0 0 * * ?)", "expected six fields"),
    ("cron(0 0 * * * *)", "exactly one of Day-of-month and Day-of-week must be '?'"),
    ("cron(0 0 ? * ? *)", "exactly one of Day-of-month and Day-of-week must be '?'"),
    ("cron(60 0 * * ? *)", "Minutes '60': expected 0-59"),
    ("cron(0 24 * * ? *)", "Hours '24': expected 0-23"),
    ("cron(0 0 32 * ? *)", "Day-of-month '32': expected 1-31"),
    ("cron(0 0 * 13 ? *)", "Month '13': expected 1-12 or JAN-DEC"),
    ("cron(0 0 ? * 8 *)", "Day-of-week '8': expected 1-7 or SUN-SAT"),
    ("cron(0 0 ? * FOO *)", "Day-of-week 'FOO'"),
    ("cron(0 0 * * ? 1969)", "Year '1969': expected 1970-2199"),
    ("cron(5-1 0 * * ? *)", "a range runs from low to high"),
    ("cron(0/0 0 * * ? *)", "the increment after / must be a positive integer"),
    ("cron(0 0 ? * 1#6 *)", "DAY#N, N from 1 to 5"),
    ("cron(0 0 ? * 3#1,6#3 *)", "alone in the field"),  # AWS's own invalid example
    ("cron(0 0 1,L * ? *)", "Day-of-month 'L'"),
    ("cron(0 0 ? * 2W *)", "Day-of-week '2W'"),
])
def test_invalid_expressions_say_what_was_expected(expression: str, message: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse(expression)
    assert message in str(raised.value)
