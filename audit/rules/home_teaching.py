"""Item 4.4–4.7: 送教上门 month by month — visits a month, 课时 a visit, minutes a 课时, a year.

Each home-taught student gets a grid of the months from the later of the period start and
the start of home teaching to the period end. A teaching month only partly covered requires
visits in proportion (July 1–15: 1 visit of 2); the yearly total is pro-rated at so many 课时
per covered teaching month when less than a school year is covered (DESIGN.md § Rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from audit.facts import HomeTeachingSession, Provenance
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
    month_bounds,
    months_between,
    name_key,
    round_half_up,
    rule,
    school_year_of,
    status_of,
)
from forms.dates import cn_date


class HomeTeachingParams(Params):
    visits_per_month: int
    periods_per_visit: int
    minutes_per_period: float
    periods_per_year: float
    unit: Literal["课时", "小时"]
    teaching_months: list[int]
    prorate_per_month: float
    prorate_partial_months: bool
    school_year_start: str


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


def session_minutes(s: HomeTeachingSession) -> float | None:
    mpp = minutes_per_period(s)
    if s.total_minutes:
        return s.total_minutes
    return mpp * s.periods if mpp and s.periods else None


@dataclass
class Grid:
    """One student's home teaching inside the period."""

    member: Member
    first: date
    last: date
    sessions: list[HomeTeachingSession]
    months: list[MonthRow] = field(default_factory=list)

    @property
    def applicable(self) -> list[MonthRow]:
        return [m for m in self.months if m.applicable]


def student_grid(ctx: Context, member: Member, p: HomeTeachingParams) -> Grid:
    first = max(ctx.period.start, member.since or ctx.period.start)
    last = ctx.period.end
    key = name_key(member.name)
    sessions = sorted(
        (s for s in ctx.facts.sessions if name_key(s.student) == key and first <= s.date <= last),
        key=lambda s: s.date,
    )
    grid = Grid(member, first, last, sessions)
    for y, m in months_between(first, last):
        lo, hi = month_bounds(y, m)
        covered = (min(hi, last) - max(lo, first)).days + 1
        share = covered / ((hi - lo).days + 1)
        required = 0
        if m in p.teaching_months:
            full = p.visits_per_month
            required = round_half_up(full * share) if p.prorate_partial_months else full
        month = [s for s in sessions if s.date.year == y and s.date.month == m]
        mpps = [x for x in (minutes_per_period(s) for s in month) if x is not None]
        row = MonthRow(
            month=f"{y}-{m:02d}",
            applicable=required > 0,
            share=round(share, 4),
            required=required,
            visits=len(month),
            periods=sum(s.periods or 0 for s in month),
            minutes=round(min(mpps), 1) if mpps else None,
            short_visits=sum(1 for s in month if (s.periods or 0) < p.periods_per_visit),
            short_periods=sum(
                1 for s in month if (minutes_per_period(s) or 0) < p.minutes_per_period
            ),
        )
        if required:
            row.status = status_of(len(month) / required)
            if share < 1:
                row.note = f"只覆盖{covered}天，要求{required}次"
        elif m not in p.teaching_months:
            row.note = "假期"
        else:
            row.note = f"只覆盖{covered}天，不要求"
        grid.months.append(row)
    return grid


def _month_label(month: str) -> str:
    """“2025-11” → “2025年11月”."""
    y, m = month.split("-")
    return f"{y}年{int(m)}月"


def _grids(ctx: Context, p: HomeTeachingParams) -> list[Grid]:
    return [student_grid(ctx, m, p) for m in ctx.group("home_teaching").values()]


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
        for s in g.sessions:
            if check == "periods":
                if s.periods is None:
                    bad.append((s, "未写课时数"))
                elif s.periods < p.periods_per_visit:
                    bad.append((s, f"{s.periods}课时"))
            else:
                mpp = minutes_per_period(s)
                if mpp is None:
                    bad.append((s, "未写起止时间或每课时分钟数"))
                elif mpp < p.minutes_per_period:
                    bad.append((s, f"每课时{mpp:g}分钟"))
        share = 1 - len(bad) / len(g.sessions)
        shares.append(share)
        rule_text = (
            f"不少于{p.periods_per_visit}课时"
            if check == "periods"
            else f"每课时不少于{p.minutes_per_period:g}分钟"
        )
        listing = "；".join(f"{cn_date(s.date)}{why}" for s, why in bad)
        detail = f"送教{len(g.sessions)}次，{len(g.sessions) - len(bad)}次{rule_text}"
        subjects.append(
            Subject(
                student=name,
                status=status_of(share),
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


def year_totals(g: Grid, p: HomeTeachingParams) -> list[tuple[int, float, float, float]]:
    """(school year, teaching months covered, amount taught, amount required) per school year.

    Months count by the share covered (July 1–15 is 15/31 of a month); the requirement is
    `prorate_per_month` a covered month, rounded, and at most `periods_per_year`.
    """
    out = []
    start = p.school_year_start

    def year(month: MonthRow) -> int:
        return school_year_of(date.fromisoformat(month.month + "-01"), start)

    for sy in sorted({year(m) for m in g.months}):
        covered = sum(
            m.share for m in g.months if year(m) == sy and int(m.month[5:]) in p.teaching_months
        )
        sessions = [s for s in g.sessions if school_year_of(s.date, start) == sy]
        if p.unit == "课时":
            have = float(sum(s.periods or 0 for s in sessions))
        else:
            have = sum(session_minutes(s) or 0 for s in sessions) / 60
        need = float(min(p.periods_per_year, round_half_up(p.prorate_per_month * covered)))
        out.append((sy, round(covered, 2), round(have, 1), need))
    return out


@rule("home_teaching_year", HomeTeachingParams)
def home_teaching_year(ctx: Context, p: HomeTeachingParams) -> Outcome:
    grids = _grids(ctx, p)
    if not grids:
        return _none()
    subjects, shares, issues = [], [], []
    for g in grids:
        name = g.member.name
        totals = [t for t in year_totals(g, p) if t[3] > 0]
        if not totals:
            subjects.append(
                Subject(student=name, status="not_applicable", detail="统计期内无适用月份")
            )
            shares.append(0.0)
            continue
        parts, unmet, share_sum = [], [], 0.0
        for year, months, have, need in totals:
            basis = (
                "全学年"
                if need >= p.periods_per_year
                else f"覆盖{months:g}个教学月×{p.prorate_per_month:g}"
            )
            text = f"{year}学年送教{have:g}{p.unit}，应不少于{need:g}{p.unit}（{basis}）"
            parts.append(text)
            share_sum += min(1.0, have / need)
            if have < need:
                unmet.append(text)
        share = share_sum / len(totals)
        shares.append(share)
        subjects.append(
            Subject(
                student=name,
                status=status_of(share) if not unmet else ("partial" if share > 0 else "fail"),
                detail="；".join(parts),
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
