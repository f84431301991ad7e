"""会议签到表: invitees pre-printed, blank rows to sign, enough to fill the page."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from forms.documents.meeting_common import Meeting, meeting_context
from forms.layout import GBT9704
from forms.models import Name, OptText, Record
from forms.profiles import Profile

ROW_MM = 9.0  # a signature needs room; 9 mm fits a hand-written name
HEAD_MM = 52.0  # title, meeting line, header row and footer line


class Invitee(Record):
    name: Name = Field(title="姓名")
    unit: OptText = Field(None, title="单位及职务")


class SignInSheet(Meeting):
    invitees: list[Invitee] = Field(default_factory=list, title="参会人员名单")
    blank_rows: int = Field(3, title="空白行数", ge=0, le=200, description="名单之外留给临时参会者")


def rows_per_page() -> int:
    return int((GBT9704.area_height_mm - HEAD_MM) // ROW_MM)


def context(record: SignInSheet, profile: Profile) -> dict[str, Any]:
    wanted = len(record.invitees) + record.blank_rows
    page = rows_per_page()
    total = max(wanted, page) if wanted <= page else wanted  # fill the page, never cut
    rows: list[Invitee | None] = [*record.invitees, *([None] * (total - len(record.invitees)))]
    return {
        "title": f"{record.topic}签到表",
        "rows": rows,
        "row_mm": ROW_MM,
        **meeting_context(profile, "sign_in_sheet"),
    }
