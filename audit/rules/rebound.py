"""Item 2: is there a dropout rebound — headcounts that disagree, gaps in the daily ledger."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from audit.facts import Headcount, Provenance
from audit.rules.base import (
    Context,
    Issue,
    Outcome,
    Params,
    dedupe,
    month_bounds,
    months_between,
    name_key,
    rule,
)
from forms.dates import cn_date

SOURCE_NAMES = {"xueji": "学籍系统导出", "on_roll": "学校在校生名单", "roll_call": "进班点名"}


class HeadcountParams(Params):
    tolerance: int = 0
    compare_with: list[Literal["roll_call", "on_roll"]]
    count_approved_leave: bool = True


def _latest(items: list[Headcount]) -> Headcount | None:
    return max(items, key=lambda h: h.date or date.min) if items else None


def _side(ctx: Context, source: str) -> tuple[int, list[str], list[Provenance], date | None] | None:
    """(count, names, provenance, date) from a Headcount, or from a roster of names."""
    h = _latest([h for h in ctx.facts.headcounts if h.source == source])
    roster = "on_roll" if source == "roll_call" else source
    listed = ctx.roster(roster) if source != "roll_call" else []
    if h is not None:
        names = h.names or [s.name for s in listed]
        return h.count, names, [h.prov], h.date
    if listed:
        names = list(dict.fromkeys(s.name for s in listed))
        return len(names), names, dedupe(s.prov for s in listed), None
    return None


@rule("headcount", HeadcountParams)
def headcount(ctx: Context, p: HeadcountParams) -> Outcome:
    xueji = _side(ctx, "xueji")
    other, other_source = None, ""
    for source in p.compare_with:
        other = _side(ctx, source)
        if other:
            other_source = source
            break
    issues: list[Issue] = []
    if xueji is None:
        issues.append(Issue(message="未见学籍系统导出的学生人数或名单", missing=True))
    if other is None:
        wanted = "或".join(SOURCE_NAMES[s] for s in p.compare_with)
        issues.append(Issue(message=f"未见{wanted}人数，无法与学籍人数比对", missing=True))
    if xueji is None or other is None:
        evidence = (xueji[2] if xueji else []) + (other[2] if other else [])
        return Outcome(
            ratio=0.0, detail="；".join(i.message for i in issues), evidence=evidence, issues=issues
        )
    x_count, x_names, x_prov, _ = xueji
    o_count, o_names, o_prov, o_date = other
    on_leave: list[str] = []
    if p.count_approved_leave and o_date and other_source == "roll_call":
        on_leave = [lv.student for lv in ctx.facts.leaves if lv.start <= o_date <= lv.end]
    evidence = x_prov + o_prov
    label = SOURCE_NAMES[other_source] + (f"（{cn_date(o_date)}）" if o_date else "")
    detail = f"学籍系统{x_count}人，{label}{o_count}人"
    leave_keys = {name_key(n) for n in on_leave}
    only_x: list[str] = []
    only_o: list[str] = []
    if x_names and o_names:
        xk = {name_key(n): n for n in x_names}
        ok = {name_key(n): n for n in o_names}
        only_x = [n for k, n in xk.items() if k not in ok and k not in leave_keys]
        only_o = [n for k, n in ok.items() if k not in xk]
        excused = [n for k, n in xk.items() if k not in ok and k in leave_keys]
        gap = len(only_x) + len(only_o)
    else:
        excused = on_leave
        gap = abs(x_count - o_count - (len(on_leave) if x_count > o_count else 0))
    if excused:
        detail += f"；当天请假{len(excused)}人（{'、'.join(excused)}）按在校计"
    if gap <= p.tolerance and not only_x and not only_o:
        return Outcome(ratio=1.0, detail=detail + "，人数相符", evidence=evidence)
    parts = []
    if only_x:
        parts.append(f"学籍有而{SOURCE_NAMES[other_source]}无：{'、'.join(only_x)}")
    if only_o:
        parts.append(f"{SOURCE_NAMES[other_source]}有而学籍无：{'、'.join(only_o)}")
    if not parts:
        parts.append(f"相差{gap}人（无名单，无法逐人比对）")
    message = f"学籍人数与{SOURCE_NAMES[other_source]}不符（{x_count}比{o_count}）；" + "；".join(
        parts
    )
    issues.append(Issue(message=message, evidence=evidence))
    return Outcome(
        status="fail",
        ratio=0.0,
        detail=detail + "；" + "；".join(parts),
        evidence=evidence,
        issues=issues,
    )


class AttendanceParams(Params):
    school_months: list[int]
    min_weekday_fraction: float


def _weekdays(lo: date, hi: date) -> int:
    return sum(1 for i in range((hi - lo).days + 1) if (lo + timedelta(days=i)).weekday() < 5)


@rule("attendance", AttendanceParams)
def attendance(ctx: Context, p: AttendanceParams) -> Outcome:
    period = ctx.period
    days: dict[date, Provenance] = {}
    for a in ctx.facts.attendance:
        if a.date in period:
            days.setdefault(a.date, a.prov)
    months = [ym for ym in months_between(period.start, period.end) if ym[1] in p.school_months]
    issues: list[Issue] = []
    covered = 0
    judged = 0
    for y, m in months:
        first, last = month_bounds(y, m)
        lo, hi = max(first, period.start), min(last, period.end)
        need = _weekdays(lo, hi) * p.min_weekday_fraction
        if need <= 0:
            continue
        judged += 1
        have = sum(1 for d in days if lo <= d <= hi)
        if have >= need:
            covered += 1
        else:
            issues.append(
                Issue(
                    message=f"{y}年{m}月日报台账只有{have}天记录（应不少于{int(-(-need // 1))}天）",
                    missing=True,
                )
            )
    if not days:
        return Outcome(
            ratio=0.0,
            detail=f"统计期内未见未按时返校日报台账或考勤记录（{period.label()}）",
            issues=[Issue(message="统计期内未见未按时返校日报台账（考勤表）", missing=True)],
        )
    detail = f"{judged}个教学月中{covered}个月日报记录完整，共{len(days)}天有记录"
    return Outcome(
        ratio=covered / judged if judged else 1.0,
        detail=detail,
        evidence=dedupe(days.values())[:20],
        issues=issues,
    )
