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
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from audit.readers.model import ReadResult, Table, Unseen, clean, error, note_unseen
from audit.readers.numfmt import cell_text
from audit.readers.ocr import OcrLimits
from audit.readers.pictures import read_pictures
from audit.readers.xlsx_seen import (
    hide,
    hide_rows_and_columns,
    missing_results,
    sheet_rows,
    white_styles,
    workbook_formulas,
)
from forms.sheets import READERS, SheetError, sniff


def read_xlsx(data: bytes, ocr: OcrLimits | None = None) -> ReadResult:
    """Every visible sheet as a person sees it; with `ocr`, the pictures of paper placed on
    them too (picture k of the visible sheets, in order, is page k: audit/readers/pictures.py)."""
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        return error("XLSX 文件已损坏或不是 Excel 工作簿，无法打开")
    except Exception as exc:
        return error(f"XLSX 文件已损坏，无法读取（{type(exc).__name__}）")
    result = ReadResult()
    pictures: list[bytes] = []
    try:
        formulas = workbook_formulas(data) if missing_results(data) else None
        unseen_styles = white_styles(wb)
        for ws in wb.worksheets:
            rows = sheet_rows(ws, formulas, result, unseen_styles)
            merges = [
                (m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in ws.merged_cells.ranges
            ]
            _fill_down(rows, merges)
            if ws.sheet_state != "visible":  # hidden or veryHidden: not shown, not printed
                text = " ".join(c for r in rows for c in r if c)
                if text:
                    result.unseen.append(Unseen("隐藏的工作表", text[:200], sheet=ws.title))
                continue
            hide_rows_and_columns(ws, rows, result)
            _append_sheet(result, ws.title, rows)
            pictures += _pictures(ws)
        if ocr is not None and pictures:
            read_pictures(pictures, result, ocr)
    finally:
        wb.close()
    note_unseen(result)
    return result


def _pictures(ws: Any) -> list[bytes]:
    """The pictures placed on a sheet (openpyxl keeps them, with their bytes, in `_images`)."""
    found = []
    for image in getattr(ws, "_images", []):
        try:
            found.append(image._data())
        except (OSError, ValueError, AttributeError):  # a picture openpyxl could not keep
            continue
    return found


def _fill_down(rows: list[list[str]], merges: list[tuple[int, int, int, int]]) -> None:
    """A range merged down one column repeats its value in every row it covers (a student's
    name over several of her rows); a horizontal range leaves the other columns empty."""
    for r0, r1, c0, c1 in merges:
        if c1 - c0 != 1 or r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        for r in range(r0 + 1, min(r1, len(rows))):
            if c0 < len(rows[r]):
                rows[r][c0] = rows[r0][c0]


def _append_sheet(result: ReadResult, title: str | None, rows: list[list[str]]) -> None:
    # Trim trailing empty rows/columns, keep row numbers by remembering the first row.
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, c in enumerate(r) if c), default=0) for r in rows), default=0)
    trimmed = [r[:width] + [""] * (width - len(r)) for r in rows]
    if any(any(r) for r in trimmed):
        result.items.append(Table(rows=trimmed, sheet=title, row0=1))


def read_xls(data: bytes) -> ReadResult:
    """Legacy BIFF .xls, and the HTML / XML Spreadsheet 2003 files systems export as “xls”."""
    kind = sniff(data)
    if kind == "xlsx":
        return read_xlsx(data)
    if kind == "text" and any(sep in data[:4096] for sep in (b"\t", b",")):
        return read_csv(data)  # tab- or comma-separated text saved as .xls
    if kind not in READERS:
        return error("不是 Excel 工作簿，无法打开")
    try:
        found = READERS[kind](data)
    except SheetError as exc:
        return error(str(exc))
    result = ReadResult()
    for sheet in found:
        rows = [
            [cell_text(v, sheet.formats.get((r, c))) for c, v in enumerate(row)]
            for r, row in enumerate(sheet.rows)
        ]
        for r, c in sorted(sheet.white):  # a white font on no fill shows nothing
            where = f"{get_column_letter(c + 1)}{r + 1} {rows[r][c]}"
            result.unseen.append(Unseen("白色文字", where[:200], sheet=sheet.title, row=r + 1))
            rows[r][c] = ""
        _fill_down(rows, sheet.merges)
        if sheet.hidden:
            text = " ".join(c for r in rows for c in r if c)
            if text:
                result.unseen.append(Unseen("隐藏的工作表", text[:200], sheet=sheet.title))
            continue
        hide(rows, sheet.title, sheet.hidden_rows, sheet.hidden_cols, result)
        _append_sheet(result, sheet.title, rows)
    note_unseen(result)
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
