"""Policy suspension (政策性休学) rules, pure: joint visits before, persuasion visits after.

002 附件1 三: before the suspension, at least three joint visits by the relevant bodies
(or a court ruling); after it, at least one persuasion visit every 3 months, two a
semester and four a year. The numbers come from the profile.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from forms.dates import cn_date


@dataclass(frozen=True)
class Cadence:
    every_months: int = 3  # at least one visit in every run of this many months
    per_semester: int = 2
    per_year: int = 4


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def joint_count(visits: Iterable[Sequence[str]], min_bodies: int) -> int:
    """How many visits had people from at least `min_bodies` distinct bodies."""
    return sum(1 for bodies in visits if len(set(bodies)) >= min_bodies)


def semesters(start: date, end: date) -> list[tuple[str, date, date]]:
    """School semesters lying wholly inside [start, end].

    Reading (stated in the profile): 秋季学期 1 September – end of February, 春季学期
    1 March – 31 August, holidays included — a suspended student is visited regardless.
    """
    out = []
    for year in range(start.year - 1, end.year + 1):
        autumn = (f"{year}年秋季学期", date(year, 9, 1), date(year + 1, 3, 1) - timedelta(days=1))
        spring = (f"{year + 1}年春季学期", date(year + 1, 3, 1), date(year + 1, 8, 31))
        for name, first, last in (autumn, spring):
            if start <= first and last <= end:
                out.append((name, first, last))
    return out


def _windows(start: date, end: date, months: int) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    k = 0
    while True:
        first = add_months(start, k * months)
        last = add_months(start, (k + 1) * months) - timedelta(days=1)
        if last > end:
            return out
        out.append((first, last))
        k += 1


def followup_problems(
    visits: Iterable[date], start: date, end: date, cadence: Cadence
) -> list[str]:
    """Chinese descriptions of every window that has too few persuasion visits."""
    days = sorted(visits)
    problems = []

    def count(first: date, last: date) -> int:
        return sum(1 for d in days if first <= d <= last)

    for first, last in _windows(start, end, cadence.every_months):
        if count(first, last) < 1:
            problems.append(
                f"{cn_date(first)}至{cn_date(last)}没有劝返（每{cadence.every_months}个月至少1次）"
            )
    for name, first, last in semesters(start, end):
        if (n := count(first, last)) < cadence.per_semester:
            problems.append(f"{name}只有{n}次（每学期至少{cadence.per_semester}次）")
    for first, last in _windows(start, end, 12):
        if (n := count(first, last)) < cadence.per_year:
            problems.append(
                f"{cn_date(first)}至{cn_date(last)}只有{n}次（每年至少{cadence.per_year}次）"
            )
    return problems


def default_schedule(start: date, end: date, cadence: Cadence) -> list[date]:
    """Planned visits every other month from a month after the start, which meets the
    cadence; a monthly plan is the fallback when the rules are stricter."""
    for step in (2, 1):
        plan = []
        k = 0
        while (day := add_months(start, 1 + k * step)) <= end:
            plan.append(day)
            k += 1
        if not followup_problems(plan, start, end, cadence):
            return plan
    return plan
