"""Item 4.4–4.7: 送教上门 month by month — visits a month, 课时 a visit, minutes a 课时, a year.

Each home-taught student gets a grid of the months from the later of the period start and
the start of home teaching to the period end. The school year's teaching ends on its last
teaching day (`last_teaching_day`, per school year): a period or home teaching that runs from
the school year's start to that day covers the whole year — every teaching month's visits in
full and the whole yearly total. Otherwise a teaching month only partly covered requires visits
in proportion to its teaching days (July 1–10 of 1–15: 1 visit of 2), and the yearly total is
pro-rated at so many 课时 per covered teaching month (DESIGN.md § Rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from audit.facts import ILLEGIBLE_PERIODS, ILLEGIBLE_TIME, HomeTeachingSession, Provenance
from audit.rules.base import (
    Context,
    Issue,
    Member,
    MonthRow,
    Outcome,
    Params,
    Subject,
    combine,
    dedupe,
    month_day,
    months_between,
    rule,
    school_year_of,
    status_of,
)
from forms.dates import cn_date
from forms.home_teaching import Month, Rules, Session, YearTally, school_year_bounds, tally

MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]


class LastTeachingDay(BaseModel):
    """The school year's last teaching day as MM-DD: `default`, or another per school year."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: MonthDay
    # 2025 = the 2025–2026 school year (as “2025学年” in the findings).
    per_school_year: dict[int, MonthDay] = Field(default_factory=dict)

    def of(self, school_year: int) -> date:
        """The day itself: the first date on or after the school year's start with that MM-DD."""
        text = self.per_school_year.get(school_year, self.default)
        start = school_year_bounds(school_year)[0]
        day = month_day(text, school_year)
        return day if day >= start else month_day(text, school_year + 1)


class HomeTeachingParams(Params):
    visits_per_month: int
    periods_per_visit: int
    minutes_per_period: float
    periods_per_year: float
    unit: Literal["课时", "小时"]
    teaching_months: list[int]
    prorate_per_month: float
    prorate_partial_months: bool
    count_short_periods: bool
    # None: teaching months are taught to their last day (the reading before this param).
    last_teaching_day: LastTeachingDay | None = None

    def rules(self) -> Rules:
        """The same thresholds for forms.home_teaching, which does the month-by-month tally."""
        return Rules(
            visits_per_month=self.visits_per_month,
            sessions_per_visit=self.periods_per_visit,
            minutes_per_session=self.minutes_per_period,
            sessions_per_year=self.periods_per_year,
            unit=self.unit,
            teaching_months=tuple(self.teaching_months),
            prorate_per_month=self.prorate_per_month,
            partial_month="prorate" if self.prorate_partial_months else "count",
            count_short_periods=self.count_short_periods,
        )


def minutes_per_period(s: HomeTeachingSession) -> float | None:
    """Minutes of one 课时: as written, or the visit's length shared by its 课时."""
    if s.minutes_per_period:
        return s.minutes_per_period
    total = s.total_minutes
    if total is None and s.start and s.end:
        span = datetime.combine(s.date, s.end) - datetime.combine(s.date, s.start)
        total = span.total_seconds() / 60
    if total and s.periods:
        return total / s.periods
    return None


@dataclass
class Grid:
    """One student's home teaching inside the period: the tally of each school year touched."""

    member: Member
    first: date
    last: date
    sessions: list[HomeTeachingSession]
    years: list[YearTally] = field(default_factory=list)
    months: list[MonthRow] = field(default_factory=list)

    @property
    def applicable(self) -> list[MonthRow]:
        return [m for m in self.months if m.applicable]


def _row(month: Month, sessions: list[HomeTeachingSession], p: HomeTeachingParams) -> MonthRow:
    mpps = [x for x in (minutes_per_period(s) for s in sessions) if x is not None]
    row = MonthRow(
        month=f"{month.year}-{month.month:02d}",
        applicable=month.applicable,
        share=round(month.share, 4),
        required=month.required_visits,
        visits=month.visits,
        periods=month.periods,
        minutes=round(min(mpps), 1) if mpps else None,
        short_visits=sum(1 for s in sessions if (s.periods or 0) < p.periods_per_visit),
        short_periods=sum(
            1 for s in sessions if (minutes_per_period(s) or 0) < p.minutes_per_period
        ),
    )
    taught = f"（教学至{month.teaching_until.day}日）" if month.teaching_until else ""
    if month.applicable:
        # 4.4 counts visits; their 课时 and minutes are judged by 4.5 and 4.6.
        row.status = status_of(month.visits / month.required_visits)
        if month.share < 1:
            row.note = f"只覆盖{month.days}天{taught}，要求{month.required_visits}次"
    elif not month.teaching:
        row.note = "假期"
    else:
        row.note = f"只覆盖{month.days}天{taught}，不要求"
    return row


def student_grid(ctx: Context, member: Member, p: HomeTeachingParams) -> Grid:
    first = max(ctx.period.start, member.since or ctx.period.start)
    last = ctx.period.end
    sessions = [s for s in ctx.sessions_of(member.name) if first <= s.date <= last]
    grid = Grid(member, first, last, sessions)
    rules = p.rules()
    touched = set(months_between(first, last))
    for year in range(school_year_of(first, "09-01"), school_year_of(last, "09-01") + 1):
        bounds = school_year_bounds(year)
        own = [s for s in sessions if bounds[0] <= s.date <= bounds[1]]
        visits = [Session(s.date, s.periods or 0, minutes_per_period(s) or 0.0) for s in own]
        until = p.last_teaching_day.of(year) if p.last_teaching_day else None
        tallied = tally(visits, year, rules, start=first, end=last, last_teaching_day=until)
        grid.years.append(tallied)
        for month in tallied.months:
            if (month.year, month.month) in touched:
                mine = [s for s in own if (s.date.year, s.date.month) == (month.year, month.month)]
                grid.months.append(_row(month, mine, p))
    return grid


def _month_label(month: str) -> str:
    """“2025-11” → “2025年11月”."""
    y, m = month.split("-")
    return f"{y}年{int(m)}月"


def _grids(ctx: Context, p: HomeTeachingParams) -> list[Grid]:
    """Each home-taught student's grid, worked out once for the four rules that read it."""
    key = ("home_teaching_grids", p.model_dump_json())
    if key not in ctx.shared:
        ctx.shared[key] = [student_grid(ctx, m, p) for m in ctx.group("home_teaching").values()]
    grids: list[Grid] = ctx.shared[key]
    return grids


def _none() -> Outcome:
    return Outcome(status="not_applicable", detail="无送教上门学生", absent=True)


def _finish(
    grids: list[Grid], subjects: list[Subject], shares: list[float], issues: list[Issue], what: str
) -> Outcome:
    for grid, subject in zip(grids, subjects, strict=True):
        subject.months = grid.months
    status, ratio = combine(subjects, shares)
    ok = sum(1 for s in subjects if s.status == "pass")
    judged = sum(1 for s in subjects if s.status != "not_applicable")
    evidence: list[Provenance] = dedupe(s.prov for g in grids for s in g.sessions)
    return Outcome(
        status=status,
        ratio=ratio,
        detail=f"{judged}名送教学生中{ok}名{what}",
        evidence=evidence[:40],
        subjects=subjects,
        issues=issues,
        absent=judged == 0,
    )


def _no_sessions(grid: Grid) -> tuple[Subject, Issue]:
    name = grid.member.name
    return (
        Subject(student=name, status="fail", detail="统计期内未见送教记录"),
        Issue(message=f"统计期内未见{name}的送教上门记录", student=name, missing=True),
    )


@rule("home_teaching_visits", HomeTeachingParams)
def home_teaching_visits(ctx: Context, p: HomeTeachingParams) -> Outcome:
    grids = _grids(ctx, p)
    if not grids:
        return _none()
    subjects, shares, issues = [], [], []
    for g in grids:
        name = g.member.name
        months = g.applicable
        if not months:
            subjects.append(
                Subject(student=name, status="not_applicable", detail="统计期内无适用月份")
            )
            shares.append(0.0)
            continue
        short = [m for m in months if m.visits < m.required]
        share = 1 - len(short) / len(months)
        shares.append(share)
        listing = "、".join(
            f"{_month_label(m.month)}{m.visits}次"
            + (f"（该月只覆盖部分，要求{m.required}次）" if m.required < p.visits_per_month else "")
            for m in short
        )
        detail = (
            f"{len(months)}个适用月中{len(months) - len(short)}个月送教不少于{p.visits_per_month}次"
        )
        subjects.append(
            Subject(
                student=name,
                status=status_of(share),
                detail=detail + (f"；不足：{listing}" if short else ""),
            )
        )
        if short:
            issues.append(
                Issue(
                    message=f"{name}有{len(short)}个月送教不足{p.visits_per_month}次：{listing}",
                    student=name,
                    evidence=[
                        s.prov
                        for s in g.sessions
                        if s.date.strftime("%Y-%m") in {m.month for m in short}
                    ][:10],
                    missing=True,
                )
            )
    return _finish(grids, subjects, shares, issues, f"每个适用月送教不少于{p.visits_per_month}次")


def _unread_by_why(
    unread: list[HomeTeachingSession],
) -> list[tuple[str, list[HomeTeachingSession]]]:
    """Sessions whose box was written but not made out for each, by why: a scan OCR could not
    read, or a row telling a month's visits together (各 not said)."""
    groups: dict[str, list[HomeTeachingSession]] = {}
    for s in unread:
        why = "扫描件识别不清" if s.prov.ocr_engine else "按月合写，未逐次写明"
        groups.setdefault(why, []).append(s)
    return list(groups.items())


def _per_visit(
    grids: list[Grid], check: str, p: HomeTeachingParams
) -> tuple[list[Subject], list[float], list[Issue]]:
    subjects, shares, issues = [], [], []
    for g in grids:
        name = g.member.name
        if not g.sessions:
            subject, issue = _no_sessions(g)
            subjects.append(subject)
            shares.append(0.0)
            issues.append(issue)
            continue
        bad: list[tuple[HomeTeachingSession, str]] = []
        unread: list[HomeTeachingSession] = []  # written on a scan, not made out: for a person
        box = ILLEGIBLE_PERIODS if check == "periods" else ILLEGIBLE_TIME  # what OCR may miss
        for s in g.sessions:
            if check == "periods":
                if s.periods is None and box in s.illegible:
                    unread.append(s)
                elif s.periods is None:
                    bad.append((s, "未写课时数"))
                elif s.periods < p.periods_per_visit:
                    bad.append((s, f"{s.periods}课时"))
            else:
                mpp = minutes_per_period(s)
                if mpp is None and box in s.illegible:
                    unread.append(s)
                elif mpp is None:
                    bad.append((s, "未写起止时间或每课时分钟数"))
                elif mpp < p.minutes_per_period:
                    bad.append((s, f"每课时{mpp:g}分钟"))
        judged = len(g.sessions) - len(unread)
        share = 1 - len(bad) / judged if judged else 0.0
        shares.append(share)
        rule_text = (
            f"不少于{p.periods_per_visit}课时"
            if check == "periods"
            else f"每课时不少于{p.minutes_per_period:g}分钟"
        )
        listing = "；".join(f"{cn_date(s.date)}{why}" for s, why in bad)
        detail = f"送教{len(g.sessions)}次，{judged - len(bad)}次{rule_text}"
        for why, these in _unread_by_why(unread):
            where = "、".join(
                f"{cn_date(s.date)}（第{s.prov.page}页）" if s.prov.page else cn_date(s.date)
                for s in these
            )
            said = f"{len(these)}次{box}{why}，需人工核查：{where}"
            detail += f"；{said}"
            issues.append(
                Issue(
                    message=f"{name}有{said}",
                    student=name,
                    evidence=[s.prov for s in these][:10],
                    missing=True,  # not a breach: the evidence is there, unread
                )
            )
        # the rest passed (or there is no rest): these wait for a person
        status = "not_reviewed" if unread and not bad else status_of(share)
        subjects.append(
            Subject(
                student=name,
                status=status,
                detail=detail + (f"；不符：{listing}" if bad else ""),
            )
        )
        if bad:
            issues.append(
                Issue(
                    message=f"{name}有{len(bad)}次送教未达到{rule_text}：{listing}",
                    student=name,
                    evidence=[s.prov for s, _ in bad][:10],
                )
            )
    return subjects, shares, issues


@rule("home_teaching_periods", HomeTeachingParams)
def home_teaching_periods(ctx: Context, p: HomeTeachingParams) -> Outcome:
    grids = _grids(ctx, p)
    if not grids:
        return _none()
    subjects, shares, issues = _per_visit(grids, "periods", p)
    return _finish(grids, subjects, shares, issues, f"每次送教不少于{p.periods_per_visit}课时")


@rule("home_teaching_minutes", HomeTeachingParams)
def home_teaching_minutes(ctx: Context, p: HomeTeachingParams) -> Outcome:
    grids = _grids(ctx, p)
    if not grids:
        return _none()
    subjects, shares, issues = _per_visit(grids, "minutes", p)
    return _finish(grids, subjects, shares, issues, f"每课时不少于{p.minutes_per_period:g}分钟")


def year_totals(g: Grid) -> list[tuple[int, float, float, float]]:
    """(school year, teaching months covered, amount taught, amount required) per school year."""
    return [
        (
            t.school_year,
            round(sum(m.share for m in t.months if m.teaching and m.applicable), 2),
            round(t.total, 1),
            float(t.required),
        )
        for t in g.years
    ]


def _periods_not_made_out(g: Grid, school_year: int) -> int:
    """Sessions of a school year whose 课时 box was written but not made out for each."""
    start, end = school_year_bounds(school_year)
    return sum(
        1
        for s in g.sessions
        if start <= s.date <= end and s.periods is None and ILLEGIBLE_PERIODS in s.illegible
    )


@rule("home_teaching_year", HomeTeachingParams)
def home_teaching_year(ctx: Context, p: HomeTeachingParams) -> Outcome:
    grids = _grids(ctx, p)
    if not grids:
        return _none()
    subjects, shares, issues = [], [], []
    for g in grids:
        name = g.member.name
        totals = [t for t in year_totals(g) if t[3] > 0]
        if not totals:
            subjects.append(
                Subject(student=name, status="not_applicable", detail="统计期内无适用月份")
            )
            shares.append(0.0)
            continue
        parts, unmet, unknown, share_sum = [], [], [], 0.0
        for year, months, have, need in totals:
            basis = (
                "全学年"
                if need >= p.periods_per_year
                else f"覆盖{months:g}个教学月×{p.prorate_per_month:g}"
            )
            text = f"{year}学年送教{have:g}{p.unit}，应不少于{need:g}{p.unit}（{basis}）"
            uncounted = _periods_not_made_out(g, year)
            if uncounted and have < need:
                # each could hold the 课时 still wanting: the year is for a person to count
                text += f"，另有{uncounted}次送教的课时数未能识别（扫描不清或按月合写）"
                unknown.append(text)
            parts.append(text)
            share_sum += min(1.0, have / need)
            if have < need and not uncounted:
                unmet.append(text)
        share = share_sum / len(totals)
        shares.append(share)
        status = status_of(share) if not unmet else ("partial" if share > 0 else "fail")
        subjects.append(
            Subject(
                student=name,
                status="not_reviewed" if unknown and not unmet else status,
                detail="；".join(parts),
            )
        )
        if unknown:
            issues.append(
                Issue(
                    message=f"{name}年度送教量待人工核查：" + "；".join(unknown),
                    student=name,
                    evidence=[s.prov for s in g.sessions if s.periods is None][:5],
                    missing=True,
                )
            )
        if unmet:
            issues.append(
                Issue(
                    message=f"{name}年度送教不足：" + "；".join(unmet),
                    student=name,
                    evidence=[s.prov for s in g.sessions][:5],
                    missing=True,
                )
            )
    return _finish(grids, subjects, shares, issues, "年度送教量达到要求")
