"""政策性休学认定表: the case, the joint visits that preceded it, the approvals.

Refused unless at least `joint_visits_before` visits were joint (people from at least
`joint_min_bodies` bodies), or a court ruling is cited (002 附件1 三).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from forms.documents.common import rule_error
from forms.documents.suspension_common import JointVisit, SuspensionCase
from forms.models import DateField, OptText, Text
from forms.profiles import Profile
from forms.suspension import joint_count


class SuspensionDetermination(SuspensionCase):
    date: DateField = Field(title="认定日期")
    visits: list[JointVisit] = Field(default_factory=list, title="联合劝访情况")
    court_ruling: OptText = Field(None, title="司法判决裁定", description="判决书或裁定书文号")
    guardian_duty: Text = Field(title="监护人履行法定义务情况")


def joint_rule(profile: Profile) -> tuple[int, int, str, str]:
    extra = profile.document("suspension_determination").extra
    before, bodies = extra["joint_visits_before"], extra["joint_min_bodies"]
    return int(before.value), int(bodies.value), before.source, str(extra["approver"].value)


def context(record: SuspensionDetermination, profile: Profile) -> dict[str, Any]:
    before, min_bodies, source, approver = joint_rule(profile)
    joint = joint_count((v.units for v in record.visits), min_bodies)
    if joint < before and not record.court_ruling:
        raise rule_error(
            SuspensionDetermination,
            ("visits",),
            f"联合劝访只有{joint}次（{min_bodies}类及以上单位参加才算联合劝访），"
            f"办理政策性休学前须经相关部门联合劝访{before}次以上，或有司法部门判决裁定（{source}）",
        )
    township = profile.body("township_government", record.school.township)
    return {
        "joint": joint,
        "before": before,
        "min_bodies": min_bodies,
        "approver": approver,
        "township": township,
    }
