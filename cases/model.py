"""The case, its events and the documents generated for it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from forms.documents.common import Participant
from forms.models import DateField, Guardian, OptDate, OptText, Record, School, Student, Text


class CaseError(Exception):
    """A change the rules refuse; the message is Chinese and says why. Nothing was changed."""


class OpenCaseExists(CaseError):
    """The student already has an open case: the new absence belongs to it."""


EventKind = Literal[
    "phone_call",
    "home_visit",
    "joint_visit",
    "notice_served",
    "report_sent",
    "deadline_notice",
    "measure",
    "returned",
    "transferred",
    "suspended",
    "closed",
    "reopened",
]

EVENT_NAMES: dict[str, str] = {
    "phone_call": "电话联系",
    "home_visit": "入户家访（劝返）",
    "joint_visit": "联合劝返",
    "notice_served": "下达通知书",
    "report_sent": "书面报告",
    "deadline_notice": "限期返校通知书",
    "measure": "相关部门措施",
    "returned": "复学",
    "transferred": "转学",
    "suspended": "休学",
    "closed": "销号",
    "reopened": "重开个案",
}
CLOSING: tuple[str, ...] = ("returned", "transferred", "suspended")
# The events a clerk records as steps (closing and reopening have their own actions).
STEP_KINDS: tuple[str, ...] = tuple(
    k for k in EVENT_NAMES if k not in (*CLOSING, "closed", "reopened")
)


class Event(Record):
    kind: EventKind = Field(title="事件")
    date: DateField = Field(title="日期")
    who: Text = Field(title="经办人")
    note: OptText = Field(None, title="情况")
    outcome: OptText = Field(None, title="结果")
    number: OptText = Field(None, title="文书编号")
    place: OptText = Field(None, title="地点")
    participants: list[Participant] = Field(default_factory=list, title="参加人员")
    receiving_school: OptText = Field(None, title="转入学校")
    approval: OptText = Field(None, title="休学批准文号")
    step: int | None = Field(None, title="对应步骤")
    recorded_on: OptDate = Field(None, title="录入日期")

    @property
    def name(self) -> str:
        return EVENT_NAMES[self.kind]


class CaseDocument(Record):
    step: int = Field(title="步骤")
    form_id: Text = Field(title="文书")
    title: Text = Field(title="文书名称")
    number: Text = Field(title="编号")
    files: list[str] = Field(default_factory=list, title="文件")
    generated_on: DateField = Field(title="生成日期")


class Case(Record):
    id: Text = Field(title="个案编号")
    profile_id: Text = Field(title="辖区规定")
    student: Student = Field(title="学生")
    guardian: Guardian = Field(title="监护人")
    school: School = Field(title="学校")
    opened: DateField = Field(title="未到校起始日期")
    kind: Text = Field(title="类别")
    status: Literal["open", "closed"] = Field("open", title="状态")
    reason: OptText = Field(None, title="未到校原因")
    closed_on: OptDate = Field(None, title="销号日期")
    close_reason: OptText = Field(None, title="销号原因")
    events: list[Event] = Field(default_factory=list, title="事件")
    documents: list[CaseDocument] = Field(default_factory=list, title="文书")

    @property
    def episode_start(self) -> date:
        """First day absent of the current episode: the opening, or the last reopening."""
        for event in reversed(self.events):
            if event.kind == "reopened":
                return event.date
        return self.opened

    def episode_events(self) -> list[Event]:
        """Events since the case was last (re)opened: the ladder counts only these."""
        out: list[Event] = []
        for event in self.events:
            if event.kind == "reopened":
                out = []
            else:
                out.append(event)
        return out

    def step_event(self, step: int) -> Event | None:
        return next((e for e in self.episode_events() if e.step == step), None)

    @property
    def masked_id(self) -> str:
        return self.student.masked_id

    @property
    def grade_class(self) -> str:
        return f"{self.student.grade or ''}{self.student.class_name or ''}"


class CaseOpening(Record):
    """What a clerk gives to open a case."""

    opened: DateField = Field(title="未到校起始日期")
    student: Student = Field(title="学生")
    guardian: Guardian = Field(title="监护人")
    school: School = Field(title="学校")
    reason: OptText = Field(None, title="未到校原因")


class Closing(Record):
    """销号: how the case closes, when, who; a transfer names the receiving school, a
    suspension its approval."""

    how: Literal["returned", "transferred", "suspended"] = Field(title="销号方式")
    date: DateField = Field(title="日期")
    who: Text = Field(title="经办人")
    receiving_school: OptText = Field(None, title="转入学校")
    approval: OptText = Field(None, title="休学批准文号")
    note: OptText = Field(None, title="情况")
