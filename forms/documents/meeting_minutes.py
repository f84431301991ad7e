"""会议记录: time, place, host, recorder, who came and who did not, what was said and
decided. The headcount printed is counted from the names, not typed."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from forms.documents.meeting_common import Meeting, meeting_context
from forms.models import Name, OptText, Record, Text
from forms.profiles import Profile


class AgendaItem(Record):
    title: Text = Field(title="议题")
    content: Text = Field(title="内容")


class MeetingMinutes(Meeting):
    recorder: Name = Field(title="记录人")
    attendees: list[Name] = Field(title="出席人员", min_length=1)
    expected: int | None = Field(None, title="应到人数", ge=1)
    absent: OptText = Field(None, title="缺席人员及原因")
    items: list[AgendaItem] = Field(title="会议内容", min_length=1)
    decisions: list[Text] = Field(default_factory=list, title="会议决定")

    @model_validator(mode="after")
    def _headcount(self) -> MeetingMinutes:
        if self.expected is not None and len(self.attendees) > self.expected:
            raise ValueError(f"出席{len(self.attendees)}人，多于应到人数{self.expected}人")
        if self.end_time is not None and self.end_time <= self.start_time:
            raise ValueError(f"结束时间{self.end_time:%H:%M}不晚于开始时间{self.start_time:%H:%M}")
        return self


def context(record: MeetingMinutes, profile: Profile) -> dict[str, Any]:
    return {
        "title": f"{record.topic}会议记录",
        "present": len(record.attendees),
        **meeting_context(profile, "meeting_minutes"),
    }
