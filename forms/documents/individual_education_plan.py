"""一人一案 (个别化教育方案 / 送教上门服务计划): goals, content and the schedule.

The schedule defaults to the profile's thresholds and may not fall below them; the plan's
yearly 课时 (visits × 课时 × teaching months) must reach the year's requirement.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from forms.documents.common import Names, rule_error
from forms.documents.home_common import policy, rule_context
from forms.models import DateField, OptText, Record, School, Student, Text
from forms.profiles import Profile


class IndividualEducationPlan(Record):
    number: OptText = Field(None, title="编号")
    plan_date: DateField = Field(title="制定日期")
    school_year: int = Field(title="学年", ge=2000, le=2100, description="2025 表示2025—2026学年")
    student: Student = Field(title="学生")
    school: School = Field(title="送教学校")
    teachers: Names = Field(title="送教教师")
    current_level: Text = Field(title="现有能力水平")
    long_goal: Text = Field(title="学年目标")
    short_goals: list[Text] = Field(title="阶段目标", min_length=1)
    content: list[Text] = Field(title="送教内容", min_length=1)
    visits_per_month: int | None = Field(None, title="每月送教次数", ge=1)
    periods_per_visit: int | None = Field(None, title="每次课时数", ge=1)
    minutes_per_period: int | None = Field(None, title="每课时分钟数", ge=1)
    schedule_note: OptText = Field(None, title="送教时间安排")
    evaluation: OptText = Field(None, title="评估方式")


def context(record: IndividualEducationPlan, profile: Profile) -> dict[str, Any]:
    ht = policy(profile, IndividualEducationPlan)
    planned = {
        "visits_per_month": (record.visits_per_month, ht.visits_per_month, "次"),
        "periods_per_visit": (record.periods_per_visit, ht.sessions_per_visit, "课时"),
        "minutes_per_period": (record.minutes_per_period, ht.minutes_per_session, "分钟"),
    }
    values: dict[str, int] = {}
    for key, (given, rule, unit) in planned.items():
        if given is not None and given < rule.value:
            raise rule_error(
                IndividualEducationPlan,
                (key,),
                f"计划{given}{unit}，少于规定的{rule.value}{unit}（{rule.source}）",
            )
        values[key] = given if given is not None else rule.value
    months = len(ht.teaching_months.value)
    year = values["visits_per_month"] * values["periods_per_visit"] * months
    return {
        "plan": values,
        "months": months,
        "year_planned": year,
        **rule_context(profile, IndividualEducationPlan),
    }
