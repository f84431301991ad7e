"""限期返校通知书: township government → guardian, after the school's dropout report.

Jiaotan (004 § 四(二)3): the town issues it within `issue_within_days` (3) of receiving
the school's 辍学情况报告单 and orders the student back within `deadline_days` (3). Who
issues it and the days come from the profile.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import Field, model_validator

from forms.dates import cn_date
from forms.documents.common import rule_error
from forms.models import DateField, Guardian, OptDate, OptText, Record, School, Student, Text
from forms.profiles import Profile


class DeadlineNotice(Record):
    number: Text = Field(title="编号")
    issue_date: DateField = Field(title="发文日期")
    report_date: DateField = Field(title="收到学校辍学情况报告单日期")
    report_number: OptText = Field(None, title="报告单编号")
    absence_start: DateField = Field(title="未到校起始日期")
    deadline: OptDate = Field(None, title="返校期限", description="不填则按辖区规定从发文日期起算")
    student: Student = Field(title="学生")
    guardian: Guardian = Field(title="监护人")
    school: School = Field(title="学校")

    @model_validator(mode="after")
    def _dates_in_order(self) -> DeadlineNotice:
        if self.report_date > self.issue_date:
            raise ValueError(
                f"收到报告单日期{cn_date(self.report_date)}晚于发文日期{cn_date(self.issue_date)}"
            )
        if self.absence_start > self.report_date:
            raise ValueError(
                f"未到校起始日期{cn_date(self.absence_start)}晚于收到报告单日期{cn_date(self.report_date)}"
            )
        if self.deadline is not None and self.deadline < self.issue_date:
            raise ValueError(
                f"返校期限{cn_date(self.deadline)}早于发文日期{cn_date(self.issue_date)}"
            )
        return self


def issue_due(report_date: date, profile: Profile) -> date | None:
    """The last day the notice may be issued: report date + issue_within_days."""
    within = profile.document("deadline_notice").issue_within_days
    return None if within is None else report_date + timedelta(days=within.value)


def context(record: DeadlineNotice, profile: Profile) -> dict[str, Any]:
    spec = profile.document("deadline_notice")
    due = issue_due(record.report_date, profile)
    if due is not None and record.issue_date > due and spec.issue_within_days is not None:
        raise rule_error(
            DeadlineNotice,
            ("issue_date",),
            f"发文日期{cn_date(record.issue_date)}超过收到报告单后{spec.issue_within_days.value}日"
            f"（应不晚于{cn_date(due)}，{spec.issue_within_days.source}）",
        )
    issuer = profile.body(
        spec.issuer.value if spec.issuer else "township_government", record.school.township
    )
    deadline = record.deadline or profile.deadline("deadline_notice", record.issue_date)
    return {"issuer": issuer, "deadline": deadline}
