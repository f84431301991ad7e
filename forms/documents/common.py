"""Pieces several documents share: profile-dependent record errors, visit participants."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field

from forms.dates import cn_date
from forms.errors import FieldError, RecordError, chinese_label
from forms.models import DateField, Name, OptText, Record, Text


def rule_error(model: type[BaseModel], loc: tuple[str | int, ...], message: str) -> RecordError:
    """A record that validates on its own but breaks a rule of the chosen profile."""
    return RecordError(
        [FieldError(loc=".".join(map(str, loc)), label=chinese_label(model, loc), message=message)]
    )


def weekdays_between(first: date, last: date) -> int:
    """Monday–Friday days from `first` to `last`, both included (0 when last < first)."""
    days = (last - first).days + 1
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for i in range(rest):
        if (first + timedelta(days=weeks * 7 + i)).weekday() < 5:
            count += 1
    return count


# The bodies a visit participant may belong to (audit/facts.py Body uses the same codes).
BODY_NAMES: dict[str, str] = {
    "school": "学校",
    "township": "乡镇人民政府",
    "village": "村（居）委会",
    "justice": "司法所",
    "bureau": "教育局",
    "police": "公安派出所",
    "disability_fed": "残联",
    "other": "其他单位",
}
_BODY_ALIASES: dict[str, str] = {
    **{name: code for code, name in BODY_NAMES.items()},
    **{code: code for code in BODY_NAMES},
    "学校": "school",
    "中心学校": "school",
    "乡镇政府": "township",
    "镇政府": "township",
    "乡政府": "township",
    "乡镇": "township",
    "镇人民政府": "township",
    "乡人民政府": "township",
    "街道办": "township",
    "村委会": "village",
    "村委": "village",
    "居委会": "village",
    "社区": "village",
    "村（场社区）": "village",
    "村（社区）": "village",
    "网格员": "village",
    "镇司法所": "justice",
    "司法": "justice",
    "县教育局": "bureau",
    "市教育局": "bureau",
    "区教育局": "bureau",
    "派出所": "police",
    "公安": "police",
    "残疾人联合会": "disability_fed",
    "镇残联": "disability_fed",
}


def _body(value: object) -> object:
    if isinstance(value, str):
        key = value.strip()
        if key in _BODY_ALIASES:
            return _BODY_ALIASES[key]
        raise ValueError(f"“{value}”不是可识别的单位类别（可填：{'、'.join(BODY_NAMES.values())}）")
    return value


Body = Annotated[
    Literal[
        "school", "township", "village", "justice", "bureau", "police", "disability_fed", "other"
    ],
    BeforeValidator(_body),
]


class Participant(Record):
    name: Name = Field(title="姓名")
    body: Body = Field(
        title="单位类别",
        description="学校、乡镇人民政府、村（居）委会、司法所、教育局、派出所、残联、其他单位",
    )
    unit: OptText = Field(None, title="单位名称", description="如 蛟潭镇人民政府；不填则印单位类别")
    role: OptText = Field(None, title="职务")

    @property
    def body_name(self) -> str:
        return BODY_NAMES[self.body]

    @property
    def unit_name(self) -> str:
        return self.unit or BODY_NAMES[self.body]


class Attempt(Record):
    """One persuasion attempt (劝返) before a report: when, who, how, with what result.

    `who` is who recorded or led it; `participants` everyone who took part (a joint
    visit's village cadres and township officials too) — the report names them all."""

    date: DateField = Field(title="日期")
    who: Text = Field(title="劝返人员")
    method: Text = Field(title="方式", description="如 电话联系、入户劝返、发放劝返通知书")
    result: Text = Field(title="结果")
    participants: list[Participant] = Field(default_factory=list, title="参加人员")

    @property
    def people(self) -> str:
        """Everyone named once: `who`'s names not among the participants, then each
        participant with unit (another body's) and role."""
        named = [n for n in re.split(r"[、，,;；\s]+", self.who) if n]
        listed = []
        for p in self.participants:
            # the school writes the report: its own people by their role alone
            about = [p.unit_name] if p.body != "school" or p.unit else []
            about += [p.role] if p.role else []
            listed.append(f"{p.name}（{'，'.join(about)}）" if about else p.name)
        extra = [n for n in named if not any(p.name in n for p in self.participants)]
        return "、".join([*extra, *listed])


def _time(value: object) -> object:
    """Accept 9:30, 09:30, 9：30, 9点30分, 9点."""
    if isinstance(value, str):
        text = value.strip().replace("：", ":")
        match = re.fullmatch(r"(\d{1,2})(?:[:点](?:(\d{1,2})分?)?)?(?::\d{2})?", text)
        if match:
            return f"{int(match.group(1)):02d}:{int(match.group(2) or 0):02d}"
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads 9:30 as the sexagesimal integer 570
        return f"{value // 60:02d}:{value % 60:02d}"
    return value


TimeField = Annotated[time, BeforeValidator(_time)]
Names = Annotated[list[Name], Field(min_length=1)]


def age_error(
    model: type[BaseModel],
    loc: tuple[str | int, ...],
    age: int | None,
    on: date,
    age_range: list[int],
    source: str,
    what: str,
) -> RecordError | None:
    """An error when `age` on `on` lies outside the profile's inclusive range."""
    low, high = age_range
    if age is None:
        return rule_error(model, loc, f"必须填写（用于核对{what}年龄{low}至{high}周岁）")
    if not low <= age <= high:
        return rule_error(
            model,
            loc,
            f"{cn_date(on)}时{age}周岁，不在{what}的{low}至{high}周岁范围内（{source}）",
        )
    return None
