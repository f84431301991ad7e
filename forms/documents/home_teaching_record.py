"""送教上门记录: one visit — date, start and end, teachers, 课时 and minutes, content.

The form says whether the visit meets the per-visit rule (≥3 课时 of ≥30 minutes by
default, from the profile); the record's times must hold the 课时 it claims.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from forms.documents.common import Names, TimeField
from forms.documents.home_common import rule_context, rules
from forms.home_teaching import Session, qualifies
from forms.models import DateField, OptText, Record, School, Student, Text
from forms.profiles import Profile


class HomeTeachingRecord(Record):
    number: OptText = Field(None, title="编号")
    date: DateField = Field(title="送教日期")
    start_time: TimeField = Field(title="开始时间")
    end_time: TimeField = Field(title="结束时间")
    student: Student = Field(title="学生")
    school: School = Field(title="送教学校")
    place: OptText = Field(None, title="送教地点")
    teachers: Names = Field(title="送教教师")
    periods: int = Field(title="课时数", ge=1, le=12)
    minutes: int = Field(title="每课时分钟数", ge=1, le=120)
    content: Text = Field(title="送教内容")
    process: OptText = Field(None, title="教学过程")
    effect: OptText = Field(None, title="效果与反思")

    @property
    def span_minutes(self) -> int:
        start = datetime.combine(self.date, self.start_time)
        end = datetime.combine(self.date, self.end_time)
        return int((end - start).total_seconds() // 60)

    @model_validator(mode="after")
    def _times_hold_the_periods(self) -> HomeTeachingRecord:
        if self.span_minutes <= 0:
            raise ValueError(f"结束时间{self.end_time:%H:%M}不晚于开始时间{self.start_time:%H:%M}")
        if self.span_minutes < self.periods * self.minutes:
            raise ValueError(
                f"起止时间共{self.span_minutes}分钟，容不下{self.periods}课时×{self.minutes}分钟"
            )
        return self


def context(record: HomeTeachingRecord, profile: Profile) -> dict[str, Any]:
    r = rules(profile, "home_teaching_record", HomeTeachingRecord)
    visit = Session(record.date, record.periods, record.minutes)
    return {"meets": qualifies(visit, r), **rule_context(profile, HomeTeachingRecord)}
