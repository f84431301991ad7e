"""政策性休学家长申请书: the guardian asks for the suspension and promises to cooperate."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from forms.documents.suspension_common import SuspensionCase
from forms.models import DateField, Text
from forms.profiles import Profile


class SuspensionApplication(SuspensionCase):
    apply_date: DateField = Field(title="申请日期")
    statement: Text = Field(title="申请理由")


def context(record: SuspensionApplication, profile: Profile) -> dict[str, Any]:
    return {"township": profile.body("township_government", record.school.township)}
