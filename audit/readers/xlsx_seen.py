"""A worksheet as Excel shows it (issue 20 §3): cells as their number formats show them, formulas
without a stored result computed, hidden rows and columns left out.

- A number shows through its format (audit/readers/numfmt.py): 3 with 0"天" is 3天, 0.98 with
  0% is 98%, ;;; shows nothing. A serial in a cell with one of zh-CN's built-in date formats
  (ids 27–36, 50–58, which a workbook does not spell out) is a date.
- A formula the file holds without its result (a program wrote it; Excel computes it on
  opening) is computed (audit/readers/formula.py); one that cannot be is `Unseen`
  (公式无计算结果), never guessed.
- A row or column hidden by hand — hidden, or of zero height or width — is not shown or
  printed: its cells are blanked (rows keep their numbers) and kept as `Unseen`. Rows hidden
  by an autofilter with criteria, or inside a collapsed outline group, are read: a filter or a
  group is a view of the register whose button shows the rows are there.
- A hidden or very hidden sheet is not read: kept as `Unseen` with its snippet (read_xlsx).
- A value in a white font on a cell without fill, or in the very colour of its cell's fill, is
  not seen on the screen or on paper: blanked and kept as `Unseen` (白色文字). White on a dark
  fill shows; so does any cell of a sheet with conditional formats (they may colour it).
- Content outside a print area is read: the print area limits printing, the screen shows it.
  Print titles are read once. Comments (notes) are never cell text.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from typing import Any

import openpyxl
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils.cell import range_boundaries

from audit.readers.formula import Evaluator, Unknown, Value, from_serial, serial
from audit.readers.model import ReadResult, Unseen
from audit.readers.numfmt import CJK_BUILTIN_DATES, CJK_BUILTIN_TIMES, cell_text

# A cell holding a formula and no result: <c><f>…</f></c> or <c><f>…</f><v/></c>.
_NO_RESULT = re.compile(
    rb"<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)


def missing_results(data: bytes) -> bool:
    """Whether some worksheet holds a formula without its result."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return any(
            _NO_RESULT.search(package.read(name))
            for name in package.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def workbook_formulas(data: bytes) -> Any:
    """The workbook with its formulas (openpyxl without data_only), shared ones expanded."""
    return openpyxl.load_workbook(io.BytesIO(data), data_only=False)


class _Computed:
    """Values of a workbook's cells for formulas: stored results, else computed."""

    def __init__(self, values: Any, formulas: Any) -> None:
        self.values, self.formulas = values, formulas
        self.memo: dict[tuple[str, int, int], Value] = {}
        self.busy: set[tuple[str, int, int]] = set()

    def cell(self, title: str, row: int, column: int) -> Value:
        key = (title, row, column)
        if key in self.memo:
            return self.memo[key]
        if key in self.busy:
            raise Unknown("a circular reference")
        stored = self.values[title]._cells.get((row, column))
        value = stored.value if stored is not None else None
        if value is None:
            source = self.formulas[title]._cells.get((row, column))
            text = source.value if source is not None else None
            if isinstance(text, str) and text.startswith("="):
                self.busy.add(key)
                try:
                    value = Evaluator(self._lookup(title), row, column).value(text)
                finally:
                    self.busy.discard(key)
            elif text is not None and not isinstance(text, str | int | float | bool):
                raise Unknown(type(text).__name__)  # an array or data-table formula
        if isinstance(value, datetime):
            value = serial(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif value is not None and not isinstance(value, str | float | bool):
            raise Unknown(type(value).__name__)
        self.memo[key] = value
        return value

    def _lookup(self, title: str) -> Any:
        def lookup(sheet: str | None, c0: int, r0: int, c1: int, r1: int) -> list[Value]:
            name = sheet or title
            if name not in self.values.sheetnames:
                raise Unknown(f"#REF! {name}")
            ws = self.values[name]
            r1, c1 = r1 or ws.max_row, c1 or ws.max_column
            return [self.cell(name, r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]

        return lookup


def sheet_rows(
    ws: Any, formulas: Any, result: ReadResult, unseen_styles: set[tuple[int, int]]
) -> list[list[str]]:
    """The sheet's cells as they show, from row 1 (rows keep their numbers); `unseen_styles`:
    the workbook's `white_styles`."""
    computed = _Computed(ws.parent, formulas) if formulas is not None else None
    # conditional formats may colour any cell of their sheet
    white = set() if ws.conditional_formatting else unseen_styles
    rows: list[list[str]] = []
    for cells in ws.iter_rows():
        row: list[str] = []
        for cell in cells:
            value = cell.value
            if value is None:
                row.append(_computed(ws, cell, computed, result) if computed else "")
            else:
                number_format = None
                if isinstance(value, int | float) and not isinstance(value, bool):
                    value, number_format = _cjk_date(cell, value)
                row.append(cell_text(value, number_format))
            style = getattr(cell, "_style", None)
            if white and row[-1] and style is not None and (style.fontId, style.fillId) in white:
                where = f"{cell.coordinate} {row[-1]}"
                result.unseen.append(Unseen("白色文字", where[:200], sheet=ws.title, row=cell.row))
                row[-1] = ""
        rows.append(row)
    return rows


def white_styles(book: Any) -> set[tuple[int, int]]:
    """(font, fill) pairs of the workbook that show nothing: a white font on no fill (or a
    white one), or a font the very colour of its solid fill."""
    fonts = {i: _rgb(font.color) for i, font in enumerate(book._fonts)}
    fills = {
        i: _rgb(fill.fgColor) if getattr(fill, "patternType", None) == "solid" else None
        for i, fill in enumerate(book._fills)
    }
    white_fonts = [i for i, font in enumerate(book._fonts) if _is_white(font.color)]
    pale = [i for i, fill in enumerate(book._fills) if _pale_fill(fill)]
    found = {(font, fill) for font in white_fonts for fill in pale}
    found |= {
        (font, fill)
        for font, colour in fonts.items()
        if colour is not None
        for fill, ground in fills.items()
        if ground == colour
    }
    return found


def _rgb(color: Any) -> str | None:
    """An explicit RGB colour (RRGGBB, alpha dropped); None for theme, indexed or none."""
    if color is None or getattr(color, "type", None) != "rgb" or not isinstance(color.rgb, str):
        return None
    return color.rgb.upper()[-6:]


# Excel's indexed palette: 1 and 9 are white.
_WHITE_INDEXED = {1, 9}


def _is_white(color: Any) -> bool:
    """A colour that is white on screen: FFFFFF, theme 0 (the background, Light 1) untinted,
    or the palette's white."""
    if color is None:
        return False
    kind = getattr(color, "type", None)
    if kind == "rgb":
        return isinstance(color.rgb, str) and color.rgb.upper()[-6:] == "FFFFFF"
    if kind == "theme":
        return color.theme == 0 and (color.tint or 0) >= 0
    if kind == "indexed":
        return color.indexed in _WHITE_INDEXED
    return False


def _pale_fill(fill: Any) -> bool:
    if not hasattr(fill, "patternType"):
        return False  # a gradient
    pattern = fill.patternType
    if pattern in (None, "none"):
        return True
    return pattern == "solid" and _is_white(getattr(fill, "fgColor", None))


def _cjk_date(cell: Any, value: float) -> tuple[Any, str | None]:
    """A serial in a cell with a zh-CN built-in date format is a date (or a time)."""
    style = getattr(cell, "_style", None)
    code = getattr(style, "numFmtId", 0)
    if code in CJK_BUILTIN_DATES:
        moment = from_serial(float(value))
        return (moment.time() if code in CJK_BUILTIN_TIMES else moment), None
    return value, cell.number_format


def _computed(ws: Any, cell: Any, computed: _Computed, result: ReadResult) -> str:
    source = computed.formulas[ws.title]._cells.get((cell.row, cell.column))
    text = source.value if source is not None else None
    if text is None or (isinstance(text, str) and not text.startswith("=")):
        return ""
    try:
        value = computed.cell(ws.title, cell.row, cell.column)
    except (Unknown, ArithmeticError, ValueError, OverflowError):
        formula = text if isinstance(text, str) else type(text).__name__
        where = f"{cell.coordinate} {formula}"
        result.unseen.append(Unseen("公式无计算结果", where[:200], sheet=ws.title, row=cell.row))
        return ""
    number_format = cell.number_format
    if isinstance(value, float) and is_date_format(number_format):
        return cell_text(from_serial(value))
    return cell_text(value, number_format)


def hide_rows_and_columns(ws: Any, rows: list[list[str]], result: ReadResult) -> None:
    """Blank what is hidden by hand (kept as `Unseen`); rows a filter or a group hides stay."""
    filtered = _filtered_rows(ws)
    hidden_rows = {
        index - 1
        for index, dim in ws.row_dimensions.items()
        if (dim.hidden or (dim.customHeight and dim.ht == 0))
        and not dim.outlineLevel
        and index not in filtered
    }
    hidden_cols = {
        c
        for dim in ws.column_dimensions.values()
        if (dim.hidden or (dim.customWidth and dim.width == 0)) and not dim.outlineLevel
        for c in range((dim.min or 1) - 1, dim.max or dim.min or 1)
    }
    hide(rows, ws.title, hidden_rows, hidden_cols, result)


def hide(
    rows: list[list[str]],
    title: str,
    hidden_rows: set[int],
    hidden_cols: set[int],
    result: ReadResult,
) -> None:
    """Blank the hidden rows and columns (0-based), each kept as `Unseen` with its text."""
    for r in sorted(hidden_rows):
        if r < len(rows) and any(rows[r]):
            text = " ".join(c for c in rows[r] if c)
            result.unseen.append(Unseen("隐藏的行", text[:200], sheet=title, row=r + 1))
            rows[r] = [""] * len(rows[r])
    for c in sorted(hidden_cols):
        texts = [row[c] for row in rows if c < len(row) and row[c]]
        if texts:
            letter = openpyxl.utils.get_column_letter(c + 1)
            snippet = f"{letter}列：" + " ".join(texts)
            result.unseen.append(Unseen("隐藏的列", snippet[:200], sheet=title))
        for row in rows:
            if c < len(row):
                row[c] = ""


def _filtered_rows(ws: Any) -> set[int]:
    """Rows under an autofilter that has criteria (its header row excluded)."""
    ref = ws.auto_filter.ref
    if not ref or not ws.auto_filter.filterColumn:
        return set()
    try:
        _, first, _, last = range_boundaries(ref)
    except ValueError:
        return set()
    return set(range((first or 1) + 1, (last or ws.max_row) + 1))
