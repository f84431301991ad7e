"""What the meeting pack (notice, sign-in sheet, minutes) shares: the meeting itself."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from forms.documents.common import TimeField
from forms.models import DateField, OptText, Record, School, Text
from forms.profiles import Profile


class Meeting(Record):
    number: OptText = Field(None, title="编号")
    organizer: School = Field(title="召开单位")
    topic: Text = Field(title="会议名称")
    date: DateField = Field(title="会议日期")
    start_time: TimeField = Field(title="开始时间")
    end_time: TimeField | None = Field(None, title="结束时间")
    place: Text = Field(title="会议地点")
    host: OptText = Field(None, title="主持人")


def meeting_context(profile: Profile, form_id: str) -> dict[str, Any]:
    extra = profile.document(form_id).extra
    return {"basis": str(extra["basis"].value) if "basis" in extra else ""}
