"""Guardian's written application for deferred entry or leave on grounds of illness or
special circumstances; township approval; filing with the bureau (000 § 四(一)2, 003 § 四(一)).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from forms.dates import cn_date
from forms.models import DateField, Guardian, OptText, Record, School, Student, Text
from forms.profiles import Profile


class SpecialCircumstanceApplication(Record):
    number: OptText = Field(None, title="编号")
    apply_date: DateField = Field(title="申请日期")
    student: Student = Field(title="学生")
    guardian: Guardian = Field(title="监护人")
    school: School = Field(title="学校", description="就读或应入学的学校")
    request: Literal["延缓入学", "休学"] = Field(title="申请事项")
    ground: Literal["疾病", "特殊情况"] = Field(title="申请理由类别")
    description: Text = Field(title="具体情况")
    period_start: DateField = Field(title="起始日期")
    period_end: DateField = Field(title="截止日期")
    attachments: list[Text] = Field(title="证明材料", min_length=1)

    @model_validator(mode="after")
    def _period_in_order(self) -> SpecialCircumstanceApplication:
        if self.period_end <= self.period_start:
            raise ValueError(
                f"截止日期{cn_date(self.period_end)}应晚于起始日期{cn_date(self.period_start)}"
            )
        return self


def context(record: SpecialCircumstanceApplication, profile: Profile) -> dict[str, Any]:
    spec = profile.document("special_circumstance_application")
    township = record.school.township
    recipient = profile.body(
        spec.recipient.value if spec.recipient else "township_government", township
    )
    filing = [profile.body(k, township) for k in (spec.report_to.value if spec.report_to else [])]
    return {"recipient": recipient, "filing": "、".join(filing)}
