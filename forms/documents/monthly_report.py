"""控辍保学月报 (一月一报告): a school's month of dropout cases, to the township and bureau.

The counts and rows come from the school's cases (cases/report.py); a month without
a case still prints, with the profile's `zero_wording` (Xiuyan: no report counts as "0",
003 § 五7).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator

from forms.models import DateField, Name, OptText, Record, School, Text
from forms.profiles import Profile


class MonthlyRow(Record):
    case_id: Text = Field(title="个案编号")
    name: Name = Field(title="姓名")
    id_masked: OptText = Field(None, title="身份证号（隐去出生日期）")
    grade_class: OptText = Field(None, title="年级班级")
    opened: DateField = Field(title="未到校起始日期")
    kind: Text = Field(title="类别")
    progress: Text = Field(title="劝返进展")
    status: Text = Field(title="销号情况")


class MonthlyReport(Record):
    number: OptText = Field(None, title="编号")
    month: Text = Field(title="月份", description="如 2026-03")
    issue_date: DateField = Field(title="报送日期")
    school: School = Field(title="学校")
    new_cases: int = Field(0, ge=0, title="本月新增")
    returned: int = Field(0, ge=0, title="本月劝返复学")
    transferred: int = Field(0, ge=0, title="本月转学")
    suspended: int = Field(0, ge=0, title="本月休学")
    open_suspected: int = Field(0, ge=0, title="月末疑似辍学")
    open_dropout: int = Field(0, ge=0, title="月末辍学")
    rows: list[MonthlyRow] = Field(default_factory=list, title="个案")

    @field_validator("month")
    @classmethod
    def _month_shape(cls, value: str) -> str:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"“{value}”应写成“2026-03”")
        return f"{match[1]}-{int(match[2]):02d}"


def context(record: MonthlyReport, profile: Profile) -> dict[str, Any]:
    spec = profile.document("monthly_report")
    township = record.school.township
    recipients = [
        profile.body(key, township) for key in (spec.report_to.value if spec.report_to else [])
    ]
    year, month = record.month.split("-")
    return {
        "recipients": recipients,
        "month_text": f"{year}年{int(month)}月",
        "closed": record.returned + record.transferred + record.suspended,
        "open_total": record.open_suspected + record.open_dropout,
    }
