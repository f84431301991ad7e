"""劝返复学通知书 (Liupu) / 义务教育劝学通知书 (Xiuyan): school → guardian.

The title, legal basis, wording and the deadline (issue date + the profile's days) come
from the profile; the record may state its own deadline, which may not precede the issue
date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, model_validator

from forms.dates import cn_date
from forms.models import DateField, Guardian, OptDate, Record, School, Student, Text
from forms.profiles import Profile


class ReturnNotice(Record):
    number: Text = Field(title="编号")
    issue_date: DateField = Field(title="发文日期")
    absence_start: DateField = Field(title="未到校起始日期")
    deadline: OptDate = Field(None, title="复学期限", description="不填则按辖区规定从发文日期起算")
    student: Student = Field(title="学生")
    guardian: Guardian = Field(title="监护人")
    school: School = Field(title="学校")

    @model_validator(mode="after")
    def _dates_in_order(self) -> ReturnNotice:
        if self.deadline is not None and self.deadline < self.issue_date:
            raise ValueError(
                f"复学期限{cn_date(self.deadline)}早于发文日期{cn_date(self.issue_date)}"
            )
        if self.absence_start > self.issue_date:
            raise ValueError(
                f"未到校起始日期{cn_date(self.absence_start)}晚于发文日期{cn_date(self.issue_date)}"
            )
        return self


def context(record: ReturnNotice, profile: Profile) -> dict[str, Any]:
    deadline: date | None = record.deadline or profile.deadline("return_notice", record.issue_date)
    return {"deadline": deadline}
