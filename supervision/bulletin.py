"""What a 督导通报 says (002 § 四(三)(四)): every school's level and score, ranked; the
requirements most often failed and their schools; 一票否决 items; rectification status; and,
when given, the rates against the targets. The round's bulletin takes all its visits; the
monthly one the visits and rectifications of one month."""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from forms.dates import cn_date
from supervision.config import RoundConfig
from supervision.model import RECT_OVERDUE, RECT_STATUS, Round, VisitRecord
from supervision.rates import UnitRates
from supervision.rectify import is_overdue, status_name


@dataclass
class SchoolLine:
    rank: int
    school: str
    township: str
    inspector: str
    visited_on: date
    level: str
    score: float | None
    max: float | None
    percent: float | None
    gates: list[str]  # 一票否决: “2.1 不符合：…”
    failed: list[str]  # requirement ids judged fail / partial
    rects_open: int
    rects_total: int


@dataclass
class TownLine:
    """A township's schools in the bulletin (002 § 四(四) reports on 乡镇 and schools)."""

    township: str
    schools: int
    average: float | None  # mean 得分率 of its schools audited
    gates: int  # schools with a 一票否决 item
    rects_open: int
    rects_total: int


@dataclass
class FailedItem:
    item_id: str
    title: str
    schools: list[str]


@dataclass
class RectLine:
    school: str
    item_id: str
    text: str
    deadline: date
    status: str


@dataclass
class Bulletin:
    title: str
    period: str
    lines: list[SchoolLine]
    failed: list[FailedItem]
    gates: list[tuple[str, str]]  # (school, reason)
    rect_counts: dict[str, int]
    rects: list[RectLine]
    revisits: list[tuple[str, date]]  # (school, day) 回访 done in the window
    rates: list[UnitRates] = field(default_factory=list)
    level_counts: Counter[str] = field(default_factory=Counter)
    townships: list[TownLine] = field(default_factory=list)


def town_lines(lines: list[SchoolLine]) -> list[TownLine]:
    out = []
    for town in sorted({line.township for line in lines}):
        own = [line for line in lines if line.township == town]
        scored = [line.percent for line in own if line.percent is not None]
        out.append(
            TownLine(
                township=town or "（未填乡镇）",
                schools=len(own),
                average=round(sum(scored) / len(scored), 1) if scored else None,
                gates=sum(bool(line.gates) for line in own),
                rects_open=sum(line.rects_open for line in own),
                rects_total=sum(line.rects_total for line in own),
            )
        )
    return out


def _percent(v: VisitRecord) -> float | None:
    return v.result.summary.percent if v.result else None


def _level(v: VisitRecord) -> str:
    if v.result is None:
        return "未核查"
    return v.result.verdict.final.level or v.result.summary.level


def _gates(v: VisitRecord) -> list[str]:
    if v.result is None:
        return []
    return [c.reason for c in v.result.explain.caps if c.requirement]


def _failed(v: VisitRecord, statuses: list[str]) -> list[tuple[str, str]]:
    if v.result is None:
        return []
    return [
        (it.id, it.title)
        for it in v.result.items
        if it.level == "requirement" and it.status in statuses
    ]


def latest_visits(visits: list[VisitRecord]) -> list[VisitRecord]:
    """Each school's latest visit (a 回访 does not replace the visit it follows up)."""
    by_school: dict[str, VisitRecord] = {}
    for v in sorted(visits, key=lambda v: v.visited_on):
        if v.kind == "visit":
            by_school[v.school] = v
    return list(by_school.values())


def _rank_key(line: SchoolLine, order: list[str]) -> tuple[object, ...]:
    keys: list[object] = []
    for rule in order:
        if rule == "percent_desc":
            keys.append(-(line.percent if line.percent is not None else -1))
        elif rule == "gates_asc":
            keys.append(len(line.gates))
        elif rule == "name":
            keys.append(line.school)
    return tuple(keys)


def build_bulletin(
    rnd: Round,
    config: RoundConfig,
    today: date,
    month: str | None = None,
    rates: list[UnitRates] | None = None,
) -> Bulletin:
    """The round's bulletin, or with `month` ("2026-03") the monthly one."""
    visits = rnd.visits
    first, last = rnd.start, rnd.end
    if month:
        year, number = (int(x) for x in month.split("-"))
        first, last = (
            date(year, number, 1),
            date(year, number, calendar.monthrange(year, number)[1]),
        )
        visits = [v for v in visits if first <= v.visited_on <= last]
    statuses = config.bulletin.failed_statuses.value
    lines: list[SchoolLine] = []
    failed_by: dict[str, FailedItem] = {}
    gates: list[tuple[str, str]] = []
    for v in latest_visits(visits):
        failed = _failed(v, statuses)
        for item_id, title in failed:
            failed_by.setdefault(item_id, FailedItem(item_id, title, [])).schools.append(v.school)
        gates += [(v.school, g) for g in _gates(v)]
        lines.append(
            SchoolLine(
                rank=0,
                school=v.school,
                township=v.township or "",
                inspector=v.inspector,
                visited_on=v.visited_on,
                level=_level(v),
                score=v.result.summary.score if v.result else None,
                max=v.result.summary.max if v.result else None,
                percent=_percent(v),
                gates=_gates(v),
                failed=[i for i, _ in failed],
                rects_open=sum(r.status != "closed" for r in v.rectifications),
                rects_total=len(v.rectifications),
            )
        )
    lines.sort(key=lambda line: _rank_key(line, config.bulletin.ranking.value))
    for n, line in enumerate(lines, 1):
        line.rank = n
    top = sorted(failed_by.values(), key=lambda f: (-len(f.schools), f.item_id))
    top = top[: config.bulletin.most_failed.value]
    rect_lines: list[RectLine] = []
    counts = dict.fromkeys([*RECT_STATUS.values(), RECT_OVERDUE], 0)
    for v in rnd.visits:
        for r in v.rectifications:
            if month and not (first <= r.deadline <= last or is_overdue(r, last, config)):
                continue
            name = status_name(r, today, config)
            counts[name] += 1
            rect_lines.append(RectLine(v.school, r.item_id, r.text, r.deadline, name))
    rect_lines.sort(key=lambda r: (r.status != RECT_OVERDUE, r.deadline, r.school))
    revisits = sorted((v.school, v.visited_on) for v in visits if v.kind == "revisit")
    period = f"{first.year}年{first.month}月" if month else f"{cn_date(first)}至{cn_date(last)}"
    title = f"关于{period}控辍保学工作督导情况的通报" if month else f"关于{rnd.name}情况的通报"
    return Bulletin(
        title=title,
        period=period,
        lines=lines,
        failed=top,
        gates=gates,
        rect_counts=counts,
        rects=rect_lines,
        revisits=revisits,
        rates=rates or [],
        level_counts=Counter(line.level for line in lines),
        townships=town_lines(lines),
    )
