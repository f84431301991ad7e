"""A PDF page's text as pieces where they lie: forms and tables whatever program drew them.

Office programs and WeasyPrint put a form's value in its own ruled cell; a canvas library
(reportlab, the report engines of school and government systems) places each string at a
coordinate: a label and its value are two strings in one box (“送教日期：” … “2025年10月9日”),
a box may frame a whole form, a table's columns may be drawn without any rule. Here the page's
text objects (pdfium: one per string shown) become *runs* — strings joined where they touch —
and runs become lines; from those:

- `box_rows`: a form's box read line by line, each line's runs its cells (学生姓名： | 李小华 |
  性别： | 女), the way a person reads a label and the value beside it;
- `column_tables`: a table drawn without rules, its columns found from a header line's runs
  and the lines below that fall under them.

The thresholds are data (checklists/evidence/pdf_layout.yaml). Everything is pdfium calls on
handles already listed by `pdf_grid.page_shapes`; no pdfplumber.
"""

from __future__ import annotations

import ctypes
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from statistics import median
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from audit.readers.model import Table, clean
from audit.readers.pdf_grid import _HANDLE, _INT, _handle, _object_bounds, _plain
from forms.paths import CHECKLISTS_DIR
from forms.yamlload import load_yaml

SETTINGS_FILE = CHECKLISTS_DIR / "evidence" / "pdf_layout.yaml"


@dataclass(frozen=True)
class Settings:
    run_gap: float
    space_gap: float
    line_overlap: float
    form_box_share: float
    min_columns: int
    min_rows: int
    key_share: float
    row_gap: float


@lru_cache(maxsize=1)
def settings() -> Settings:
    data: dict[str, Any] = load_yaml(SETTINGS_FILE.read_text(encoding="utf-8"))
    table = data["table"]
    return Settings(
        run_gap=float(data["run_gap"]),
        space_gap=float(data["space_gap"]),
        line_overlap=float(data["line_overlap"]),
        form_box_share=float(data["form_box_share"]),
        min_columns=int(table["min_columns"]),
        min_rows=int(table["min_rows"]),
        key_share=float(table["key_share"]),
        row_gap=float(table["row_gap"]),
    )


@dataclass(frozen=True)
class Run:
    """Text drawn as one piece: its box (pt, origin bottom left) and its characters."""

    left: float
    bottom: float
    right: float
    top: float
    text: str

    @property
    def height(self) -> float:
        return max(self.top - self.bottom, 1.0)

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2


Line = list[Run]  # left to right

_text_of = _plain(pdfium_c.FPDFTextObj_GetText, ctypes.c_ulong, _HANDLE, _HANDLE, _HANDLE, _INT)
BUFFER = 4096  # UTF-16 units: a string shown at once is far shorter


def page_runs(textpage: pdfium.PdfTextPage, handles: list[int]) -> list[Run]:
    """The page's text objects (handles from `page_shapes`) as runs, not yet joined."""
    buffer = (ctypes.c_ushort * BUFFER)()
    address = ctypes.addressof(buffer)
    page_text = _handle(textpage.raw)
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = [ctypes.addressof(b) for b in (left, bottom, right, top)]
    pieces: list[Run] = []
    for handle in handles:
        size = _text_of(handle, page_text, address, 2 * BUFFER)
        if size <= 2:
            continue
        text = ctypes.string_at(address, min(size, 2 * BUFFER) - 2).decode("utf-16-le", "ignore")
        text = text.strip()
        if not text or not _object_bounds(handle, *refs):
            continue
        pieces.append(Run(left.value, bottom.value, right.value, top.value, text))
    return pieces


def joined(runs: list[Run]) -> list[Run]:
    """Runs joined where they touch on a line (a string drawn in pieces)."""
    return [run for line in _lines(runs) for run in _join_line(line)]


def _lines(runs: list[Run]) -> list[Line]:
    """Runs grouped into lines, top to bottom, each left to right."""
    overlap = settings().line_overlap
    lines: list[Line] = []
    for run in sorted(runs, key=lambda r: (-r.top, r.left)):
        if lines:
            last = lines[-1]
            low = min(r.bottom for r in last)
            high = max(r.top for r in last)
            shared = min(high, run.top) - max(low, run.bottom)
            if shared >= overlap * min(run.height, high - low):
                last.append(run)
                continue
        lines.append([run])
    return [sorted(line, key=lambda r: r.left) for line in lines]


def _join_line(line: Line) -> list[Run]:
    """Runs of one line joined where they touch (a string drawn a character at a time)."""
    config = settings()
    joined: list[Run] = []
    for run in line:
        if joined:
            last = joined[-1]
            gap = run.left - last.right
            em = min(run.height, last.height)
            if gap < config.run_gap * em:
                space = " " if gap >= config.space_gap * em and _western(last, run) else ""
                joined[-1] = Run(
                    last.left,
                    min(last.bottom, run.bottom),
                    max(last.right, run.right),
                    max(last.top, run.top),
                    last.text + space + run.text,
                )
                continue
        joined.append(run)
    return joined


def _western(a: Run, b: Run) -> bool:
    return a.text[-1:].isascii() and b.text[:1].isascii()


# -------------------------------------------------------------------------------- form boxes


def inside(runs: list[Run], left: float, bottom: float, right: float, top: float) -> list[Run]:
    """The runs whose middle lies in a box."""
    return [
        r for r in runs if left <= r.middle <= right and bottom <= (r.bottom + r.top) / 2 <= top
    ]


def box_rows(runs: list[Run]) -> list[list[str]]:
    """A box's text line by line, each line's runs its cells."""
    return [[clean(r.text) for r in line] for line in _lines(runs)]


def split_share(cells: list[list[Run]]) -> float:
    """The share of the lines written in the cells (their joined runs each) that hold two runs
    or more."""
    lines = split = 0
    for runs in cells:
        for line in _lines(runs):
            lines += 1
            split += len(line) >= 2
    return split / lines if lines else 0.0


Box = tuple[float, float, float, float]  # left, bottom, right, top
_SPACED = re.compile(r"\S[ \t]+\S")


class PageLayout:
    """One page's runs, built only when a grid or the page's lines call for them."""

    def __init__(self, textpage: pdfium.PdfTextPage, handles: list[int]) -> None:
        self.textpage, self.handles = textpage, handles
        self._runs: list[Run] | None = None

    @property
    def runs(self) -> list[Run]:
        if self._runs is None:
            self._runs = page_runs(self.textpage, self.handles)
        return self._runs

    def form_box(self, box: Box, cells: list[Box], texts: list[str]) -> list[list[str]] | None:
        """A ruled box or grid whose boxes hold labels and values as free text, read line by
        line (`pdf_grid.BoxReader`); None when it is a table of one value a cell.

        A lone box holding two lines or more frames a form. A grid is one when enough of its
        filled cells hold two pieces on a line; pdfium puts a space between strings that lie
        apart, so only a grid with enough spaced cells has its runs looked at."""
        if not self.handles:
            return None
        share = settings().form_box_share
        if len(cells) == 1:
            if "\n" not in texts[0]:
                return None
        elif sum(1 for t in texts if _SPACED.search(t)) < share * len(cells):
            return None
        pieces = inside(self.runs, *box)
        held = [joined(inside(pieces, *cell)) for cell in cells]  # never joined across a rule
        if len(cells) > 1 and split_share(held) < share:
            return None
        rows = box_rows([run for runs in held for run in runs])
        return rows if rows else None

    def column_tables(self, number: int) -> list[Table]:
        return column_tables(joined(self.runs), number) if self.handles else []


# ---------------------------------------------------------------------- tables without rules


def column_tables(runs: list[Run], number: int) -> list[Table]:
    """Tables drawn without rules: a header line and the lines below whose runs fall under
    its columns, one run a column."""
    config = settings()
    lines = _lines(runs)
    tables: list[Table] = []
    index = 0
    while index < len(lines):
        head = lines[index]
        if len(head) >= config.min_columns:
            rows, end = _table_from(lines, index)
            if rows is not None:
                tables.append(Table(rows=rows, page=number))
                index = end
                continue
        index += 1
    return tables


def _territories(head: Line) -> list[tuple[float, float]]:
    """Each header column's reach: halfway to the columns beside it."""
    bounds = [float("-inf")]
    for a, b in itertools.pairwise(head):
        bounds.append((a.right + b.left) / 2)
    bounds.append(float("inf"))
    return list(itertools.pairwise(bounds))


def _fit(line: Line, reach: list[tuple[float, float]]) -> dict[int, str] | None:
    """Column → text of a line whose runs each fall under a different column; None if not."""
    found: dict[int, str] = {}
    for run in line:
        column = next((k for k, (a, b) in enumerate(reach) if a <= run.middle < b), None)
        if column is None or column in found:
            return None
        a, b = reach[column]
        if run.left < a - (b - a) or run.right > b + (b - a):
            return None  # spans other columns: a line of its own, not a row
        found[column] = clean(run.text)
    return found


def _table_from(lines: list[Line], index: int) -> tuple[list[list[str]] | None, int]:
    """The table whose header is lines[index], and the index after its last line."""
    config = settings()
    head = lines[index]
    reach = _territories(head)
    width = len(head)
    fitted: list[tuple[Line, dict[int, str]]] = []
    pitches: list[float] = []
    previous = head
    for line in lines[index + 1 :]:
        pitch = min(r.top for r in previous) - max(r.top for r in line)
        usual = median(pitches) if pitches else 2 * max(r.height for r in previous)
        if pitch > config.row_gap * usual:
            break
        cells = _fit(line, reach)
        if cells is None:
            break
        fitted.append((line, cells))
        pitches.append(pitch)
        previous = line
    if not fitted:
        return None, index + 1
    counts = [sum(1 for _, cells in fitted if k in cells) for k in range(width)]
    key = next((k for k in range(width) if counts[k] >= config.key_share * len(fitted)), None)
    header = [clean(r.text) for r in head]
    rows: list[list[str]] = []
    for _line, cells in fitted:
        if key is not None and key not in cells:
            target = rows[-1] if rows else header  # a wrapped cell, or a heading on two lines
            for k, text in cells.items():
                target[k] = _continue(target[k], text)
            continue
        rows.append([cells.get(k, "") for k in range(width)])
    if len(rows) < config.min_rows:
        return None, index + 1
    return [header, *rows], index + 1 + len(fitted)


def _continue(before: str, more: str) -> str:
    """A cell's text and its wrapped next line: joined without a space beside Chinese."""
    if not before:
        return more
    if before[-1:].isascii() and more[:1].isascii() and before[-1:].isalnum():
        return f"{before} {more}"
    return before + more


def columns_likely(lines: list[str]) -> bool:
    """Whether a page's text lines look like a table drawn without rules: several lines of
    three pieces or more (pdfium puts a space where strings lie apart). Only then are the
    page's runs worth building."""
    config = settings()
    wide = sum(1 for line in lines if line.strip().count(" ") >= config.min_columns - 1)
    return wide >= config.min_rows + 1
