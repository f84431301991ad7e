"""Item 3: policy suspension — joint visits before it, persuasion visits after it.

Per student: before the suspension date at least `min_joint_visits` visits with people from at
least `min_bodies` bodies (a school-only visit is not joint); after it, no stretch longer than
`window_months` calendar months without a visit (`window_reading: max_gap`, the default) or
`per_window` visits in each window of `window_months` counted from the suspension date
(`windows`), `per_semester` a semester and `per_year` a school year, pro-rated where a
semester or year is only partly inside the period (see the checklist's readings).
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel

from audit.facts import Provenance, Visit
from audit.rules.base import (
    Context,
    Issue,
    Member,
    Outcome,
    Params,
    Subject,
    combine,
    dedupe,
    month_day,
    name_key,
    round_half_up,
    rule,
    status_of,
)
from forms.dates import cn_date
from forms.suspension import add_months

BODY_NAMES = {
    "school": "学校",
    "township": "乡镇",
    "village": "村（社区）",
    "justice": "司法所",
    "bureau": "教育局",
    "police": "派出所",
    "disabled_fed": "残联",
    "other": "其他",
}


def _visits(ctx: Context, student: str) -> list[Visit]:
    key = name_key(student)
    return sorted((v for v in ctx.facts.visits if name_key(v.student) == key), key=lambda v: v.date)


def _bodies(v: Visit) -> str:
    return "+".join(BODY_NAMES.get(b, b) for b in sorted(v.bodies)) or "未记录参加单位"


def _unknown_date(m: Member) -> tuple[Subject, Issue]:
    return (
        Subject(student=m.name, status="not_reviewed", detail="未见休学办理日期，无法判断"),
        Issue(message=f"未见{m.name}的休学办理日期（名册或认定表）", student=m.name, missing=True),
    )


class JointVisitParams(Params):
    min_joint_visits: int
    min_bodies: int
    court_ruling_alternative: bool


@rule("joint_visits", JointVisitParams)
def joint_visits(ctx: Context, p: JointVisitParams) -> Outcome:
    members = ctx.group("suspension")
    if not members:
        return Outcome(status="not_applicable", detail="无政策性休学学生", absent=True)
    subjects: list[Subject] = []
    shares: list[float] = []
    issues: list[Issue] = []
    evidence: list[Provenance] = []
    for m in members.values():
        if m.since is None:
            subject, issue = _unknown_date(m)
            subjects.append(subject)
            shares.append(0.0)
            issues.append(issue)
            continue
        before = [v for v in _visits(ctx, m.name) if v.date < m.since]
        joint = [v for v in before if len(v.bodies) >= p.min_bodies]
        single = [v for v in before if len(v.bodies) < p.min_bodies]
        evidence += [v.prov for v in before]
        court = ctx.present(["court_ruling"], student=m.name) if p.court_ruling_alternative else []
        evidence += court
        parts = [f"休学日期{cn_date(m.since)}，此前劝访{len(before)}次，其中联合劝访{len(joint)}次"]
        if single:
            lone = "；".join(f"{cn_date(v.date)}仅{_bodies(v)}" for v in single)
            parts.append(f"不算联合劝访：{lone}")
        if court:
            parts.append("有司法判决或裁定书")
        share = 1.0 if court else min(1.0, len(joint) / p.min_joint_visits)
        shares.append(share)
        subjects.append(Subject(student=m.name, status=status_of(share), detail="；".join(parts)))
        if share < 1:
            msg = f"{m.name}办理休学前联合劝访{len(joint)}次，少于{p.min_joint_visits}次"
            if single:
                msg += f"（{len(single)}次只有{'、'.join(sorted({_bodies(v) for v in single}))}人员参加，不算联合劝访）"
            issues.append(
                Issue(
                    message=msg,
                    student=m.name,
                    evidence=[v.prov for v in single + joint][:10],
                    missing=True,
                )
            )
    status, ratio = combine(subjects, shares)
    ok = sum(1 for s in subjects if s.status == "pass")
    return Outcome(
        status=status,
        ratio=ratio,
        detail=f"{len(members)}名休学学生中{ok}名休学前联合劝访达到{p.min_joint_visits}次",
        evidence=dedupe(evidence),
        subjects=subjects,
        issues=issues,
    )


class Semester(BaseModel):
    name: str
    start: str  # "09-01"
    end: str  # "01-31" (of the next year when before start)


class PersuasionParams(Params):
    window_months: int
    per_window: int
    window_reading: Literal["windows", "max_gap"]
    per_semester: int
    semesters: list[Semester]
    per_year: int
    school_year_start: str
    judge_year: bool = True
    prorate: bool = True


Check = tuple[str, bool]  # (description, met)


def _spans(first: date, last: date, sems: list[Semester]) -> list[tuple[str, date, date]]:
    """Every semester occurrence that touches first..last, with its full date range."""
    out = []
    for year in range(first.year - 1, last.year + 1):
        for s in sems:
            lo = month_day(s.start, year)
            hi = month_day(s.end, year)
            if hi < lo:
                hi = month_day(s.end, year + 1)
            if lo <= last and hi >= first:
                out.append((f"{lo.year}年{s.name}", lo, hi))
    return sorted(out, key=lambda x: x[1])


def _need(
    per: int, lo: date, hi: date, first: date, last: date, prorate: bool
) -> tuple[int, date, date]:
    a, b = max(lo, first), min(hi, last)
    if not prorate:
        return (per if a == lo and b == hi else 0), a, b
    share = ((b - a).days + 1) / ((hi - lo).days + 1)
    return round_half_up(per * share), a, b


def _windows(days: list[date], first: date, last: date, p: PersuasionParams) -> list[Check]:
    """`per_window` visits in each whole window of `window_months` from `first`."""
    out: list[Check] = []
    lo = first
    while add_months(lo, p.window_months) - timedelta(days=1) <= last:
        hi = add_months(lo, p.window_months) - timedelta(days=1)
        have = sum(1 for d in days if lo <= d <= hi)
        out.append(
            (
                f"{cn_date(lo)}至{cn_date(hi)}劝返{have}次（应不少于{p.per_window}次）",
                have >= p.per_window,
            )
        )
        lo = hi + timedelta(days=1)
    return out


def _span_text(a: date, b: date) -> str:
    """“4个月5天” between two days, in calendar months."""
    d = relativedelta(b, a)
    months = d.years * 12 + d.months
    return f"{months}个月" + (f"{d.days}天" if d.days else "")


def _max_gap(
    days: list[date], first: date, last: date, first_label: str, p: PersuasionParams
) -> list[Check]:
    """No stretch longer than `window_months` calendar months without a visit.

    The stretches run from `first` (suspension date or period start) to the first visit,
    between visits, and from the last visit to the period end; that last one is judged only
    when the period ends after it could have been closed (its `window_months` are over).
    2025-11-20 → 2026-02-20 is 3 months; 2025-11-30 → 2026-02-28 too (relativedelta).
    """
    limit = relativedelta(months=p.window_months)
    points = [(first, first_label), *((d, "") for d in days)]
    closed = [(a, la, b, lb) for (a, la), (b, lb) in pairwise(points)]
    tail = (*points[-1], last, "（统计期末）")
    over = [s for s in closed if s[0] + limit < s[2]]
    if tail[0] + limit < last:
        over.append(tail)
    if not over:
        # Nothing closed and the open stretch not yet due: nothing to judge.
        return [(f"劝返间隔均不超过{p.window_months}个月", True)] if closed else []
    longest = max(over, key=lambda s: s[2] - s[0])
    a, la, b, lb = longest
    text = (
        f"劝返间隔超过{p.window_months}个月：最长一段{cn_date(a)}{la}至{cn_date(b)}{lb}"
        f"（相隔{_span_text(a, b)}）无劝返"
    )
    others = [s for s in over if s is not longest]
    if others:
        text += "；另有" + "、".join(
            f"{cn_date(x)}{lx}至{cn_date(y)}{ly}" for x, lx, y, ly in others
        )
    return [(text, False)]


def _checks(
    days: list[date], first: date, last: date, first_label: str, p: PersuasionParams
) -> list[Check]:
    """(description, met) for the 3-month reading, every semester and year judged."""
    if p.window_reading == "windows":
        out = _windows(days, first, last, p)
    else:
        out = _max_gap(days, first, last, first_label, p)
    for name, lo, hi in _spans(first, last, p.semesters):
        need, a, b = _need(p.per_semester, lo, hi, first, last, p.prorate)
        if need:
            have = sum(1 for d in days if a <= d <= b)
            out.append((f"{name}劝返{have}次（应不少于{need}次）", have >= need))
    if p.judge_year:
        start_year = first.year - 1
        for year in range(start_year, last.year + 1):
            lo = month_day(p.school_year_start, year)
            hi = month_day(p.school_year_start, year + 1) - timedelta(days=1)
            if lo > last or hi < first:
                continue
            need, a, b = _need(p.per_year, lo, hi, first, last, p.prorate)
            if need:
                have = sum(1 for d in days if a <= d <= b)
                out.append((f"{year}学年劝返{have}次（应不少于{need}次）", have >= need))
    return out


@rule("persuasion_after", PersuasionParams)
def persuasion_after(ctx: Context, p: PersuasionParams) -> Outcome:
    members = ctx.group("suspension")
    if not members:
        return Outcome(status="not_applicable", detail="无政策性休学学生", absent=True)
    subjects: list[Subject] = []
    shares: list[float] = []
    issues: list[Issue] = []
    evidence: list[Provenance] = []
    for m in members.values():
        if m.since is None:
            subject, issue = _unknown_date(m)
            subjects.append(subject)
            shares.append(0.0)
            issues.append(issue)
            continue
        if m.since > ctx.period.end:
            subjects.append(
                Subject(student=m.name, status="not_applicable", detail="休学日期在统计期之后")
            )
            shares.append(0.0)
            continue
        first, last = max(m.since, ctx.period.start), ctx.period.end
        after = [v for v in _visits(ctx, m.name) if first <= v.date <= last]
        evidence += [v.prov for v in after]
        first_label = "（休学）" if first == m.since else "（统计期始）"
        checks = _checks([v.date for v in after], first, last, first_label, p)
        if not checks:
            subjects.append(
                Subject(
                    student=m.name, status="not_applicable", detail="统计期内休学时间不足一个考核段"
                )
            )
            shares.append(0.0)
            continue
        unmet = [text for text, ok in checks if not ok]
        share = 1 - len(unmet) / len(checks)
        shares.append(share)
        head = f"休学后（{cn_date(first)}起）劝返{len(after)}次"
        detail = head + ("，均达到要求" if not unmet else "；" + "；".join(unmet))
        subjects.append(Subject(student=m.name, status=status_of(share), detail=detail))
        if unmet:
            issues.append(
                Issue(
                    message=f"{m.name}{head}：" + "；".join(unmet),
                    student=m.name,
                    evidence=[v.prov for v in after][:10],
                    missing=True,
                )
            )
    status, ratio = combine(subjects, shares)
    ok = sum(1 for s in subjects if s.status == "pass")
    judged = sum(1 for s in subjects if s.status != "not_applicable")
    return Outcome(
        status=status,
        ratio=ratio,
        detail=f"{judged}名休学学生中{ok}名休学后劝返次数达到要求",
        evidence=dedupe(evidence),
        subjects=subjects,
        issues=issues,
        absent=judged == 0,
    )
