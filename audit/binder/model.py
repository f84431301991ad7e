"""What a binder is made of: the package's documents placed under the checklist's sections.

A `Plan` is built from the audit (placement.py), filled in as the binder is made (each
document's converted pages, then every page number) and read by the writers of the PDF, the
目录 and the zip. Page numbers are 1-based and printed: the cover is page 1 (not stamped).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from audit.report.model import AuditResult, ItemResult

OTHER = "other"  # the id of the section of files that prove nothing (附：其他材料)


class BinderError(Exception):
    """The binder cannot be made at all; the message says why, in Chinese."""


@dataclass
class Doc:
    """One file of the package: staged and converted (convert.py) while the audit runs, then
    placed in one section (placement.py) from what the audit made of it."""

    path: str  # inside the package, "/"-separated (a nested zip is a folder "a.zip/…")
    kind: str = "unknown"
    kind_name: str = ""
    status: str = "ok"  # the audit's file status: ok, scanned, error, skipped
    reason: str | None = None  # the audit's reason for that status
    used_by: list[str] = field(default_factory=list)
    sha256: str = ""
    section: str = ""
    serial: int = 0  # 序号 within its section, from 1
    source: Path | None = None  # the original bytes, copied to the work folder
    pdf: Path | None = None  # where its pages are (shared by several photos or texts)
    span: tuple[int, int] = (0, 0)  # its pages in `pdf`: [start, end), 0-based
    failure: str | None = None  # why it has no pages (not converted); None when it has
    first: int = 0  # its first printed page number; 0 while not placed or without pages
    note: str = ""  # what the reader of the binder should know (a scan, a photo's date)
    shown: str = ""  # the name shown when the name alone is ambiguous: 李小华/一生一案表.docx

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def pages(self) -> int:
        return self.span[1] - self.span[0]

    @property
    def last(self) -> int:
        return self.first + self.pages - 1 if self.pages else 0

    @property
    def label(self) -> str:
        """What the 目录 and the bookmarks call it: “3. 签到表.docx”."""
        return f"{self.serial}. {self.shown or self.name}"

    def zip_name(self, width: int) -> str:
        """序号-原文件名: the serial keeps two files of the same name apart."""
        return f"{self.serial:0{width}d}-{self.name}"


@dataclass
class Section:
    """A requirement of the checklist (1.1 … 4.7), or the other files (附：其他材料)."""

    id: str
    title: str
    folder: str  # in the zip: "一、组织部署/1.1 控辍保学会议材料"
    asks: str = ""  # the evidence the checklist asks for (会议通知、签到表 …)
    standard: str = ""  # the checklist row's 督导标准, in its own words
    reads: frozenset[str] = frozenset()  # the evidence kinds the requirement reads
    result: ItemResult | None = None  # the audit's finding on this requirement
    docs: list[Doc] = field(default_factory=list)
    see_also: list[Doc] = field(default_factory=list)  # used here, placed under another
    divider: tuple[int, int] = (0, 0)  # its divider pages in the dividers PDF: [start, end)
    first: int = 0
    last: int = 0

    @property
    def label(self) -> str:
        return self.title if self.id == OTHER else f"{self.id} {self.title}"

    @property
    def missing(self) -> bool:
        """No file of a kind it asks for, here or under another requirement: its divider is
        the “缺” page (a file the audit used that is no such kind — a visit record cited by
        the disabled-children roster's requirement — does not fill the gap)."""
        if self.id == OTHER:
            return False
        if any(d.kind in self.reads for d in [*self.docs, *self.see_also]):
            return False
        return self.result is None or self.result.status != "not_applicable"

    @property
    def width(self) -> int:
        return max(2, len(str(len(self.docs))))


@dataclass
class Group:
    """A top-level item of the checklist (一、…), its requirements in order."""

    id: str
    number: str  # 一, 二 …
    title: str
    result: ItemResult | None
    sections: list[Section] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.number}、{self.title}"

    @property
    def first(self) -> int:
        return self.sections[0].first if self.sections else 0

    @property
    def last(self) -> int:
        return self.sections[-1].last if self.sections else 0


@dataclass
class LeftOut:
    """A file of the package that is not in the binder, and why (operating-system litter)."""

    path: str
    reason: str


@dataclass
class Plan:
    school: str
    package: str  # the package's file or folder name
    period: tuple[dt.date, dt.date]
    checklist_id: str
    checklist_title: str
    made: dt.date
    result: AuditResult
    groups: list[Group]
    other: Section
    left_out: list[LeftOut] = field(default_factory=list)
    verdicts: bool = False
    cover_pages: int = 1
    toc_first: int = 2
    toc_pages: int = 1
    total_pages: int = 0
    layouts: int = 0  # passes the final layout of the 目录 and dividers took
    unreadable_page: int = 0  # in the dividers PDF: the page put for a page that cannot be copied

    def sections(self) -> list[Section]:
        return [s for g in self.groups for s in g.sections] + [self.other]

    def docs(self) -> list[Doc]:
        return [d for s in self.sections() for d in s.docs]

    def section(self, section_id: str) -> Section:
        for s in self.sections():
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def failures(self) -> list[Doc]:
        return [d for d in self.docs() if d.failure is not None]
