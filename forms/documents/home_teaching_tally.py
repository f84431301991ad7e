"""送教上门学年统计表: the school year month by month — visits, 课时, minutes, verdicts.

The arithmetic is forms/home_teaching.py (shared with the audit); this module validates
the record and hands the profile's thresholds to it.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from forms.dates import cn_date
from forms.documents.common import rule_error
from forms.documents.home_common import rule_context, rules
from forms.home_teaching import Session, school_year_bounds, tally
from forms.models import DateField, OptDate, OptText, Record, School, Student
from forms.profiles import Profile


class TallyVisit(Record):
    date: DateField = Field(title="送教日期")
    periods: int = Field(title="课时数", ge=0, le=12)
    minutes: int = Field(title="每课时分钟数", ge=0, le=120)


class HomeTeachingTally(Record):
    number: OptText = Field(None, title="编号")
    school_year: int = Field(title="学年", ge=2000, le=2100, description="2025 表示2025—2026学年")
    student: Student = Field(title="学生")
    school: School = Field(title="送教学校")
    start: OptDate = Field(None, title="开始送教日期", description="不填则为学年开始")
    end: OptDate = Field(None, title="结束送教日期", description="不填则为学年结束")
    as_of: OptDate = Field(None, title="统计截止日期", description="不填则按整个学年统计")
    visits: list[TallyVisit] = Field(title="送教记录")

    @model_validator(mode="after")
    def _inside_the_year(self) -> HomeTeachingTally:
        first, last = school_year_bounds(self.school_year)
        if self.start and self.end and self.end < self.start:
            raise ValueError(
                f"结束送教日期{cn_date(self.end)}早于开始送教日期{cn_date(self.start)}"
            )
        for name, day in (("开始送教日期", self.start), ("结束送教日期", self.end)):
            if day is not None and not first <= day <= last:
                raise ValueError(
                    f"{name}{cn_date(day)}不在{self.school_year}—{self.school_year + 1}学年"
                    f"（{cn_date(first)}至{cn_date(last)}）内"
                )
        return self


def context(record: HomeTeachingTally, profile: Profile) -> dict[str, Any]:
    r = rules(profile, "home_teaching_tally", HomeTeachingTally)
    first, last = school_year_bounds(record.school_year)
    start, end = record.start or first, record.end or last
    for i, visit in enumerate(record.visits):
        if not start <= visit.date <= end:
            raise rule_error(
                HomeTeachingTally,
                ("visits", i, "date"),
                f"{cn_date(visit.date)}不在送教期间（{cn_date(start)}至{cn_date(end)}）内",
            )
    result = tally(
        [Session(v.date, v.periods, v.minutes) for v in record.visits],
        record.school_year,
        r,
        start=record.start,
        end=record.end,
        as_of=record.as_of,
    )
    return {
        "t": result,
        "fmt": _fmt,
        "prorate": r.prorate_per_month,
        **rule_context(profile, HomeTeachingTally),
    }


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
