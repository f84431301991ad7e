"""Reading a roster (花名册): 学籍系统 exports and hand-made sheets, XLSX or CSV.

Real rosters have a title row or two above the header, merged header cells (a two-row
header with 学生信息 / 监护人信息 groups), Excel date cells next to text dates, IDs typed
as numbers, and CSV files in UTF-8 (with or without BOM) or GBK. This module finds the
header, maps each column to a field (forms.roster_columns) and yields the data rows with
the row number the clerk sees in Excel (or the line in the CSV file).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from forms.dates import DateParseError, parse_date
from forms.idcard import IdNumberError, parse_id_number
from forms.names import names_column, names_share
from forms.roster_columns import ColumnTable, column_table, normalize_label
from forms.sheets import READERS, Kind, Sheet, SheetError, sniff

HEADER_SEARCH_ROWS = 20  # a header further down than this is not a header
MIN_HEADER_FIELDS = 2


class RosterError(Exception):
    """The roster cannot be read at all (not a spreadsheet, no header, wrong encoding)."""


@dataclass(frozen=True)
class Column:
    index: int  # 0-based position in the sheet
    letter: str  # Excel column letter (A, B, … AA) — also given for CSV files
    header: str  # the header as written (two-row headers: “监护人信息/姓名”)
    key: str | None  # the field it holds, None when baoxue does not use it


@dataclass
class RosterRow:
    line: int  # Excel row number / CSV line number, as the clerk sees it
    ordinal: int  # 0-based position among the roster's data rows (numbering is stable)
    cells: dict[str, Any]  # field key → cell value as read (str, int, float, date, None)


@dataclass
class Roster:
    path: Path
    sheet: str | None
    header_lines: tuple[int, ...]
    columns: list[Column]
    rows: list[RosterRow]
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    @property
    def keys(self) -> set[str]:
        return {c.key for c in self.columns if c.key}


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------- reading the cells


def _decode(data: bytes) -> tuple[str, str]:
    """CSV bytes → text. BOMs first, then strict UTF-8, then GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8（带BOM）"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError:
        raise RosterError(
            "无法识别文件编码（应为 UTF-8 或 GBK），请在 Excel 中另存为 .xlsx"
        ) from None


def _read_csv(data: bytes) -> tuple[list[list[Any]], list[int], str]:
    text, encoding = _decode(data)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    grid: list[list[Any]] = []
    lines: list[int] = []
    start = 1
    try:
        for record in reader:
            grid.append(list(record))
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RosterError(f"第{reader.line_num}行无法按 CSV 读取：{exc}") from None
    return grid, lines, encoding


def _read_xlsx(data: bytes) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        # Not read-only: merged ranges are only known to a fully loaded sheet.
        # From bytes: openpyxl refuses a path whose name does not end in .xlsx.
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise RosterError(f"无法作为 Excel 工作簿打开：{type(exc).__name__}") from None
    try:
        visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
        return [
            Sheet(
                ws.title,
                [list(row) for row in ws.iter_rows(values_only=True)],
                [
                    (m.min_row - 1, m.max_row, m.min_col - 1, m.max_col)
                    for m in ws.merged_cells.ranges
                ],
            )
            for ws in visible + [ws for ws in book.worksheets if ws not in visible]
        ]
    finally:
        book.close()


def _filled(sheet: Sheet) -> list[list[Any]]:
    """The grid with every cell of a merged range holding the range's value."""
    grid = sheet.rows
    for r0, r1, c0, c1 in sheet.merges:
        if r0 >= len(grid) or c0 >= len(grid[r0]):
            continue
        value = grid[r0][c0]
        for r in range(r0, min(r1, len(grid))):
            row = grid[r]
            if len(row) < c1:
                row.extend([None] * (c1 - len(row)))
            for c in range(c0, c1):
                row[c] = value
    return grid


def _pick(sheets: list[Sheet], wanted: str | None) -> list[Sheet]:
    if wanted is None:
        return sheets
    chosen = [s for s in sheets if s.title == wanted]
    if not chosen:
        names = "、".join(s.title for s in sheets)
        raise RosterError(f"工作簿中没有名为“{wanted}”的工作表（有：{names}）")
    return chosen


_FORMAT_NAMES: dict[Kind, str] = {
    "xlsx": "Excel 工作簿（.xlsx）",
    "xls": "旧版 Excel 工作簿（.xls）",
    "html": "网页表格（一些系统导出的“xls”就是这种）",
    "spreadsheetml": "XML 表格（Excel 2003 XML）",
    "text": "CSV/制表符分隔的文本",
    "unknown": "无法识别的格式",
}
_SUFFIX_KINDS: dict[str, Kind] = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".et": "xls",
    ".csv": "text",
    ".txt": "text",
    ".tsv": "text",
    ".htm": "html",
    ".html": "html",
    ".xml": "spreadsheetml",
}

ROSTER_SUFFIXES = tuple(_SUFFIX_KINDS)


def _read_sheets(
    path: Path, sheet: str | None
) -> tuple[list[tuple[str, list[list[Any]], list[int]]], str | None, Kind]:
    """The sheets of a roster file as (title, grid, line numbers), its text encoding, its format."""
    data = path.read_bytes()
    kind = sniff(data)
    if kind == "xlsx":
        sheets = _pick(_read_xlsx(data), sheet)
    elif kind in READERS:
        try:
            sheets = _pick(READERS[kind](data), sheet)
        except SheetError as exc:
            raise RosterError(str(exc)) from None
    elif kind == "text" and _SUFFIX_KINDS[path.suffix.lower()] == "xlsx":
        raise RosterError("无法作为 Excel 工作簿打开：文件内容不是 Excel 格式")
    elif kind == "text":
        grid, lines, encoding = _read_csv(data)
        return [("", grid, lines)], encoding, kind
    else:
        raise RosterError(
            f"无法识别“{path.name}”的格式（不是 Excel 工作簿，也不是 CSV 文本），"
            "请在 Excel 或 WPS 中另存为 .xlsx"
        )
    out = [(s.title, _filled(s), list(range(1, len(s.rows) + 1))) for s in sheets]
    return out, None, kind


# ---------------------------------------------------------------- finding the header


@dataclass
class _Header:
    first: int  # index into the grid of the first header row
    height: int  # 1 or 2 rows
    columns: list[Column]
    score: int


def _header_at(grid: list[list[Any]], first: int, height: int, table: ColumnTable) -> _Header:
    top = grid[first]
    bottom = grid[first + 1] if height == 2 else top
    width = max(len(top), len(bottom))
    parents: list[Any] = [top[i] if i < len(top) else None for i in range(width)]
    if height == 2:  # a CSV has no merges: a group label stands over the columns to its right
        last = None
        for i in range(width):
            child = bottom[i] if i < len(bottom) else None
            if _blank(parents[i]) and not _blank(child) and last is not None:
                parents[i] = last
            elif not _blank(parents[i]):
                last = parents[i]
    columns: list[Column] = []
    taken: set[str] = set()
    for i in range(width):
        parent_raw = parents[i] if height == 2 else None
        child_raw = bottom[i] if i < len(bottom) else None
        parent, child = normalize_label(parent_raw), normalize_label(child_raw)
        key = table.resolve(parent, child, taken) if (parent or child) else None
        if key:
            taken.add(key)
        shown = [str(x).strip() for x in (parent_raw, child_raw) if not _blank(x)]
        header = "/".join(dict.fromkeys(shown))
        columns.append(Column(i, column_letter(i), header, key))
    columns = _checked_by_values(grid[first + height : first + height + SAMPLE_ROWS], columns)
    taken = {c.key for c in columns if c.key}
    score = len(taken)
    if "student.name" not in taken:
        score = 0
    if height == 2 and not any(
        normalize_label(p) in table.groups for p in parents if not _blank(p)
    ):
        # The row above is a title, not group labels: the one-row header below it, which
        # scores the same, is the real one (and names its columns without the title).
        score -= 1
    return _Header(first, height, columns, score)


SAMPLE_ROWS = 12  # data rows looked at to tell what a column holds
VALUE_SHARE = 0.8  # of a column's filled cells, to name a column by its values


def _checked_by_values(sample: list[list[Any]], columns: list[Column]) -> list[Column]:
    """Columns are found by their values as well as their headings (issue 20 §4): a column
    headed 学生 or 姓名 whose cells are no names is not the student's name; a column of names
    or of 身份证号 under a heading no alias knows (名字, 证件) is the student's."""

    def values(index: int) -> list[Any]:
        return [row[index] for row in sample if index < len(row)]

    out = [
        replace(c, key=None) if c.key == "student.name" and not names_column(values(c.index)) else c
        for c in columns
    ]
    keys = {c.key for c in out}
    for key, holds in (("student.name", _names), ("student.id_number", _id_numbers)):
        if key in keys:
            continue
        for n, c in enumerate(out):
            if c.key is None and holds(values(c.index)):
                out[n] = replace(c, key=key)
                keys.add(key)
                break
    return out


def _names(cells: list[Any]) -> bool:
    return (names_share(cells) or 0) >= VALUE_SHARE


def _id_numbers(cells: list[Any]) -> bool:
    filled = [str(c).strip() for c in cells if not _blank(c)]
    valid = 0
    for cell in filled:
        try:
            parse_id_number(cell)
            valid += 1
        except IdNumberError:
            pass
    return bool(filled) and valid >= VALUE_SHARE * len(filled)


# headings of a date that is no event's: a birth date, a school entry, when the sheet was made
_NOT_EVENT_DATE = re.compile(r"出生|生日|入学|入校|填表|制表|打印|导出")


def _dated(rows: list[list[Any]], columns: list[Column], key: str) -> list[Column]:
    """`key` given to the column of dates a sheet has when no column holds it yet: its cells
    are dates (Excel dates or text), and its heading does not say it is a birth date or the
    like (issue 20 §4: columns by their values)."""
    if any(c.key == key for c in columns):
        return columns
    sample = rows[:SAMPLE_ROWS]
    for n, c in enumerate(columns):
        if c.key is not None or _NOT_EVENT_DATE.search(c.header):
            continue
        cells = [r[c.index] for r in sample if c.index < len(r) and not _blank(r[c.index])]
        dated = sum(1 for v in cells if _is_date(v))
        if cells and dated >= VALUE_SHARE * len(cells):
            return [*columns[:n], replace(c, key=key), *columns[n + 1 :]]
    return columns


def _is_date(value: Any) -> bool:
    """An Excel date cell, or text that reads as one (2025-10-09, 2025年10月9日)."""
    if isinstance(value, date):
        return True
    try:
        parse_date(str(value).strip())
    except (DateParseError, ValueError):
        return False
    return True


def find_header(grid: list[list[Any]], table: ColumnTable) -> _Header | None:
    best: _Header | None = None
    for first in range(min(HEADER_SEARCH_ROWS, len(grid))):
        for height in (1, 2):
            if first + height > len(grid):
                continue
            candidate = _header_at(grid, first, height, table)
            if best is None or candidate.score > best.score:
                best = candidate
    if best is None or best.score < MIN_HEADER_FIELDS:
        return None
    return best


# ---------------------------------------------------------------- the data rows


def _is_footer(values: Sequence[Any], table: ColumnTable) -> bool:
    filled = [str(v).strip() for v in values if not _blank(v)]
    return 0 < len(filled) <= 2 and any(
        normalize_label(filled[0]).startswith(word) for word in table.footer
    )


def _repeats_header(values: Sequence[Any], header: _Header) -> bool:
    mapped = [c for c in header.columns if c.key]
    same = sum(
        1
        for c in mapped
        if c.index < len(values)
        and normalize_label(values[c.index])
        and normalize_label(values[c.index]) == normalize_label(c.header.split("/")[-1])
    )
    return same * 2 > len(mapped)


def _rows(
    grid: list[list[Any]], lines: list[int], header: _Header, table: ColumnTable
) -> Iterable[RosterRow]:
    start = header.first + header.height
    return _data_rows(zip(lines[start:], grid[start:], strict=True), header, table)


def _data_rows(
    numbered: Iterable[tuple[int, Sequence[Any]]], header: _Header, table: ColumnTable
) -> Iterator[RosterRow]:
    mapped = [c for c in header.columns if c.key]
    ordinal = 0
    for line, values in numbered:
        if all(_blank(v) for v in values):
            continue
        if _is_footer(values, table) or _repeats_header(values, header):
            continue
        cells = {c.key: values[c.index] if c.index < len(values) else None for c in mapped}
        if all(_blank(v) for v in cells.values()):
            continue  # only unused columns filled (a 序号 with nothing else)
        yield RosterRow(line, ordinal, {k: v for k, v in cells.items() if k})
        ordinal += 1


def read_roster(
    path: Path,
    sheet: str | None = None,
    table: ColumnTable | None = None,
    date_key: str | None = None,
) -> Roster:
    """Read a roster file; raise RosterError with a Chinese reason when it cannot be read.

    `date_key`: the field a sheet's one date column holds when no heading names it (a daily
    absence sheet headed 日期 or 填报日期: the day each pupil was absent)."""
    table = table or column_table()
    if path.is_dir():
        raise RosterError(f"“{path}”是一个文件夹，这里需要花名册文件（.xlsx、.xls 或 .csv）")
    if not path.is_file():
        raise RosterError(f"找不到文件 {path}")
    if path.suffix.lower() not in _SUFFIX_KINDS:
        raise RosterError(
            f"不支持的花名册格式“{path.suffix}”（可用 .xlsx、.xls、.csv 或学籍系统导出的表格）"
        )
    sheets, encoding, kind = _read_sheets(path, sheet)
    for name, grid, lines in sheets:
        header = find_header(grid, table)
        if header is None:
            continue
        if date_key:
            header.columns = _dated(grid[header.first + header.height :], header.columns, date_key)
        roster = Roster(
            path=path,
            sheet=name or None,
            header_lines=tuple(lines[header.first + i] for i in range(header.height)),
            columns=header.columns,
            rows=list(_rows(grid, lines, header, table)),
            encoding=encoding,
        )
        unused = [c.header for c in header.columns if c.header and not c.key]
        unused = [h for h in unused if not table.is_ignored(normalize_label(h.split("/")[-1]))]
        if unused:
            roster.notes.append("未使用的列：" + "、".join(unused))
        if kind != _SUFFIX_KINDS.get(path.suffix.lower()):
            roster.notes.append(
                f"文件名为{path.suffix}，内容实际是{_FORMAT_NAMES[kind]}，已按实际格式读取"
            )
        return roster
    where = f"工作表“{sheet}”" if sheet else "文件"
    raise RosterError(
        f"{path.name}：{where}前{HEADER_SEARCH_ROWS}行中找不到表头"
        "（至少要有“姓名”列和另一列如“身份证号”“年级”）"
    )


STREAM_ABOVE_BYTES = 2_000_000  # a larger xlsx or CSV is read row by row (stream_roster)


@dataclass
class RosterStream:
    """A roster whose data rows are read as they are used: its header (columns, notes) and
    an iterator of rows. Memory stays bounded by a row, not by the file (issue 22: a
    100,000-row 学籍 export)."""

    path: Path
    sheet: str | None
    columns: list[Column]
    rows: Iterator[RosterRow]
    notes: list[str] = field(default_factory=list)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    @property
    def keys(self) -> set[str]:
        return {c.key for c in self.columns if c.key}


def stream_roster(
    path: Path, sheet: str | None = None, table: ColumnTable | None = None
) -> RosterStream:
    """Like read_roster, but the rows of a large XLSX (openpyxl's read-only mode: merged
    cells are not known, a group label over its columns is read as in a CSV) or CSV come
    one at a time. A small file, and the formats that are read whole anyway (XLS: 65,536
    rows at most; web-page and XML tables), go through read_roster."""
    table = table or column_table()
    if not path.is_file() or path.stat().st_size <= STREAM_ABOVE_BYTES:
        roster = read_roster(path, sheet, table)
        return RosterStream(path, roster.sheet, roster.columns, iter(roster.rows), roster.notes)
    if path.suffix.lower() not in _SUFFIX_KINDS:
        read_roster(path, sheet, table)  # raises the roster's own message
    with path.open("rb") as handle:
        kind = sniff(handle.read(65536))
    if kind == "xlsx":
        return _stream_xlsx(path, sheet, table)
    if kind == "text":
        text, encoding = _decode(path.read_bytes())
        stream = _stream_grid(path, None, _csv_rows(text), table)
        if stream is None:
            raise RosterError(f"{path.name}：文件前{HEADER_SEARCH_ROWS}行中找不到表头")
        stream.notes.append(f"文件编码：{encoding}")
        return stream
    roster = read_roster(path, sheet, table)
    return RosterStream(path, roster.sheet, roster.columns, iter(roster.rows), roster.notes)


def _csv_rows(text: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    start = 1
    try:
        for record in reader:
            yield start, list(record)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RosterError(f"第{reader.line_num}行无法按 CSV 读取：{exc}") from None


def _stream_grid(
    path: Path, name: str | None, numbered: Iterator[tuple[int, list[Any]]], table: ColumnTable
) -> RosterStream | None:
    """The header from the first rows, then the rest streamed; None when no header."""
    head: list[tuple[int, list[Any]]] = []
    for pair in numbered:
        head.append(pair)
        if len(head) >= HEADER_SEARCH_ROWS + SAMPLE_ROWS + 2:
            break
    header = find_header([values for _, values in head], table)
    if header is None:
        return None
    rest = head[header.first + header.height :]

    def numbered_rest() -> Iterator[tuple[int, list[Any]]]:
        yield from rest
        yield from numbered

    return RosterStream(path, name, header.columns, _data_rows(numbered_rest(), header, table))


def _stream_xlsx(path: Path, sheet: str | None, table: ColumnTable) -> RosterStream:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign file
        raise RosterError(f"无法作为 Excel 工作簿打开：{type(exc).__name__}") from None
    names = [ws.title for ws in book.worksheets]
    if sheet is not None and sheet not in names:
        book.close()
        raise RosterError(f"工作簿中没有名为“{sheet}”的工作表（有：{'、'.join(names)}）")
    for ws in book.worksheets:
        if sheet is not None and ws.title != sheet:
            continue
        numbered = ((n, list(row)) for n, row in enumerate(ws.iter_rows(values_only=True), start=1))
        stream = _stream_grid(path, ws.title, numbered, table)
        if stream is not None:
            stream.rows = _closing(stream.rows, book)
            return stream
    book.close()
    raise RosterError(
        f"{path.name}：前{HEADER_SEARCH_ROWS}行中找不到表头（至少要有“姓名”列和另一列如“身份证号”）"
    )


def _closing(rows: Iterator[RosterRow], book: Any) -> Iterator[RosterRow]:
    try:
        yield from rows
    finally:
        book.close()


# ---------------------------------------------------------------- cell values


class CellError(ValueError):
    """A cell whose value cannot be what its column says (reason in Chinese)."""


def _looks_scientific(text: str) -> bool:
    return re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text.strip()) is not None


def cell_value(value: Any, info_type: str = "text", kind: str = "") -> Any:
    """A raw cell as the record model should receive it; CellError when it cannot be."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value if info_type == "date" else f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, int | float):
        if info_type == "date":  # 20120315 typed as a number, or an Excel serial day
            whole = float(value).is_integer()
            return str(int(value)) if whole and 19000101 <= value <= 21001231 else value
        if kind == "long_number" and abs(value) >= 1e15:
            raise CellError(
                f"被 Excel 存成了数字（{value:.15G}），超过15位的数字后几位已变成0、无法还原；"
                "请把这一列设为“文本”格式后重新输入"
            )
        return str(int(value)) if float(value).is_integer() else str(value)
    text = str(value).strip()
    if kind == "long_number" and _looks_scientific(text):
        raise CellError(
            f"“{text}”是科学计数法，号码的后几位已丢失；请把这一列设为“文本”格式后重新输入"
        )
    return text
