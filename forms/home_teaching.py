"""送教上门 compliance, month by month over a school year: a pure computation.

Thresholds come from the profile's `home_teaching` (000 § 四(三)3, 002 附件1 四): at least
`visits_per_month` visits a month, each of at least `sessions_per_visit` 课时 of at least
`minutes_per_session` minutes, and `sessions_per_year` a year. When home teaching covers
less than the school year, the year's requirement is `prorate_per_month` per applicable
teaching month (DESIGN.md). Given the school year's last teaching day, a teaching month ends
there (July 1–15) and nothing after it is required; home teaching that reaches it and began
with the school year covers the whole year. The forms print this; the audit may call it on the
sessions it reads from an evidence package. Nothing here knows about records or templates.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from forms.profiles import HomeTeaching


@dataclass(frozen=True)
class Rules:
    visits_per_month: int
    sessions_per_visit: int
    minutes_per_session: float
    sessions_per_year: float
    unit: str  # "课时": class periods are counted; "小时": clock hours of teaching
    teaching_months: tuple[int, ...]
    prorate_per_month: float
    # How a month home teaching (or an audit period) starts or ends in is counted: "count" as
    # whole, "whole" not at all, "prorate" by its teaching days (2 visits × 15/31 → 1 required;
    # the year's requirement is prorate_per_month × the covered share of teaching months).
    partial_month: str = "count"
    count_short_periods: bool = False  # True: a 课时 under the minutes still counts toward the year

    @classmethod
    def from_profile(cls, ht: HomeTeaching, partial_month: str = "count") -> Rules:
        return cls(
            visits_per_month=ht.visits_per_month.value,
            sessions_per_visit=ht.sessions_per_visit.value,
            minutes_per_session=ht.minutes_per_session.value,
            sessions_per_year=ht.sessions_per_year.value,
            unit=ht.unit.value,
            teaching_months=tuple(ht.teaching_months.value),
            prorate_per_month=ht.prorate_per_month.value,
            partial_month=partial_month,
        )


@dataclass(frozen=True)
class Session:
    """One visit: its day, how many 课时 and how long each was."""

    day: date
    periods: int
    minutes: float  # per 课时


def qualifies(visit: Session, rules: Rules) -> bool:
    """A visit that counts toward the month: enough 课时, each long enough."""
    return visit.periods >= rules.sessions_per_visit and visit.minutes >= rules.minutes_per_session


def counted(visit: Session, rules: Rules) -> float:
    """What the visit adds to the year: 课时 of full length, or clock hours."""
    if rules.unit == "小时":
        return visit.periods * visit.minutes / 60
    if rules.count_short_periods:
        return float(visit.periods)
    return float(visit.periods) if visit.minutes >= rules.minutes_per_session else 0.0


@dataclass
class Month:
    year: int
    month: int
    visits: int = 0
    qualifying: int = 0
    periods: int = 0
    counted: float = 0.0
    minutes: float = 0.0
    teaching: bool = False  # a teaching month of the profile
    applicable: bool = False  # teaching month inside the student's home-teaching period
    complete: bool = True  # the month has ended by the as-of date
    started: bool = True  # the month has begun by the as-of date
    required_visits: int = 0
    share: float = 1.0  # of the month's teaching days inside the student's home-teaching period
    days: int = 0  # the month's teaching days inside the student's home-teaching period
    teaching_until: date | None = None  # the last teaching day, when it cuts this month short

    @property
    def meets(self) -> bool | None:
        """True/False for an applicable month; None when not applicable or still running."""
        if not self.applicable:
            return None
        if self.qualifying >= self.required_visits:
            return True
        return False if self.complete else None


@dataclass
class YearTally:
    school_year: int  # 2025 = the 2025–2026 school year, September to August
    months: list[Month] = field(default_factory=list)
    required: float = 0.0
    prorated: bool = False
    complete: bool = True
    unit: str = "课时"

    @property
    def total(self) -> float:
        return sum(m.counted for m in self.months)

    @property
    def applicable_months(self) -> int:
        return sum(1 for m in self.months if m.applicable)

    @property
    def months_met(self) -> int:
        return sum(1 for m in self.months if m.meets)

    @property
    def months_failed(self) -> list[Month]:
        return [m for m in self.months if m.meets is False]

    @property
    def total_meets(self) -> bool | None:
        if self.total >= self.required:
            return True
        return False if self.complete else None

    @property
    def meets(self) -> bool | None:
        """Every applicable month met and the year's total reached."""
        if self.months_failed or self.total_meets is False:
            return False
        if self.total_meets is None or any(m.applicable and m.meets is None for m in self.months):
            return None
        return True


def school_year_months(school_year: int) -> list[tuple[int, int]]:
    return [(school_year, m) for m in range(9, 13)] + [(school_year + 1, m) for m in range(1, 9)]


def school_year_bounds(school_year: int) -> tuple[date, date]:
    return date(school_year, 9, 1), date(school_year + 1, 8, 31)


def _teaching_span(year: int, month: int, last_teaching_day: date | None) -> tuple[date, date]:
    """The month's days that can be teaching days: all of them, or up to the last teaching day.

    A month wholly after the last teaching day has an empty span (last before first).
    """
    first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    if last_teaching_day is not None and last_teaching_day < last:
        last = last_teaching_day
    return first, last


def _days(first: date, last: date, start: date, end: date) -> int:
    return max(0, (min(last, end) - max(first, start)).days + 1)


def _share(first: date, last: date, start: date, end: date) -> float:
    return _days(first, last, start, end) / ((last - first).days + 1)


def _round(x: float) -> int:
    """Half up, as the readings say (1.5 → 2), not Python's banker's rounding."""
    return int(x + 0.5 + 1e-9)


def _covered(first: date, last: date, start: date, end: date, partial: str) -> bool:
    if partial == "prorate":
        return start <= last and end >= first
    if partial == "count":
        return start <= last and end >= first
    if partial == "whole":
        return start <= first and end >= last
    raise ValueError(f"不认识的不满月处理方式“{partial}”（可用 count、whole、prorate）")


def tally(
    sessions: Iterable[Session],
    school_year: int,
    rules: Rules,
    start: date | None = None,
    end: date | None = None,
    as_of: date | None = None,
    last_teaching_day: date | None = None,
) -> YearTally:
    """Month-by-month tally of one student's home teaching in one school year.

    start/end: the student's home-teaching period (default: the whole school year);
    as_of: the day the tally is drawn up — months not yet over are "in progress", and the
    year's total is judged only once the period is over;
    last_teaching_day: the school year's last teaching day (None: teaching months are whole) —
    the month it falls in is taught up to that day, later months are not teaching months, and
    a period from the school year's start to that day covers the whole year (every teaching
    month in full, the year's `sessions_per_year`).
    """
    year_first, year_last = school_year_bounds(school_year)
    start = max(start or year_first, year_first)
    end = min(end or year_last, year_last)
    months = {
        (y, m): Month(y, m, teaching=m in rules.teaching_months)
        for y, m in school_year_months(school_year)
    }
    for month in months.values():
        first, last = _teaching_span(month.year, month.month, last_teaching_day)
        if last < first:
            month.teaching = False  # after the last teaching day: the summer holiday
            first, last = _teaching_span(month.year, month.month, None)
        elif month.teaching and last.day < monthrange(month.year, month.month)[1]:
            month.teaching_until = last
        month.applicable = month.teaching and _covered(first, last, start, end, rules.partial_month)
        month.complete = as_of is None or as_of >= min(last, end)
        month.started = as_of is None or as_of >= date(month.year, month.month, 1)
        month.share = _share(first, last, start, end)
        month.days = _days(first, last, start, end)
        month.required_visits = rules.visits_per_month if month.applicable else 0
        if rules.partial_month == "prorate" and month.applicable:
            month.required_visits = _round(rules.visits_per_month * month.share)
            month.applicable = month.required_visits > 0
    for visit in sessions:
        into = months.get((visit.day.year, visit.day.month))
        if into is None:
            continue  # outside this school year
        into.visits += 1
        into.qualifying += qualifies(visit, rules)
        into.periods += visit.periods
        into.counted += counted(visit, rules)
        into.minutes += visit.periods * visit.minutes
    ordered = list(months.values())
    applicable = sum(1 for m in ordered if m.applicable)
    all_teaching = sum(1 for m in ordered if m.teaching)
    prorated = applicable < all_teaching
    required = rules.prorate_per_month * applicable if prorated else rules.sessions_per_year
    if rules.partial_month == "prorate":
        covered = sum(m.share for m in ordered if m.teaching)
        prorated = covered < all_teaching
        required = (
            min(rules.sessions_per_year, _round(rules.prorate_per_month * covered))
            if prorated
            else rules.sessions_per_year
        )
    return YearTally(
        school_year=school_year,
        months=ordered,
        required=required,
        prorated=prorated,
        complete=as_of is None or as_of >= end,
        unit=rules.unit,
    )
