"""Reading the small administrative spreadsheets admins upload (schools, 挂点 table)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from service.ops import ServiceError


@dataclass(frozen=True)
class Sheet:
    header_row: int  # 1-based
    columns: dict[str, int]  # canonical key → 0-based column
    rows: list[tuple[int, list[str]]]  # (1-based row number, cell texts)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"[\s\u3000]+", " ", str(value)).strip()


def _key(text: str) -> str:
    return re.sub(r"[\s\u3000（）()]", "", text)


def read_table(
    data: bytes, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> Sheet:
    """Find the header row (title rows above it are skipped) and return the data rows."""
    from openpyxl import load_workbook  # here: openpyxl brings numpy, PIL, lxml (≈ 30 MB)

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ServiceError(
            f"不是有效的 XLSX 文件（{type(exc).__name__}），请用 Excel 另存为 .xlsx 后再上传"
        ) from None
    sheet = book.worksheets[0]
    rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:20]):
        columns: dict[str, int] = {}
        for col, text in enumerate(row):
            key = _key(text)
            for canonical, names in aliases.items():
                if canonical not in columns and key and any(key.startswith(_key(n)) for n in names):
                    columns[canonical] = col
        # the header is the row naming the most columns (a title row above may name one)
        if all(r in columns for r in required) and (best is None or len(columns) > len(best[1])):
            best = (index, columns)
    if best is not None:
        index, columns = best
        data_rows = [
            (index + 2 + offset, row_cells)
            for offset, row_cells in enumerate(rows[index + 1 :])
            if any(row_cells)
        ]
        return Sheet(index + 1, columns, data_rows)
    wanted = "、".join(aliases[r][0] for r in required)
    raise ServiceError(f"在前20行中找不到表头（需要列：{wanted}）")


def cell(sheet: Sheet, row: list[str], key: str) -> str:
    col = sheet.columns.get(key)
    return row[col] if col is not None and col < len(row) else ""
