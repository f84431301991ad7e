"""What the meeting pack (notice, sign-in sheet, minutes) shares: the meeting itself.

One meeting record makes all three documents (002 附件1 一 asks for the notice, the sign-in
sheet and the minutes of one meeting): each document takes the fields it prints and passes
over those only its siblings use, so `baoxue render meeting_notice 会议.yaml`,
`… sign_in_sheet 会议.yaml` and `… meeting_minutes 会议.yaml` read the same file. A key no
meeting document knows is still refused.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from forms.documents.common import TimeField
from forms.models import DateField, Name, OptText, Phone, Record, School, Text
from forms.profiles import Profile

# Every field of the three meeting documents beyond the shared ones below
# (tests/test_meetings_and_sheets.py checks the list against the models).
SIBLING_FIELDS = frozenset(
    {
        "issue_date", "addressees", "attendees", "agenda", "requirements", "contact", "phone",
        "blank_rows", "recorder", "present", "expected", "absent", "items", "decisions",
    }
)  # fmt: skip


class Invitee(Record):
    name: Name = Field(title="姓名")
    unit: OptText = Field(None, title="单位及职务")
    phone: Phone = Field(None, title="电话")


class Meeting(Record):
    number: OptText = Field(None, title="编号")
    organizer: School = Field(title="召开单位")
    topic: Text = Field(title="会议名称")
    date: DateField = Field(title="会议日期")
    start_time: TimeField = Field(title="开始时间")
    end_time: TimeField | None = Field(None, title="结束时间")
    place: Text = Field(title="会议地点")
    host: OptText = Field(None, title="主持人")
    invitees: list[Invitee] = Field(default_factory=list, title="参会人员名单")

    @model_validator(mode="before")
    @classmethod
    def _one_meeting_record(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = cls._adapt(dict(data))
        own = set(cls.model_fields)
        return {k: v for k, v in data.items() if k in own or k not in SIBLING_FIELDS}

    @classmethod
    def _adapt(cls, data: dict[str, Any]) -> dict[str, Any]:
        """A document's own reading of the shared record before its siblings' keys go."""
        return data


def expected_count(expected: int | None, invitees: list[Invitee]) -> int | None:
    """应到: the number given, else the invitation list's length (None when neither)."""
    return expected if expected is not None else (len(invitees) or None)


def meeting_context(profile: Profile, form_id: str) -> dict[str, Any]:
    extra = profile.document(form_id).extra
    return {"basis": str(extra["basis"].value) if "basis" in extra else ""}
