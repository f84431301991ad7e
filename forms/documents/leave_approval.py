"""请假审批单 with 销假: the record gives the dates; days, approver and home visit are derived.

000 § 四(二)3 via the profile's leave_approval: tiers, how days are counted, how half days
are read, and after how many consecutive days a teacher verifies at home.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from forms.dates import cn_date
from forms.documents.common import rule_error
from forms.leave import decide, format_days
from forms.models import DateField, Guardian, OptDate, OptText, Record, School, Student, Text
from forms.profiles import Profile


class LeaveApproval(Record):
    number: OptText = Field(None, title="编号")
    apply_date: DateField = Field(title="申请日期")
    student: Student = Field(title="学生")
    guardian: Guardian = Field(title="监护人")
    school: School = Field(title="学校")
    kind: Literal["病假", "事假", "其他"] = Field("事假", title="请假类别")
    reason: Text = Field(title="请假事由")
    start: DateField = Field(title="请假开始日期")
    end: DateField = Field(title="请假结束日期")
    start_half: bool = Field(False, title="开始当天只请下午半天")
    end_half: bool = Field(False, title="结束当天只请上午半天")
    returned: OptDate = Field(
        None, title="销假日期", description="学生实际返校之日；不填则留空待填"
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> LeaveApproval:
        if self.end < self.start:
            raise ValueError(f"请假结束日期{cn_date(self.end)}早于开始日期{cn_date(self.start)}")
        if self.start == self.end and self.start_half and self.end_half:
            raise ValueError("同一天不能既只请下午又只请上午；请假半天时只勾选其中一项")
        if self.returned is not None and self.returned < self.start:
            raise ValueError(
                f"销假日期{cn_date(self.returned)}早于请假开始日期{cn_date(self.start)}"
            )
        return self


def context(record: LeaveApproval, profile: Profile) -> dict[str, Any]:
    policy = profile.leave_approval
    if policy is None:
        raise rule_error(LeaveApproval, ("start",), f"辖区规定“{profile.name}”没有请假分级审批规定")
    decision = decide(record.start, record.end, record.start_half, record.end_half, policy)
    if decision.days <= 0:
        raise rule_error(LeaveApproval, ("end",), "请假天数为0（起止日期都是休息日）")
    return {
        "decision": decision,
        "days_text": format_days(decision.days),
        "visit_over": policy.home_visit_over_days.value,
    }
