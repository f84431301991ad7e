"""辍学报告书 (Xiuyan) / 辍学情况报告单 (Jiaotan) / written report (Liupu): school → township.

Rules from the profile: to whom the report goes (`report_to`); where the jurisdiction has
a return notice, the report needs one and may come only once the guardian's period has run
(return_notice.deadline_days, 000 § 四(一)3, 003 § 四(一)); where the seed counts days of
absence before the report (Jiaotan: 5, 004 § 四(二)3), the record must reach them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import Field, model_validator

from forms.dates import cn_date
from forms.documents.common import Attempt, rule_error, weekdays_between
from forms.models import DateField, Guardian, OptText, Record, School, Student, Text
from forms.profiles import Profile


class NoticeRef(Record):
    number: Text = Field(title="通知书编号")
    date: DateField = Field(title="通知书发文日期")


class DropoutReport(Record):
    number: Text = Field(title="编号")
    issue_date: DateField = Field(title="报告日期")
    absence_start: DateField = Field(title="未到校起始日期")
    student: Student = Field(title="学生")
    guardian: Guardian = Field(title="监护人")
    school: School = Field(title="学校")
    reason: OptText = Field(None, title="辍学原因（初步了解）")
    whereabouts: OptText = Field(
        None, title="去向", description="学生现在何处、做什么，如 在家、随父母外出务工（广东东莞）"
    )
    household: OptText = Field(
        None, title="户类别", description="辖区规定所列之一，如 脱贫户、监测户、低保户、一般户"
    )
    attempts: list[Attempt] = Field(title="劝返经过", min_length=1)
    notice: NoticeRef | None = Field(None, title="劝返复学通知书")
    guardian_response: Text = Field(title="监护人态度")
    request: OptText = Field(None, title="其他请求事项")

    @model_validator(mode="after")
    def _dates_in_order(self) -> DropoutReport:
        if self.absence_start > self.issue_date:
            raise ValueError(
                f"未到校起始日期{cn_date(self.absence_start)}晚于报告日期{cn_date(self.issue_date)}"
            )
        for i, attempt in enumerate(self.attempts, start=1):
            if attempt.date > self.issue_date:
                raise ValueError(
                    f"劝返经过第{i}项的日期{cn_date(attempt.date)}晚于报告日期{cn_date(self.issue_date)}"
                )
        if self.notice and not self.absence_start <= self.notice.date <= self.issue_date:
            raise ValueError(
                f"劝返复学通知书发文日期{cn_date(self.notice.date)}应在未到校起始日期"
                f"{cn_date(self.absence_start)}与报告日期{cn_date(self.issue_date)}之间"
            )
        self.attempts.sort(key=lambda a: a.date)
        return self


def context(record: DropoutReport, profile: Profile) -> dict[str, Any]:
    spec = profile.document("dropout_report")
    township = record.school.township
    recipients = [
        profile.body(key, township) for key in (spec.report_to.value if spec.report_to else [])
    ]
    notice_spec = profile.documents.get("return_notice")
    notice_due: date | None = None
    if notice_spec is not None:
        if record.notice is None:
            raise rule_error(
                DropoutReport,
                ("notice",),
                f"必须填写：本辖区先由学校下达《{notice_spec.title.value}》，"
                f"监护人逾期仍不送学生复学才报告（{notice_spec.title.source}）",
            )
        days = notice_spec.deadline_days.value if notice_spec.deadline_days else 0
        notice_due = record.notice.date + timedelta(days=days)
        if record.issue_date < notice_due:
            raise rule_error(
                DropoutReport,
                ("issue_date",),
                f"报告日期{cn_date(record.issue_date)}早于通知书规定的复学期限{cn_date(notice_due)}："
                f"监护人收到通知书后{days}日内仍未送学生复学的才报告"
                f"（{notice_spec.deadline_days.source if notice_spec.deadline_days else ''}）",
            )
    elif record.notice is not None:
        why = profile.absent_documents.get("return_notice")
        raise rule_error(
            DropoutReport,
            ("notice",),
            "本辖区没有劝返复学通知书" + (f"（{why.value}，见 {why.source}）" if why else ""),
        )
    categories = spec.extra.get("household_categories")
    options: list[str] = list(categories.value) if categories else []
    if record.household is not None and options and record.household not in options:
        raise rule_error(
            DropoutReport,
            ("household",),
            f"“{record.household}”不是本辖区的户类别（可填：{'、'.join(options)}；"
            f"{categories.source if categories else ''}）",
        )
    absent_days = weekdays_between(record.absence_start, record.issue_date)
    minimum = spec.extra.get("min_absent_days")
    if minimum is not None and absent_days < int(minimum.value):
        raise rule_error(
            DropoutReport,
            ("absence_start",),
            f"自{cn_date(record.absence_start)}至报告日期只有{absent_days}个上学日，"
            f"无故{minimum.value}日未到校才报告（{minimum.source}）",
        )
    return {
        "recipients": recipients,
        "notice_spec": profile.wording("return_notice", township) if notice_spec else None,
        "notice_due": notice_due,
        "absent_days": absent_days,
        "household_options": options,
    }
