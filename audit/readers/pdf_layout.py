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

import bisect
import ctypes
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from statistics import median
from typing import Any, NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from audit.readers.model import Table, clean
from audit.readers.pdf_grid import _HANDLE, _INT, PageShapes, _handle, _plain
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
    fragment_share: float
    fragment_lines: int


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
        fragment_share=float(data["fragmented"]["share"]),
        fragment_lines=int(data["fragmented"]["min_lines"]),
    )


class Run(NamedTuple):
    """Text drawn as one piece: its box (pt, origin bottom left) and its characters."""

    left: float
    bottom: float
    right: float
    top: float
    text: str


def _middle(run: Run) -> float:
    return (run.left + run.right) / 2


def _height(run: Run) -> float:
    return max(run.top - run.bottom, 1.0)


Line = list[Run]  # left to right

_loose_box = _plain(pdfium_c.FPDFText_GetLooseCharBox, _INT, _HANDLE, _INT, _HANDLE)
_count_chars = _plain(pdfium_c.FPDFText_CountChars, _INT, _HANDLE)
_unicode = _plain(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint, _HANDLE, _INT)
_PIECE = re.compile(r"\S+")


def page_runs(textpage: pdfium.PdfTextPage, text: str) -> list[Run]:
    """The page's text as runs, not yet joined: each stretch of `text` (the page's text as
    pdfium gives it) between the spaces and line breaks pdfium writes where strings lie apart,
    boxed by its first and last character (their loose boxes: the font's full height, so a
    “一” or a “：” sits on its line like any character).

    One call a character end, each O(1) in pdfium — asking a text object for its text walks
    the page's characters each time. Where the text's offsets are not character indices (a
    glyph without a Unicode value is left out of it), the text is spelt again a character at
    a time."""
    handle = _handle(textpage.raw)
    count = _count_chars(handle)
    if len(text) != count:
        text = "".join(chr(_unicode(handle, i) or 0xFFFD) for i in range(count))
    box = pdfium_c.FS_RECTF()
    ref = ctypes.addressof(box)
    loose = _loose_box
    pieces: list[Run] = []
    for match in _PIECE.finditer(text):
        first, last = match.start(), match.end() - 1
        if not loose(handle, first, ref):
            continue
        left, top, right, bottom = box.left, box.top, box.right, box.bottom
        if last != first and loose(handle, last, ref):
            left, right = min(left, box.left), max(right, box.right)
            top, bottom = max(top, box.top), min(bottom, box.bottom)
        pieces.append(Run(left, bottom, right, top, match.group()))
    return pieces


Wall = tuple[float, float, float]  # a vertical rule: x, bottom, top


def page_lines(runs: list[Run], walls: list[Wall] | None = None) -> list[Line]:
    """Runs grouped into lines, top to bottom, each left to right, with the runs that touch
    joined (a string drawn a character at a time) — never across a vertical rule."""
    return [_join_line(line, walls or []) for line in _lines(runs)]


def _lines(runs: list[Run]) -> list[Line]:
    """Runs grouped into lines, top to bottom, each left to right."""
    overlap = settings().line_overlap
    lines: list[Line] = []
    low = high = 0.0
    for run in sorted(runs, key=lambda r: -r.top):
        if lines:
            shared = min(high, run.top) - max(low, run.bottom)
            if shared >= overlap * min(run.top - run.bottom, high - low):
                lines[-1].append(run)
                low, high = min(low, run.bottom), max(high, run.top)
                continue
        lines.append([run])
        low, high = run.bottom, run.top
    for line in lines:
        line.sort(key=lambda r: r.left)
    return lines


def _join_line(line: Line, walls: list[Wall]) -> Line:
    """Runs of one line joined where they touch, unless a vertical rule runs between them."""
    if len(line) < 2:
        return line
    config = settings()
    joined: Line = [line[0]]
    for run in line[1:]:
        last = joined[-1]
        gap = run.left - last.right
        em = min(_height(run), _height(last))
        if gap < config.run_gap * em and not _walled(last, run, walls):
            space = " " if gap >= config.space_gap * em and _western(last, run) else ""
            joined[-1] = Run(
                last.left,
                min(last.bottom, run.bottom),
                max(last.right, run.right),
                max(last.top, run.top),
                last.text + space + run.text,
            )
        else:
            joined.append(run)
    return joined


def _walled(a: Run, b: Run, walls: list[Wall]) -> bool:
    middle = (a.bottom + a.top) / 2
    return any(
        a.right - 1.0 <= x <= b.left + 1.0 and low <= middle <= high for x, low, high in walls
    )


def _western(a: Run, b: Run) -> bool:
    return a.text[-1:].isascii() and b.text[:1].isascii()


# -------------------------------------------------------------------------------- form boxes

Box = tuple[float, float, float, float]  # left, bottom, right, top
_SPACED = re.compile(r"\S[ \t]+\S")


# “送教日期：2025年10月9日” as one string: a label (a few characters, no digit) and its value
_LABELLED = re.compile(r"^([^\d：:\s]{1,12}[：:])\s*(\S.*)$")


def _label_apart(text: str) -> list[str]:
    """A piece of a form's box as cells: “标签：值” drawn as one string is a label and a value,
    as a person reads it (and as a form drawn with a cell for each holds them)."""
    match = _LABELLED.match(text)
    return [match[1], match[2]] if match else [text]


class PageLayout:
    """One page's runs and lines, built only when a grid or the page's lines call for them."""

    def __init__(self, textpage: pdfium.PdfTextPage, text: str, shapes: PageShapes) -> None:
        self.textpage, self.text, self.shapes = textpage, text, shapes
        self._lines: list[Line] | None = None

    @property
    def lines(self) -> list[Line]:
        if self._lines is None:
            walls = [(r.pos, r.start, r.end) for r in self.shapes.rules_v]
            self._lines = page_lines(page_runs(self.textpage, self.text), walls)
        return self._lines

    def form_box(self, box: Box, cells: list[Box], texts: list[str]) -> list[list[str]] | None:
        """A ruled box or grid whose boxes hold labels and values as free text, read line by
        line (`pdf_grid.BoxReader`); None when it is a table of one value a cell.

        A lone box holding two lines or more frames a form. A grid is one when enough of the
        lines written in its cells hold two pieces or more; pdfium puts a space between
        strings that lie apart, so only a grid with enough spaced cells is looked at."""
        share = settings().form_box_share
        if len(cells) == 1:
            if "\n" not in texts[0]:
                return None
        elif sum(1 for t in texts if _SPACED.search(t)) < share * len(cells):
            return None
        rows: list[list[str]] = []
        units = split = 0
        left, bottom, right, top = box
        for line in self.lines:
            first = line[0]
            if first.bottom > top or first.top < bottom:
                continue
            held = [
                r
                for r in line
                if left <= (r.left + r.right) / 2 <= right
                and bottom <= (r.bottom + r.top) / 2 <= top
            ]
            if not held:
                continue
            rows.append([cell for r in held for cell in _label_apart(clean(r.text))])
            if len(cells) > 1:
                counts: dict[int, int] = {}
                for run in held:
                    x, y = (run.left + run.right) / 2, (run.bottom + run.top) / 2
                    at = next(
                        (k for k, (a, b, c, d) in enumerate(cells) if a <= x <= c and b <= y <= d),
                        -1,
                    )
                    counts[at] = counts.get(at, 0) + 1
                units += len(counts)
                split += sum(1 for n in counts.values() if n >= 2)
        if len(cells) > 1 and (not units or split < share * units):
            return None
        return rows or None

    def column_tables(
        self, number: int, carried: Line | None = None
    ) -> tuple[list[Table], Line | None]:
        return column_tables(self.lines, number, carried)

    def texts(self) -> list[str]:
        """The page's lines as a person reads them, each line's runs apart by a space."""
        return [" ".join(run.text for run in line) for line in self.lines]


# ---------------------------------------------------------------------- tables without rules


def column_tables(
    lines: list[Line], number: int, carried: Line | None = None
) -> tuple[list[Table], Line | None]:
    """Tables drawn without rules: a header line and the lines below whose runs fall under
    its columns, one run a column. `carried`: the header of a table that ran to the foot of
    the page before — lines at the top of this page under its columns are its further rows
    (a table whose header row is not repeated on each page), given without a header and as
    wide as it, for the extraction to join to it. Returns the tables and the header to carry
    to the next page: the last table's, when it runs to the foot of this page."""
    config = settings()
    tables: list[Table] = []
    carry: Line | None = None
    index = 0
    if carried is not None:
        rows, end = _table_from(lines, -1, carried)
        if rows is not None:
            tables.append(Table(rows=rows, page=number, span=_lines_span(lines[:end])))
            index = end
            carry = carried if _at_foot(lines, end) else None
    while index < len(lines):
        head = lines[index]
        if len(head) >= config.min_columns:
            rows, end = _table_from(lines, index)
            if rows is not None:
                tables.append(Table(rows=rows, page=number, span=_lines_span(lines[index:end])))
                index = end
                carry = head if _at_foot(lines, end) else None
                continue
        index += 1
    return tables, carry


def _lines_span(lines: list[Line]) -> tuple[float, float]:
    """The top of the first line and the bottom of the last."""
    return max(r.top for r in lines[0]), min(r.bottom for r in lines[-1])


def _at_foot(lines: list[Line], end: int) -> bool:
    """Whether nothing but a page number follows line `end` (第2页, - 2 -, 2/5)."""
    return all(len(line) == 1 and len(clean(line[0].text)) <= FOOTER_CHARS for line in lines[end:])


FOOTER_CHARS = 10  # a page number line (第12页 共20页) is at most this long


def _territories(head: Line) -> list[float]:
    """Where each header column's reach ends: halfway to the column beside it."""
    return [(a.right + b.left) / 2 for a, b in itertools.pairwise(head)]


def _fit(line: Line, ends: list[float]) -> dict[int, str] | None:
    """Column → text of a line whose runs each fall under a different column; None if not."""
    found: dict[int, str] = {}
    last = len(ends)
    for run in line:
        middle = (run.left + run.right) / 2
        column = bisect.bisect_right(ends, middle)
        if column in found:
            return None
        if 0 < column < last:  # an inner column: a run reaching far past it spans others
            a, b = ends[column - 1], ends[column]
            if run.left < a - (b - a) or run.right > b + (b - a):
                return None  # a line of its own (a note, a footer), not a row
        found[column] = clean(run.text)
    return found


def _table_from(
    lines: list[Line], index: int, carried: Line | None = None
) -> tuple[list[list[str]] | None, int]:
    """The table whose header is lines[index], and the index after its last line — or, given
    the header of the page before (`carried`, index -1), the rows from the page's first line,
    without a header row."""
    config = settings()
    head = carried or lines[index]
    ends = _territories(head)
    width = len(head)
    fitted: list[tuple[Line, dict[int, str]]] = []
    pitches: list[float] = []
    previous = head
    for line in lines[index + 1 :]:
        pitch = min(r.top for r in previous) - max(r.top for r in line)
        usual = median(pitches) if pitches else 2 * max(_height(r) for r in previous)
        if pitch > config.row_gap * usual and not (carried and not fitted):
            break  # (the first row on a page is as far from the header as the page is long)
        cells = _fit(line, ends)
        if cells is None or (carried and not fitted and len(cells) < 2):
            break  # a title or a line of prose at the top: not the table running on
        if fitted or not carried:
            pitches.append(pitch)
        fitted.append((line, cells))
        previous = line
    if not fitted:
        return None, index + 1
    # the key column: the first one filled on most lines of two cells or more (a wrapped
    # cell's second line holds one)
    full = [cells for _, cells in fitted if len(cells) >= 2]
    counts = [sum(1 for cells in full if k in cells) for k in range(width)]
    key = next(
        (k for k in range(width) if full and counts[k] >= config.key_share * len(full)), None
    )
    header = [clean(r.text) for r in head]
    rows: list[list[str]] = []
    for _line, cells in fitted:
        if key is not None and key not in cells:
            target = rows[-1] if rows else header  # a wrapped cell, or a heading on two lines
            for k, text in cells.items():
                target[k] = continue_cell(target[k], text)
            continue
        rows.append([cells.get(k, "") for k in range(width)])
    if len(rows) < config.min_rows:
        return None, index + 1
    if carried is not None:
        return rows, index + 1 + len(fitted)
    return [header, *rows], index + 1 + len(fitted)


def continue_cell(before: str, more: str) -> str:
    """A cell's text and its wrapped next line (or a row's rest on the next page): joined
    without a space beside Chinese."""
    if not before or not more:
        return before or more
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


def fragmented(lines: list[str]) -> bool:
    """Whether pdfium's lines of a page are fragments: most of them a character or two (a
    program drawing every character on its own, which pdfium's line finder breaks apart)."""
    config = settings()
    if len(lines) < config.fragment_lines:
        return False
    short = sum(1 for line in lines if len(line.strip()) <= 2)
    return short >= config.fragment_share * len(lines)
