"""巩固率, 入学率, 残疾儿童少年入学率, 辍学率, 劝返率 per school, township and county, from a
roster of school-age children and the dropout cases, against the profiles' `targets`.

The formulas and every reading are data (checklists/tables/rates.yaml); this module only
counts (the names the formulas use) and evaluates them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from forms.dates import DateParseError, parse_date
from forms.idcard import IdNumberError, parse_id_number
from forms.profiles import Profile
from forms.roster import read_roster
from supervision.config import RatesConfig, rates_config
from supervision.formula import evaluate

if TYPE_CHECKING:
    from cases.model import Case

COUNTS = (
    "school_age",
    "school_age_enrolled",
    "disabled",
    "disabled_enrolled",
    "enrolled_start",
    "dropouts",
    "dropouts_open",
    "returned",
)
LEVEL_NAMES = {"school": "学校", "township": "乡镇", "county": "全县（市、区）"}


@dataclass(frozen=True)
class Child:
    """One row of the school-age roster (摸排名单): where, enrolment status, disability."""

    school: str | None
    township: str | None
    birth_date: date | None
    status: str
    disabled: bool


@dataclass(frozen=True)
class Dropout:
    """A dropout case as it stood on the day the rates are taken."""

    school: str
    township: str | None
    opened: date
    kind: str  # 疑似辍学 | 辍学 (the ladder's kind on the day)
    open: bool
    returned: bool


@dataclass
class Rate:
    key: str
    name: str
    value: float | None  # None: nothing to count (a zero denominator)
    target: float | None
    target_source: str | None
    met: bool | None  # None: no target in the profile, or nothing to count
    formula: str
    source: str
    reading: str
    note: str = ""

    @property
    def shown(self) -> str:
        if self.value is None:
            return self.note or "—"
        return f"{self.value:.2f}%"

    @property
    def formula_text(self) -> str:
        return rates_config().formula_text(self.key)

    @property
    def target_shown(self) -> str:
        if self.target is None:
            return "—"
        return f"{'≤' if self.key in rates_config().at_most else '≥'}{self.target:g}%"


@dataclass
class UnitRates:
    level: str  # school | township | county
    name: str
    township: str | None
    counts: dict[str, int]
    rates: list[Rate] = field(default_factory=list)

    @property
    def missed(self) -> list[Rate]:
        return [r for r in self.rates if r.met is False]


def _yes(value: object) -> bool:
    text = str(value or "").strip()
    return bool(text) and text not in ("无", "否", "-", "—", "/", "0")


def _birth(cells: Mapping[str, object]) -> date | None:
    value = cells.get("student.birth_date")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return parse_date(value)
        except DateParseError:
            pass
    number = cells.get("student.id_number")
    if number:
        try:
            return parse_id_number(str(number)).birth_date
        except IdNumberError:
            return None
    return None


def read_children(path: Path) -> list[Child]:
    """The school-age roster: 姓名, 出生日期 or 身份证号, 学校名称, 所在乡镇, 入学状态, 残疾类别."""
    roster = read_roster(path)
    out = []
    for row in roster.rows:
        c = row.cells
        out.append(
            Child(
                school=str(c.get("school.name") or "").strip() or None,
                township=str(c.get("school.township") or "").strip() or None,
                birth_date=_birth(c),
                status=str(c.get("status.enrolment") or "").strip(),
                disabled=_yes(c.get("status.disability")),
            )
        )
    return out


def dropouts_from_cases(
    cases: Iterable[Case], on: date, profiles: Mapping[str, Profile]
) -> list[Dropout]:
    """Each case's state on `on`: its kind by the ladder, open, returned (closed as 复学)."""
    from cases.report import state_on

    out = []
    for case in cases:
        state = state_on(case, on, profiles[case.profile_id])
        if state is None:
            continue
        returned = not state.open and state.closing is not None and state.closing.kind == "returned"
        out.append(
            Dropout(
                school=case.school.name,
                township=case.school.township,
                opened=case.opened,
                kind=state.kind,
                open=state.open,
                returned=returned,
            )
        )
    return out


def school_year_start(on: date, config: RatesConfig) -> date:
    month, day = (int(x) for x in config.age_on.value.split("-"))
    year = on.year if (on.month, on.day) >= (month, day) else on.year - 1
    return date(year, month, day)


def _age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def count(
    children: Iterable[Child],
    dropouts: Iterable[Dropout],
    start: date,
    on: date,
    age_range: tuple[int, int],
    config: RatesConfig,
) -> dict[str, int]:
    """The counts the formulas read, over one unit's children and cases."""
    enrolled = set(config.enrolled_statuses.value)
    out_of_school = set(config.dropout_statuses.value)
    age_day = school_year_start(on, config)
    n = dict.fromkeys(COUNTS, 0)
    for child in children:
        if child.status in enrolled or child.status in out_of_school:
            n["enrolled_start"] += 1
        age = _age(child.birth_date, age_day) if child.birth_date else None
        if age is not None and not age_range[0] <= age <= age_range[1]:
            continue
        n["school_age"] += 1
        n["school_age_enrolled"] += child.status in enrolled
        if child.disabled:
            n["disabled"] += 1
            n["disabled_enrolled"] += child.status in enrolled
    kinds = set(config.dropout_kinds.value)
    for d in dropouts:
        if not start <= d.opened <= on or d.kind not in kinds:
            continue
        n["dropouts"] += 1
        n["dropouts_open"] += d.open
        n["returned"] += d.returned
    return n


def rates_of(counts: Mapping[str, int], profile: Profile, config: RatesConfig) -> list[Rate]:
    out = []
    for key, spec in config.rates.items():
        value = evaluate(spec.formula, counts)
        target = profile.targets.get(key)
        met: bool | None = None
        note = ""
        if value is None:
            note = "无可统计"
            if spec.none_meets_target:
                note = "无辍学学生"
                met = True if target is not None else None
        elif target is not None:
            cmp = round(value, 6)
            met = cmp <= target.value if key in config.at_most else cmp >= target.value
        out.append(
            Rate(
                key=key,
                name=spec.name,
                value=value,
                target=target.value if target else None,
                target_source=target.source if target else None,
                met=met,
                formula=spec.formula,
                source=spec.source,
                reading=spec.reading,
                note=note,
            )
        )
    return out


def unit_rates(
    children: list[Child],
    dropouts: list[Dropout],
    start: date,
    on: date,
    county: str,
    county_profile: Profile,
    school_profiles: Mapping[str, Profile],
    schools: Iterable[tuple[str, str | None]] = (),
    config: RatesConfig | None = None,
) -> list[UnitRates]:
    """Rates of every school (those named in the roster, the cases or `schools`), every
    township, and the county; each school against its own profile's targets."""
    config = config or rates_config()
    age_range = (county_profile.age_range.value[0], county_profile.age_range.value[1])
    township_of: dict[str, str | None] = dict(schools)
    for c in children:
        if c.school:
            township_of.setdefault(c.school, c.township)
    for d in dropouts:
        township_of.setdefault(d.school, d.township)
    out: list[UnitRates] = []
    for name in sorted(township_of):
        ch = [c for c in children if c.school == name]
        dr = [d for d in dropouts if d.school == name]
        n = count(ch, dr, start, on, age_range, config)
        profile = school_profiles.get(name, county_profile)
        out.append(UnitRates("school", name, township_of[name], n, rates_of(n, profile, config)))
    townships = sorted(
        {t for t in township_of.values() if t} | {c.township for c in children if c.township}
    )
    for town in townships:
        ch = [c for c in children if (c.township or township_of.get(c.school or "")) == town]
        dr = [d for d in dropouts if (d.township or township_of.get(d.school)) == town]
        n = count(ch, dr, start, on, age_range, config)
        out.append(UnitRates("township", town, town, n, rates_of(n, county_profile, config)))
    n = count(children, dropouts, start, on, age_range, config)
    out.append(UnitRates("county", county, None, n, rates_of(n, county_profile, config)))
    return out
