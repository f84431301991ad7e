"""The audit result, schema `baoxue.audit/1`: what the JSON report holds and the service loads.

Keys required by the schema: checklist {id, version, sha256}, profile, period {start, end},
package {files: [{path, sha256, kind, pages, status, reason}]}, items [{id, title, status,
score, max, evidence, subjects, findings}] (top-level items and requirements alike), summary
{score, max, percent, level, counts}, explain. Further keys (the effective checklist, the
verdicts, each item's detail and month grid) add to it and never change these.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from audit.checklist import Severity, Status

SCHEMA: Literal["baoxue.audit/1"] = "baoxue.audit/1"
FileStatus = Literal["ok", "scanned", "error", "skipped"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def place(page: int | None, sheet: str | None, row: int | None) -> str:
    """Where in its file: “第3页”, “考勤 第12行”."""
    parts = (
        f"第{page}页" if page is not None else "",
        sheet or "",
        f"第{row}行" if row is not None else "",
    )
    return " ".join(p for p in parts if p)


class EvidenceRef(Model):
    file: str
    sha256: str | None = None
    page: int | None = None
    sheet: str | None = None
    row: int | None = None
    snippet: str = ""
    ocr_engine: str | None = None  # read by OCR from a scan or photo
    ocr_confidence: float | None = None

    def where(self) -> str:
        """“送教记录.pdf 第3页” / “台账.xlsx 考勤 第12行”."""
        parts = [self.file, place(self.page, self.sheet, self.row)]
        if self.ocr_confidence is not None:
            parts.append(f"（扫描件文字识别，置信度 {self.ocr_confidence:.2f}）")
        return " ".join(p for p in parts if p)


class PageRef(Model):
    """Pages a person must look at: scanned pages, or an unreadable file with its reason."""

    file: str
    pages: list[int] = Field(default_factory=list)
    reason: str = ""


class Finding(Model):
    id: str  # "3.3-1"
    requirement: str
    severity: Severity
    message: str
    recommendation: str
    student: str | None = None
    evidence: list[EvidenceRef] = Field(default_factory=list)
    waived: bool = False  # the requirement is waived by the profile overlay
    pending: bool = False  # its requirement is not_reviewed / error: to be confirmed by a person


class MonthCell(Model):
    month: str  # "2025-09"
    applicable: bool
    share: float = 1.0
    required: int = 0
    visits: int = 0
    periods: int = 0
    minutes: float | None = None  # shortest 课时 of the month
    short_visits: int = 0
    short_periods: int = 0
    status: Status | None = None
    note: str = ""


class SubjectResult(Model):
    student: str
    status: Status
    detail: str = ""
    months: list[MonthCell] | None = None


class WaiverInfo(Model):
    reason: str
    granted_by: str
    until: dt.date | None = None
    source: str | None = None


class ItemResult(Model):
    id: str
    title: str
    status: Status
    score: float
    max: float
    evidence: list[EvidenceRef] = Field(default_factory=list)
    subjects: list[SubjectResult] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    level: Literal["item", "requirement"]
    parent: str | None = None
    weight: float = 0
    severity: Severity | None = None
    method: str | None = None
    source: str = ""
    detail: str = ""
    ratio: float | None = None
    to_review: list[PageRef] = Field(default_factory=list)
    waiver: WaiverInfo | None = None


class Account(Model):
    """What became of a record file's record-like pieces (issue 20 §1)."""

    records: int = 0
    explained: int = 0
    unread: int = 0

    def line(self) -> str:
        """“识别 22 条记录，未识别 3 处”."""
        return f"识别 {self.records} 条记录，未识别 {self.unread} 处"


class UnreadRef(EvidenceRef):
    """A piece of unread content: where it is, what it says and why it was not read."""

    kind: str = ""
    why: str = ""
    date: dt.date | None = None
    student: str | None = None


class FileResult(Model):
    path: str
    sha256: str
    kind: str
    pages: int | None = None
    status: FileStatus
    reason: str | None = None
    kind_name: str = ""
    kind_reason: str = ""
    size: int | None = None
    scanned_pages: list[int] = Field(default_factory=list)
    used_by: list[str] = Field(default_factory=list)  # requirement ids
    account: Account | None = None  # a record file's pieces: read, explained, unread
    unread: list[UnreadRef] = Field(default_factory=list)  # 未能识别的内容


class Package(Model):
    name: str
    files: list[FileResult] = Field(default_factory=list)


class Period(Model):
    start: dt.date
    end: dt.date


class ChecklistRef(Model):
    id: str
    version: str
    sha256: str
    title: str = ""
    overlays: list[str] = Field(default_factory=list)
    jurisdiction: str | None = None
    effective: dict[str, Any] = Field(default_factory=dict)


class Summary(Model):
    score: float
    max: float
    percent: float | None
    level: str
    counts: dict[str, int]


class Term(Model):
    id: str
    title: str
    status: Status
    weight: float
    credit: float | None  # share of the weight earned; None when not counted
    earned: float
    max: float
    note: str = ""


class Cap(Model):
    cap: str
    reason: str
    requirement: str | None = None


class LevelBand(Model):
    name: str
    min_percent: float


class Explain(Model):
    formula: str
    terms: list[Term]
    caps: list[Cap] = Field(default_factory=list)
    levels: list[LevelBand]
    level_by_score: str
    notes: list[str] = Field(default_factory=list)


class AutomaticVerdict(Model):
    level: str
    score: float
    percent: float | None
    provisional: bool  # some requirements wait for a person (scanned / unreadable evidence)
    reasons: list[str] = Field(default_factory=list)


class FinalVerdict(Model):
    """Filled by the reviewer through the web service."""

    level: str | None = None
    reviewer: str | None = None
    time: dt.datetime | None = None
    note: str | None = None


class Verdict(Model):
    automatic: AutomaticVerdict
    final: FinalVerdict = Field(default_factory=FinalVerdict)


class AuditResult(Model):
    schema_: Literal["baoxue.audit/1"] = Field(default=SCHEMA, alias="schema")
    generated_at: dt.datetime
    generator: str
    checklist: ChecklistRef
    profile: str | None
    period: Period
    package: Package
    items: list[ItemResult]
    summary: Summary
    explain: Explain
    verdict: Verdict

    def item(self, item_id: str) -> ItemResult:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def findings(self) -> list[Finding]:
        return [f for it in self.items for f in it.findings]

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2)

    def with_final_verdict(
        self, level: str, reviewer: str, note: str | None = None, time: dt.datetime | None = None
    ) -> AuditResult:
        """The reviewer's verdict (the web service records it); the automatic one stays."""
        levels = [band.name for band in self.explain.levels]
        if level not in levels:
            raise ValueError(f"等次“{level}”不在清单规定的等次中（{'、'.join(levels)}）")
        if not reviewer.strip():
            raise ValueError("复核人不能为空")
        final = FinalVerdict(
            level=level,
            reviewer=reviewer.strip(),
            time=time or dt.datetime.now(dt.UTC).replace(microsecond=0),
            note=note,
        )
        return self.model_copy(update={"verdict": self.verdict.model_copy(update={"final": final})})
