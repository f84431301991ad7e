"""送教服务家长意见书: the guardian's view of the home-teaching service."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from forms.dates import cn_date
from forms.documents.common import Names
from forms.documents.home_common import rule_context
from forms.models import DateField, Guardian, OptDate, OptText, Record, School, Student, Text
from forms.profiles import Profile

SATISFACTION = ("满意", "基本满意", "不满意")


class GuardianOpinion(Record):
    number: OptText = Field(None, title="编号")
    date: DateField = Field(title="填写日期")
    student: Student = Field(title="学生")
    guardian: Guardian = Field(title="监护人")
    school: School = Field(title="送教学校")
    teachers: Names = Field(title="送教教师")
    period_start: DateField = Field(title="送教起始日期")
    period_end: OptDate = Field(None, title="送教截止日期")
    satisfaction: Literal["满意", "基本满意", "不满意"] = Field(title="满意程度")
    opinion: Text = Field(title="意见和建议")
    continue_service: bool = Field(True, title="是否同意继续送教上门")

    @model_validator(mode="after")
    def _period_in_order(self) -> GuardianOpinion:
        if self.period_end is not None and self.period_end < self.period_start:
            raise ValueError(
                f"送教截止日期{cn_date(self.period_end)}早于起始日期{cn_date(self.period_start)}"
            )
        return self


def context(record: GuardianOpinion, profile: Profile) -> dict[str, Any]:
    return {"levels": SATISFACTION, **rule_context(profile, GuardianOpinion)}
