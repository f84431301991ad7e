"""What a reader hands on: text blocks and tables in document order, with their place."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from audit.facts import FileStatus


@dataclass
class Block:
    """A paragraph (DOCX) or a line (PDF, CSV title row) of running text."""

    text: str
    page: int | None = None
    ocr: float | None = None  # read by OCR: the confidence of its weakest word


@dataclass
class Table:
    """Rows of cell texts aligned to the table grid.

    A horizontally merged cell keeps its text in its first column and "" in the others; a
    vertically merged cell repeats its text downwards (a student's name merged over several
    session rows belongs to each of them).
    """

    rows: list[list[str]]
    page: int | None = None
    sheet: str | None = None
    row0: int = 1  # the sheet / table row number of rows[0] (1-based)
    ocr: float | None = None  # read by OCR: the confidence of its weakest word
    # nothing but empty paragraphs or a page break between it and the table before it: a
    # table split in two (a Word document), whose second part may not repeat the header
    follows: bool = False
    # a PDF table's top and bottom on its page (pt): a sheet too wide for its paper prints its
    # further columns on later pages, rows at the very same heights (audit/readers/pdf_bands.py)
    span: tuple[float, float] | None = None


Item = Block | Table


@dataclass
class Unseen:
    """Content the file holds that its program neither shows nor prints — hidden text, a
    hidden row, column or sheet, a formula without a value, text off the page — left out of
    the items a person sees and kept here, with its place, so the audit can say what it did
    not read (docs/evidence-packages.md "What a person sees")."""

    why: str  # Chinese, e.g. 隐藏文字, 隐藏的行, 隐藏的工作表
    text: str  # a snippet of what is hidden
    page: int | None = None
    sheet: str | None = None
    row: int | None = None


@dataclass
class ReadResult:
    status: FileStatus = "ok"
    reason: str | None = None
    pages: int | None = None
    scanned_pages: list[int] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    photo_date: date | None = None  # EXIF date of an image
    is_image: bool = False
    identity: dict[str, str] | None = None  # metadata of a baoxue-generated document
    # OCR (audit/readers/scan.py): pages put through the engine, the weakest confidence used
    # on each page read, and why a page still waits for a person.
    ocr_count: int = 0
    ocr_engine: str | None = None
    ocr_pages: dict[int, float] = field(default_factory=dict)
    page_notes: dict[int, str] = field(default_factory=dict)
    unseen: list[Unseen] = field(default_factory=list)
    # Tables found only on demand (pdfplumber is slow): called by extractors that need them.
    load_tables: Callable[[], list[Table]] | None = None

    def text(self, limit: int | None = None) -> str:
        """The running text (table cells joined by spaces), optionally cut at `limit` chars."""
        parts: list[str] = []
        size = 0
        for item in self.items:
            if isinstance(item, Block):
                parts.append(item.text)
            else:
                parts.extend(" ".join(c for c in row if c) for row in item.rows)
            size += len(parts[-1]) if parts else 0
            if limit is not None and size >= limit:
                break
        text = "\n".join(parts)
        return text[:limit] if limit is not None else text

    def tables(self) -> list[Table]:
        if self.load_tables is not None:
            loader, self.load_tables = self.load_tables, None
            self.items.extend(loader())
            self.items.sort(key=lambda i: i.page or 0)  # stable: a page's tables after its text
        return [item for item in self.items if isinstance(item, Table)]


def note_unseen(result: ReadResult) -> None:
    """Say in the file's reason what was left unread because a person does not see it."""
    if not result.unseen:
        return
    counts: dict[str, int] = {}
    for piece in result.unseen:
        counts[piece.why] = counts.get(piece.why, 0) + 1
    note = "未读取不显示、不打印的内容：" + "，".join(f"{why} {n} 处" for why, n in counts.items())
    result.reason = f"{result.reason}；{note}" if result.reason else note


def error(reason: str) -> ReadResult:
    return ReadResult(status="error", reason=reason)


_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def clean(text: str) -> str:
    """Whitespace collapsed; a line break inside a Chinese word (a wrapped cell) removed."""
    return _CJK_GAP.sub("", " ".join(text.split()))


def table_text(line: str, cells: str) -> bool:
    """Whether a PDF line of text is a table's own, its cells' text given joined: every piece
    of it is in a cell — or one piece of four characters or more is, and nine tenths of its
    characters are the cells' (a wrapped cell's pieces, 2025.10.1 / 7 of 2025.10.17, or a
    cell's text that ran past its border into the next one: 居家隔离治 | 2026/5/19治疗)."""
    pieces = line.split()
    if not pieces or not cells:
        return False
    if all(p in cells for p in pieces):
        return True
    if not any(len(p) >= TABLE_ANCHOR and p in cells for p in pieces):
        return False
    have, want = Counter(cells), Counter("".join(pieces))
    return sum(min(n, have[ch]) for ch, n in want.items()) >= TABLE_COVERED * sum(want.values())


TABLE_ANCHOR = 4  # characters of a piece that tie a line to a table's cell
TABLE_COVERED = 0.9  # share of a line's characters a table's cells must hold
