"""会议通知: who meets, when and where, the agenda, what to bring (002 附件1 一)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from forms.dates import cn_date
from forms.documents.meeting_common import Meeting, meeting_context
from forms.models import DateField, OptText, Text
from forms.profiles import Profile


class MeetingNotice(Meeting):
    issue_date: DateField = Field(title="发文日期")
    addressees: Text = Field(title="主送", description="如 各班主任、各科任教师")
    attendees: Text = Field(title="参会人员")
    agenda: list[Text] = Field(title="会议议程", min_length=1)
    requirements: list[Text] = Field(default_factory=list, title="会议要求")
    contact: OptText = Field(None, title="联系人")
    phone: OptText = Field(None, title="联系电话")

    @model_validator(mode="after")
    def _notice_before_meeting(self) -> MeetingNotice:
        if self.issue_date > self.date:
            raise ValueError(f"发文日期{cn_date(self.issue_date)}晚于会议日期{cn_date(self.date)}")
        return self


def context(record: MeetingNotice, profile: Profile) -> dict[str, Any]:
    return {"title": f"关于召开{record.topic}的通知", **meeting_context(profile, "meeting_notice")}
