"""What the policy-suspension file (政策性休学) forms share: the case and joint visits."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from forms.dates import cn_date
from forms.documents.common import BODY_NAMES, Body
from forms.models import DateField, Guardian, OptDate, OptText, Record, School, Student, Text


class JointVisit(Record):
    date: DateField = Field(title="日期")
    units: list[Body] = Field(title="参加单位类别", min_length=1)
    people: Text = Field(title="参加人员")
    result: Text = Field(title="结果")

    @property
    def unit_names(self) -> str:
        return "、".join(BODY_NAMES[u] for u in dict.fromkeys(self.units))


class SuspensionCase(Record):
    number: OptText = Field(None, title="编号")
    student: Student = Field(title="学生")
    guardian: Guardian = Field(title="监护人")
    school: School = Field(title="学校")
    kind: Literal["休学", "延缓入学"] = Field("休学", title="办理事项")
    reason: Text = Field(title="原因")
    absence_start: OptDate = Field(None, title="未到校起始日期")
    period_start: DateField = Field(title="休学起始日期")
    period_end: DateField = Field(title="休学截止日期")

    @model_validator(mode="after")
    def _period_in_order(self) -> SuspensionCase:
        if self.period_end <= self.period_start:
            raise ValueError(
                f"休学截止日期{cn_date(self.period_end)}应晚于起始日期{cn_date(self.period_start)}"
            )
        return self
