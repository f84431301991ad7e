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
    for h in ctx.facts.headcounts:
        if h.stated_total is not None and h.names and h.stated_total != h.count:
            label_of = SOURCE_NAMES.get(h.source, "")
            detail += f"；{label_of}汇总合计{h.stated_total}人，与名单{h.count}人不一致，以名单为准"
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
    unit: Literal["day", "week", "month"] = "week"
    min_days_per_unit: int = 1
    min_share: float = 1.0


def _units(period_start: date, period_end: date, p: AttendanceParams) -> list[tuple[date, date]]:
    """The day / week / month spans the ledger must cover: school weekdays inside the period."""
    days = [
        period_start + timedelta(days=i)
        for i in range((period_end - period_start).days + 1)
        if (period_start + timedelta(days=i)).weekday() < 5
        and (period_start + timedelta(days=i)).month in p.school_months
    ]
    spans: dict[object, list[date]] = {}
    for d in days:
        key: object = (
            d if p.unit == "day" else d.isocalendar()[:2] if p.unit == "week" else (d.year, d.month)
        )
        spans.setdefault(key, []).append(d)
    return [(v[0], v[-1]) for v in spans.values()]


UNIT_NAMES = {"day": "个上学日", "week": "个教学周", "month": "个教学月"}


@rule("attendance", AttendanceParams)
def attendance(ctx: Context, p: AttendanceParams) -> Outcome:
    period = ctx.period
    days: dict[date, Provenance] = {}
    for a in ctx.facts.attendance:
        if a.date in period:
            days.setdefault(a.date, a.prov)
    if not days:
        return Outcome(
            ratio=0.0,
            detail=f"统计期内未见未按时返校日报台账或考勤记录（{period.label()}）",
            issues=[Issue(message="统计期内未见未按时返校日报台账（考勤表）", missing=True)],
        )
    units = _units(period.start, period.end, p)
    gaps = [
        (lo, hi) for lo, hi in units if sum(1 for d in days if lo <= d <= hi) < p.min_days_per_unit
    ]
    share = 1 - len(gaps) / len(units) if units else 1.0
    name = UNIT_NAMES[p.unit]
    detail = f"{len(units)}{name}中{len(units) - len(gaps)}个有记录，共{len(days)}天有记录"
    issues: list[Issue] = []
    by_month: dict[tuple[int, int], list[date]] = {}
    for lo, _ in gaps:
        by_month.setdefault((lo.year, lo.month), []).append(lo)
    for (y, m), starts in by_month.items():
        when = "、".join(
            f"{d.month}月{d.day}日" + ("起" if p.unit == "week" else "") for d in starts
        )
        issues.append(
            Issue(message=f"{y}年{m}月有{len(starts)}{name}没有日报记录（{when}）", missing=True)
        )
    if gaps and share >= p.min_share:
        detail += f"（缺{len(gaps)}{name}，在允许范围内）"
        return Outcome(ratio=1.0, detail=detail, evidence=dedupe(days.values())[:20])
    return Outcome(ratio=share, detail=detail, evidence=dedupe(days.values())[:20], issues=issues)
