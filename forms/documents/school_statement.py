"""学校情况说明: the school's account of a policy-suspension case for the approvers."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from forms.documents.suspension_common import JointVisit, SuspensionCase
from forms.documents.suspension_determination import joint_rule
from forms.models import DateField, Text
from forms.profiles import Profile
from forms.suspension import joint_count


class SchoolStatement(SuspensionCase):
    date: DateField = Field(title="说明日期")
    situation: Text = Field(title="学生现状")
    visits: list[JointVisit] = Field(title="劝返经过", min_length=1)
    guardian_duty: Text = Field(title="监护人履行法定义务情况")
    opinion: Text = Field(title="学校意见")


def context(record: SchoolStatement, profile: Profile) -> dict[str, Any]:
    before, min_bodies, _, approver = joint_rule(profile)
    return {
        "joint": joint_count((v.units for v in record.visits), min_bodies),
        "before": before,
        "approver": approver,
        "township": profile.body("township_government", record.school.township),
    }
