"""会议签到表: invitees pre-printed with their telephone, blank rows to sign, enough to fill
the page; 应到 / 实到 / 缺席 at the foot (printed when the meeting record knows them, blanks
to fill in by hand otherwise)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from forms.documents.meeting_common import Invitee, Meeting, expected_count, meeting_context
from forms.layout import GBT9704
from forms.models import Name
from forms.profiles import Profile

ROW_MM = 9.0  # a signature needs room; 9 mm fits a hand-written name
HEAD_MM = 52.0  # title, meeting line, header row and footer line

__all__ = ["Invitee", "SignInSheet", "context", "rows_per_page"]


class SignInSheet(Meeting):
    blank_rows: int = Field(3, title="空白行数", ge=0, le=200, description="名单之外留给临时参会者")
    expected: int | None = Field(None, title="应到人数", ge=1, description="不填则按参会人员名单计")
    present: list[Name] = Field(
        default_factory=list, title="实到人员", description="会后补印时填写；不填则留空手写"
    )


def rows_per_page() -> int:
    return int((GBT9704.area_height_mm - HEAD_MM) // ROW_MM)


def context(record: SignInSheet, profile: Profile) -> dict[str, Any]:
    wanted = len(record.invitees) + record.blank_rows
    page = rows_per_page()
    total = max(wanted, page) if wanted <= page else wanted  # fill the page, never cut
    rows: list[Invitee | None] = [*record.invitees, *([None] * (total - len(record.invitees)))]
    expected = expected_count(record.expected, record.invitees)
    present = len(record.present) or None
    absent = expected - present if expected is not None and present is not None else None
    return {
        "title": f"{record.topic}签到表",
        "rows": rows,
        "row_mm": ROW_MM,
        "expected": expected,
        "present_count": present,
        "absent_count": absent,
        **meeting_context(profile, "sign_in_sheet"),
    }
