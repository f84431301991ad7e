"""会议记录: time, place, host, recorder, who came and who did not, what was said and
decided. The headcount printed is counted from the names, not typed: 实到 from the names
present, 应到 from the number given or the invitation list, 缺席 the invitees not present
(or as written)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from forms.documents.meeting_common import Meeting, expected_count, meeting_context
from forms.models import Name, OptText, Record, Text
from forms.profiles import Profile


class AgendaItem(Record):
    title: Text = Field(title="议题")
    content: Text = Field(title="内容")


class MeetingMinutes(Meeting):
    recorder: Name = Field(title="记录人")
    present: list[Name] = Field(title="出席人员", min_length=1)
    expected: int | None = Field(None, title="应到人数", ge=1)
    absent: OptText = Field(None, title="缺席人员及原因")
    items: list[AgendaItem] = Field(title="会议内容", min_length=1)
    decisions: list[Text] = Field(default_factory=list, title="会议决定")

    @classmethod
    def _adapt(cls, data: dict[str, Any]) -> dict[str, Any]:
        # minutes written alone name who came under `attendees` (the notice's key is text)
        if "present" not in data and isinstance(data.get("attendees"), list):
            data["present"] = data.pop("attendees")
        return data

    @model_validator(mode="after")
    def _headcount(self) -> MeetingMinutes:
        expected = expected_count(self.expected, self.invitees)
        if expected is not None and len(self.present) > expected:
            raise ValueError(f"出席{len(self.present)}人，多于应到人数{expected}人")
        if self.end_time is not None and self.end_time <= self.start_time:
            raise ValueError(f"结束时间{self.end_time:%H:%M}不晚于开始时间{self.start_time:%H:%M}")
        return self


def context(record: MeetingMinutes, profile: Profile) -> dict[str, Any]:
    came = set(record.present)
    missing = [i.name for i in record.invitees if i.name not in came]
    topic = record.topic
    return {
        "title": f"{topic}记录" if topic.endswith("会议") else f"{topic}会议记录",
        "present": len(record.present),
        "expected": expected_count(record.expected, record.invitees),
        "absent": record.absent or "、".join(missing) or "无",
        **meeting_context(profile, "meeting_minutes"),
    }
