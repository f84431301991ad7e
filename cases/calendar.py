"""Counting days the way a ladder step says: school days (Monday–Friday, holidays skipped)
or calendar days. Holidays are a parameter (a site's term calendar), never a literal."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from forms.dates import DateParseError, parse_date

log = logging.getLogger(__name__)

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


def read_holidays(path: Path) -> frozenset[date]:
    """A site's term calendar: one date a line (2026-04-06 or 2026年4月6日), `#` comments.
    A missing file is no holidays; a line that is not a date is skipped with a warning."""
    if not path.is_file():
        return frozenset()
    days: set[date] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            days.add(parse_date(text))
        except DateParseError:
            log.warning("%s line %d is not a date; skipped", path.name, number)
    return frozenset(days)
