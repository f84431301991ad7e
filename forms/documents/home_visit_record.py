"""家访 / 劝返 / 联合劝访 record: who went (and from which body), what was said, the outcome.

A visit is joint (联合劝访) when people from at least `joint_min_bodies` bodies took part
(002 附件1 三; DESIGN.md glossary); the form titles and marks itself accordingly.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from forms.documents.common import BODY_NAMES, Participant
from forms.models import DateField, Guardian, OptText, Record, School, Student, Text
from forms.profiles import Profile


class HomeVisitRecord(Record):
    number: OptText = Field(None, title="编号")
    purpose_kind: Literal["家访", "劝返"] = Field("家访", title="类别")
    date: DateField = Field(title="日期")
    place: Text = Field(title="地点")
    student: Student = Field(title="学生")
    guardian: Guardian = Field(title="监护人")
    school: School = Field(title="学校")
    participants: list[Participant] = Field(title="参加人员", min_length=1)
    purpose: Text = Field(title="目的")
    process: Text = Field(title="经过")
    outcome: Text = Field(title="结果")
    next_steps: OptText = Field(None, title="下一步措施")

    @property
    def bodies(self) -> list[str]:
        """Distinct bodies in the order they first appear."""
        return list(dict.fromkeys(p.body for p in self.participants))


def is_joint(record: HomeVisitRecord, min_bodies: int) -> bool:
    return len(record.bodies) >= min_bodies


def context(record: HomeVisitRecord, profile: Profile) -> dict[str, Any]:
    spec = profile.document("home_visit_record")
    min_bodies = int(spec.extra["joint_min_bodies"].value)
    joint = is_joint(record, min_bodies)
    titles = spec.extra["titles"].value
    title = (
        titles["joint"]
        if joint
        else titles["persuasion" if record.purpose_kind == "劝返" else "home_visit"]
    )
    return {
        "joint": joint,
        "min_bodies": min_bodies,
        "title": title,
        "body_names": [BODY_NAMES[b] for b in record.bodies],
    }
