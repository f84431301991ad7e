"""Counting days the way a ladder step says: school days (Monday–Friday, holidays skipped)
or calendar days. Holidays are a parameter (a site's term calendar), never a literal."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal

Counting = Literal["school_days", "calendar_days"]


def is_school_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


def nth_day(start: date, n: int, counts: Counting, holidays: frozenset[date]) -> date:
    """The day on which `start` (day 1 when it is a school day) reaches day `n` of absence.

    School days: the n-th school day from `start`, `start` included. Calendar days:
    start + (n − 1).
    """
    if counts == "calendar_days":
        return start + timedelta(days=n - 1)
    day, seen = start, 0
    while True:
        if is_school_day(day, holidays):
            seen += 1
            if seen >= n:
                return day
        day += timedelta(days=1)


def add_days(start: date, n: int, counts: Counting, holidays: frozenset[date]) -> date:
    """`n` days after `start` (`start` not counted): calendar days, or school days."""
    if counts == "calendar_days":
        return start + timedelta(days=n)
    day, seen = start, 0
    while seen < n:
        day += timedelta(days=1)
        if is_school_day(day, holidays):
            seen += 1
    return day
