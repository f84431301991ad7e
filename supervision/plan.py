"""Putting visits on the plan: each school, the cadences the round takes (002 § 三(一)), the
inspector of each from the 挂点 table (002 附件2), the dates within the round."""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from supervision.config import Cadence, RoundConfig
from supervision.model import PlannedVisit


class PlanError(Exception):
    """A plan that cannot be made (dates the wrong way round, an unknown cadence)."""


@dataclass(frozen=True)
class PlanSchool:
    name: str
    township: str | None


@dataclass(frozen=True)
class Assigned:
    """A person of the 挂点 table: township, name, duty (leader 责任领导 | inspector 责任督学)."""

    township: str
    name: str
    duty: str


def _school_days(start: date, n: int, last: date) -> date:
    day = start
    while day.weekday() >= 5:
        day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return min(day, last)


def term_windows(start: date, end: date, terms: Sequence[str]) -> list[tuple[date, date]]:
    """The terms (each from its start to the day before the next) that meet [start, end]."""
    starts = sorted(
        date(year, *(int(x) for x in t.split("-")))
        for year in range(start.year - 1, end.year + 2)
        for t in terms
    )
    out = []
    for first, nxt in itertools.pairwise(starts):
        last = nxt - timedelta(days=1)
        if first <= end and last >= start:
            out.append((max(first, start), min(last, end)))
    return out


def month_windows(start: date, end: date) -> list[tuple[date, date]]:
    out = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        out.append((max(first, start), min(last, end)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def week_windows(
    start: date, end: date, weeks: int, weekday: int = 5, min_days: int = 1
) -> list[tuple[date, date]]:
    """Blocks of `weeks` weeks from the week of `start`, each due on `weekday` (1 = Monday)
    of its last week; a block the round covers for fewer than `min_days` days is left out."""
    monday = start - timedelta(days=start.weekday())
    out = []
    while monday <= end:
        due = monday + timedelta(weeks=weeks - 1, days=weekday - 1)
        first = max(monday, start)
        covered = (min(monday + timedelta(weeks=weeks, days=-1), end) - first).days + 1
        if first <= min(due, end) and covered >= min_days:
            out.append((first, min(due, end)))
        monday += timedelta(weeks=weeks)
    return out


def _windows(c: Cadence, start: date, end: date, terms: Sequence[str]) -> list[tuple[date, date]]:
    """The cadence's windows within the round, less those it covers for under `min_days`."""
    if c.every == "weeks":
        return week_windows(start, end, c.weeks, c.weekday, c.min_days)
    windows = term_windows(start, end, terms) if c.every == "term" else month_windows(start, end)
    return [(a, b) for a, b in windows if (b - a).days + 1 >= c.min_days]


def plan_visits(
    config: RoundConfig,
    schools: Iterable[PlanSchool],
    assigned: Iterable[Assigned],
    start: date,
    end: date,
    cadences: Sequence[str] | None = None,
    terms: Sequence[str] | None = None,
    inspectors: Mapping[str, str] | None = None,
) -> list[PlannedVisit]:
    """Every visit of the round: school × cadence × window. `inspectors` names a school's
    inspector by hand (school → person) over the 挂点 table's choice. `terms`: the term starts
    (“09-01”) of the schools' profile, else the round's own (`terms:` in its YAML)."""
    if end < start:
        raise PlanError("督导结束日期早于开始日期")
    chosen = [config.cadence(c) for c in (cadences or config.default_cadences.value)]
    terms = terms or config.terms.value
    people: dict[tuple[str, str], list[str]] = {}
    for a in assigned:
        people.setdefault((a.township, a.duty), []).append(a.name)
    ordered = sorted(schools, key=lambda s: (s.township or "", s.name))
    position: dict[str, int] = {}
    by_town: dict[str | None, int] = {}
    for s in ordered:
        position[s.name] = by_town.get(s.township, 0)
        by_town[s.township] = position[s.name] + 1
    out: list[PlannedVisit] = []
    for cadence in chosen:
        for first, last in _windows(cadence, start, end, terms):
            for index, school in enumerate(ordered):
                who = (inspectors or {}).get(school.name) if cadence.every == "term" else None
                if who is None and cadence.assigned and school.township:
                    names = people.get((school.township, cadence.assigned), [])
                    who = names[position[school.name] % len(names)] if names else None
                actor = cadence.actor
                if cadence.assigned is None and cadence.every != "term" and school.township:
                    actor = f"{school.township}人民政府"
                term = cadence.every == "term"
                planned = _school_days(first, index // cadence.per_day, last) if term else last
                out.append(
                    PlannedVisit(
                        school=school.name,
                        township=school.township,
                        cadence=cadence.id,
                        cadence_name=cadence.name,
                        actor=actor,
                        inspector=who,
                        planned_on=planned,
                        due=last,
                    )
                )
    out.sort(key=lambda v: (v.planned_on, v.school, v.cadence))
    return out
