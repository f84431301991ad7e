"""The contract between reading a package and judging it: typed facts with provenance.

Readers and extractors (audit/package.py, audit/readers/, audit/extract/) produce a
`PackageFacts`; rules (audit/rules/) read only this. Every fact says where it came from:
file, page or sheet + row, a snippet and the file's sha256, so every finding can point to
the page that proves it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FileStatus = Literal["ok", "scanned", "error", "skipped"]

# What a file (or a section of a file) is evidence of. Kept as plain strings so the
# checklist YAML can name them in `evidence:`.
EVIDENCE_KINDS: dict[str, str] = {
    "meeting_notice": "会议通知",
    "sign_in_sheet": "签到表",
    "meeting_minutes": "会议记录/纪要",
    "meeting_photo": "会议图片",
    "work_plan": "控辍保学工作方案",
    "xueji_headcount": "学籍系统导出人数/名单",
    "on_roll_list": "在校生名单/点名册",
    "monitoring_list": "有辍学倾向重点监测学生名单",
    "attendance_ledger": "未按时返校日报台账/考勤表",
    "leave_system": "请销假制度",
    "leave_record": "请假审批/销假记录",
    "home_visit_plan": "家访工作方案",
    "persuasion_plan": "劝返工作方案",
    "suspension_roster": "政策性休学学生名册",
    "suspension_determination": "政策性休学认定表",
    "suspension_application": "休学家长申请书",
    "school_statement": "学校情况说明",
    "individual_plan": "一生一案表",
    "visit_record": "家访/劝返/联合劝访记录",
    "court_ruling": "司法判决/裁定书",
    "disabled_roster": "残疾儿童花名册",
    "home_teaching_roster": "送教上门学生花名册",
    "home_teaching_profile": "送教上门儿童基本情况表",
    "assessment_form": "评估核查表/鉴定申请表",
    "disability_certificate": "残疾证复印件",
    "guardian_opinion": "送教服务家长意见书",
    "home_teaching_record": "送教上门记录",
    "lesson_plan": "送教教案",
    "photo": "图片",
    "unknown": "未识别",
}

# The bodies a visit participant may belong to; a joint visit has at least two.
Body = Literal[
    "school", "township", "village", "justice", "bureau", "police", "disability_fed", "other"
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Provenance(Strict):
    file: str  # path inside the package, "/"-separated, decoded (GBK names too)
    sha256: str
    page: int | None = None  # 1-based page of a PDF (or of a DOCX when known)
    sheet: str | None = None  # XLSX sheet name
    row: int | None = None  # 1-based row of a sheet or table
    snippet: str = ""  # at most ~200 characters of the source text
    # Read by OCR from a scanned page or a photo: the engine and the confidence of the weakest
    # word the fact rests on (never below checklists/evidence/ocr.yaml's min_confidence).
    ocr_engine: str | None = None
    ocr_confidence: float | None = None


class FileSection(Strict):
    """One document inside a file that holds several (a compilation of visit records)."""

    kind: str
    kind_reason: str = ""
    title: str = ""
    pages: list[int] = Field(default_factory=list)


class FileAccount(Strict):
    """What became of a record file's record-like pieces (dated rows, sentences, date boxes)."""

    records: int = 0  # facts read from the file
    explained: int = 0  # dated pieces that are no record: a birth date, the 落款, a 统计 line …
    unread: int = 0  # neither: listed in PackageFacts.unread


class PackageFile(Strict):
    """One inventoried file; how the audit used it is in the report's file list."""

    path: str
    sha256: str
    size: int
    status: FileStatus = "ok"
    reason: str | None = None  # why error / skipped / scanned
    kind: str = "unknown"  # an EVIDENCE_KINDS key
    kind_reason: str = ""  # e.g. "文件名含“签到”"
    pages: int | None = None
    scanned_pages: list[int] = Field(default_factory=list)
    page_notes: dict[int, str] = Field(default_factory=dict)  # why OCR left a scanned page
    baoxue: dict[str, str] | None = None  # metadata of a baoxue-generated document
    sections: list[FileSection] = Field(default_factory=list)  # when it holds several documents
    photo_date: dt.date | None = None  # EXIF date of an image
    account: FileAccount | None = None  # for a file that holds (or may hold) records


class Fact(Strict):
    prov: Provenance


class DocumentPresence(Fact):
    """A document of a kind exists, optionally about one student and dated."""

    kind: str
    student: str | None = None
    date: dt.date | None = None
    title: str | None = None


class Meeting(Fact):
    """One part of a meeting's paperwork; parts of the same meeting share a date/topic."""

    part: Literal["notice", "sign_in", "minutes", "photo"]
    date: dt.date | None = None
    topic: str | None = None
    attendees: int | None = None


class Headcount(Fact):
    source: Literal["xueji", "on_roll", "roll_call"]
    count: int
    names: list[str] = Field(default_factory=list)
    date: dt.date | None = None
    stated_total: int | None = None  # a 合计 row beside the names: a cross-check, not added


class ListedStudent(Fact):
    """A student named on a list: monitoring, suspension, disabled or home-teaching roster."""

    roster: Literal["monitoring", "suspension", "disabled", "home_teaching", "xueji", "on_roll"]
    name: str
    id_number: str | None = None
    grade: str | None = None
    class_name: str | None = None
    since: dt.date | None = None  # suspension date, start of home teaching …
    note: str | None = None


class AttendanceDay(Fact):
    date: dt.date
    absent: int | None = None
    names: list[str] = Field(default_factory=list)


class LeaveRecord(Fact):
    student: str
    start: dt.date
    end: dt.date
    days: float
    approver: str | None = None  # as written: 班主任 / 德育处 / 校长 / a person's name
    home_visit: bool | None = None  # a home-visit verification is recorded
    returned: dt.date | None = None  # 销假


class Participant(Strict):
    name: str | None = None
    body: Body
    body_text: str = ""  # as written, e.g. "xx镇人民政府"


class Visit(Fact):
    student: str
    date: dt.date
    # What the record calls itself: joint = “联合劝访” written; whether it really was joint is
    # `joint` (people of two bodies), which is what rules should use.
    kind: Literal["home_visit", "persuasion", "joint"] = "home_visit"
    participants: list[Participant] = Field(default_factory=list)
    purpose: str | None = None
    outcome: str | None = None

    @property
    def bodies(self) -> set[str]:
        """Bodies present; `other` (a name written without any body) proves nothing."""
        return {p.body for p in self.participants if p.body != "other"}

    @property
    def joint(self) -> bool:
        return len(self.bodies) >= 2


# What HomeTeachingSession.illegible names.
ILLEGIBLE_TIME = "起止时间"
ILLEGIBLE_PERIODS = "课时数"
# …and why, when it is not a scan: a row telling a month's visits together (no 各/每次).
TOLD_TOGETHER = "按月合写"


class HomeTeachingSession(Fact):
    """One 送教上门 visit."""

    student: str
    date: dt.date
    start: dt.time | None = None
    end: dt.time | None = None
    periods: int | None = None  # 课时 in this visit
    minutes_per_period: float | None = None
    total_minutes: float | None = None
    teachers: list[str] = Field(default_factory=list)
    content: str | None = None
    # fields written on a scanned page that OCR could not make out (起止时间, 课时数): the rule
    # leaves the visit to a person instead of reading the box as empty
    illegible: list[str] = Field(default_factory=list)


class UnreadPiece(Fact):
    """A record-like piece no fact was read from and nothing explains: it might be one more
    visit, session or leave — or nothing. The rules are bounded by it (audit/bounds.py)."""

    kind: str  # the record kind it may be (visit_record, home_teaching_record, leave_record)
    student: str | None = None  # whom it is about, when the piece or its file says
    date: dt.date | None = None  # None: a date box holding writing that is no date
    why: str = ""


class NoneStated(Fact):
    """A document saying the school has no pupils of a group (“本学年我校无政策性休学学生”):
    what lets an item with no roster and no materials be not applicable."""

    group: Literal["suspension", "disabled", "home_teaching"]


class StaffRole(Fact):
    """A person the package names with their post (政教处主任韦春梅): who may approve what."""

    name: str
    post: str  # as written: 班主任, 政教处主任, 校长 …


class PackageFacts(Strict):
    files: list[PackageFile] = Field(default_factory=list)
    documents: list[DocumentPresence] = Field(default_factory=list)
    meetings: list[Meeting] = Field(default_factory=list)
    headcounts: list[Headcount] = Field(default_factory=list)
    students: list[ListedStudent] = Field(default_factory=list)
    attendance: list[AttendanceDay] = Field(default_factory=list)
    leaves: list[LeaveRecord] = Field(default_factory=list)
    visits: list[Visit] = Field(default_factory=list)
    sessions: list[HomeTeachingSession] = Field(default_factory=list)
    unread: list[UnreadPiece] = Field(default_factory=list)
    none_stated: list[NoneStated] = Field(default_factory=list)
    staff: list[StaffRole] = Field(default_factory=list)
