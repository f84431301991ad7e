"""Spreadsheets: XLSX (openpyxl), legacy XLS (xlrd) and CSV (UTF-8, UTF-8 with BOM, GBK).

Every sheet becomes one `Table` whose rows keep their sheet row numbers. Merged ranges: the
value stays in the top-left cell; a vertical range repeats it downwards (a student's name
merged over several of her rows), a horizontal range leaves the other columns empty.
Dates are written ISO (2026-03-05) so the fact extractors read them like typed dates.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from audit.readers.model import ReadResult, Table, clean, error

# Beyond this many cells a sheet is read in openpyxl's streaming mode (merged ranges unknown).
STREAM_CELLS = 200_000


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(str(value))


def read_xlsx(data: bytes) -> ReadResult:
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        return error("XLSX 文件已损坏或不是 Excel 工作簿，无法打开")
    except Exception as exc:
        return error(f"XLSX 文件已损坏，无法读取（{type(exc).__name__}）")
    result = ReadResult()
    try:
        for ws in wb.worksheets:
            rows = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            for merged in ws.merged_cells.ranges:
                top, left = merged.min_row - 1, merged.min_col - 1
                if top >= len(rows) or left >= len(rows[top]):
                    continue
                value = rows[top][left]
                for r in range(top + 1, min(merged.max_row, len(rows))):
                    if left < len(rows[r]) and merged.min_col == merged.max_col:
                        rows[r][left] = value
            _append_sheet(result, ws.title, rows)
    finally:
        wb.close()
    return result


def _append_sheet(result: ReadResult, title: str | None, rows: list[list[str]]) -> None:
    # Trim trailing empty rows/columns, keep row numbers by remembering the first row.
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, c in enumerate(r) if c), default=0) for r in rows), default=0)
    trimmed = [r[:width] + [""] * (width - len(r)) for r in rows]
    if any(any(r) for r in trimmed):
        result.items.append(Table(rows=trimmed, sheet=title, row0=1))


def read_xls(data: bytes) -> ReadResult:
    try:
        import xlrd
    except ImportError:
        return error("旧版 Office 格式（.xls），请另存为 xlsx")
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=False)
    except Exception:
        return error("XLS 文件已损坏或不是 Excel 工作簿，无法打开")
    result = ReadResult()
    for sheet in book.sheets():
        rows: list[list[str]] = []
        for r in range(sheet.nrows):
            row: list[str] = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        row.append(cell_text(xlrd.xldate.xldate_as_datetime(cell.value, 0)))
                    except Exception:
                        row.append(cell_text(cell.value))
                else:
                    row.append(cell_text(cell.value))
            rows.append(row)
        for r0, r1, c0, c1 in getattr(sheet, "merged_cells", []):
            if c1 - c0 == 1:
                for r in range(r0 + 1, min(r1, len(rows))):
                    rows[r][c0] = rows[r0][c0]
        _append_sheet(result, sheet.name, rows)
    return result


def decode_text(data: bytes) -> str:
    """Text of a CSV as Excel on a Chinese Windows saves it: UTF-8 (BOM or not), else GBK."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def read_csv(data: bytes) -> ReadResult:
    text = decode_text(data)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",\t;，")
    except csv.Error:
        dialect = csv.excel
    rows = [[clean(c) for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    result = ReadResult()
    _append_sheet(result, None, rows)
    return result
