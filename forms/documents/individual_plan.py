"""一生一案表 for a suspended student: who is responsible, support measures and the
persuasion-visit plan, which must meet the follow-up cadence (002 附件1 三); when the
record gives no plan, one that meets it is drawn up from the suspension period.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from forms.dates import cn_date
from forms.documents.common import Participant, rule_error
from forms.documents.suspension_common import SuspensionCase
from forms.models import DateField, OptText, Text
from forms.profiles import Profile
from forms.suspension import Cadence, default_schedule, followup_problems


class IndividualPlan(SuspensionCase):
    date: DateField = Field(title="制定日期")
    responsible: list[Participant] = Field(title="包保责任人", min_length=1)
    measures: list[Text] = Field(title="帮扶措施", min_length=1)
    planned: list[DateField] = Field(default_factory=list, title="劝返计划日期")
    return_plan: OptText = Field(None, title="复学安排")


def cadence(profile: Profile) -> tuple[Cadence, str]:
    extra = profile.document("individual_plan").extra
    rule = extra["followup"]
    value = rule.value
    return (
        Cadence(int(value["every_months"]), int(value["per_semester"]), int(value["per_year"])),
        rule.source,
    )


def context(record: IndividualPlan, profile: Profile) -> dict[str, Any]:
    rule, source = cadence(profile)
    planned: list[date] = sorted(record.planned) or default_schedule(
        record.period_start, record.period_end, rule
    )
    outside = [d for d in planned if not record.period_start <= d <= record.period_end]
    if outside:
        raise rule_error(IndividualPlan, ("planned",), f"{cn_date(outside[0])}不在休学期间内")
    problems = followup_problems(planned, record.period_start, record.period_end, rule)
    if problems:
        raise rule_error(
            IndividualPlan,
            ("planned",),
            "劝返计划不满足要求：" + "；".join(problems) + f"（{source}）",
        )
    return {"planned": planned, "cadence": rule, "generated": not record.planned}
