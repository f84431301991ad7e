"""Spreadsheet files as clerks really have them: the format is read from the bytes, not the name.

Government systems (学籍系统 among them) export "Excel" files that are really HTML tables,
XML Spreadsheet 2003 or tab-separated text under a .xls name; Excel and WPS save real BIFF
.xls; a clerk renames a .xlsx to .xls or back. Each reader here returns the sheets as plain
grids of cell values with their merged ranges, and the caller decides how a merge is filled
(the roster repeats a merged header over its columns, the audit repeats a value downwards).
.xlsx itself is read by the callers with openpyxl (they need its sheet states and streaming).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Kind = Literal["xlsx", "xls", "html", "spreadsheetml", "text", "unknown"]

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SS = "urn:schemas-microsoft-com:office:spreadsheet"


class SheetError(ValueError):
    """The file is not a spreadsheet we can read (reason in Chinese)."""


@dataclass
class Sheet:
    title: str
    rows: list[list[Any]]
    merges: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # r0, r1, c0, c1 (end-exclusive)
    # What Excel does not show (0-based): the audit leaves it unread; imports may ignore it.
    hidden: bool = False  # a hidden or very hidden sheet
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # a number's format code
    # cells written in a white font on no fill: shown as empty on screen and paper
    white: set[tuple[int, int]] = field(default_factory=set)


def sniff(data: bytes) -> Kind:
    """What the bytes are, whatever the file is called."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(OLE2_MAGIC[:4]):
        return "xls"
    head = _head_text(data)
    if head is None:
        return "unknown"
    lowered = head.lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in lowered and "<workbook" in lowered:
        return "spreadsheetml"
    if re.search(r"<(table|html|tr)\b", lowered):
        return "html"
    return "text"


def _head_text(data: bytes) -> str | None:
    head = data[:4096]
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="ignore")
    if b"\x00" in head:
        return None
    for codec in ("utf-8", "gb18030"):
        try:
            return head.decode(codec)
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # a character cut at the end of the sample
                return head[: exc.start].decode(codec)
    return None


def decode_markup(data: bytes) -> str:
    """HTML/XML text: BOM, then the declared charset, then UTF-8, then GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    head = _head_text(data) or ""
    declared = re.search(r"""(?:charset|encoding)\s*=\s*["']?([\w-]+)""", head, re.I)
    codecs = [declared.group(1)] if declared else []
    for codec in [*codecs, "utf-8", "gb18030"]:
        try:
            return data.decode("gb18030" if codec.lower() in {"gbk", "gb2312"} else codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace")


# ---------------------------------------------------------------- BIFF .xls (xlrd)


def read_xls(data: bytes) -> list[Sheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception:  # xlrd raises XLRDError, struct errors, AssertionError … on a bad file
        try:  # some writers' formatting records trip xlrd; the values still read without them
            book = xlrd.open_workbook(file_contents=data, formatting_info=False)
        except Exception:
            raise SheetError(
                "无法作为旧版 Excel（.xls）打开：文件已损坏或加密，请在 Excel 或 WPS 中另存为 .xlsx"
            ) from None
    sheets = []
    unseen_styles = _white_xfs(book) if book.formatting_info else set()  # the book's styles
    for sheet in book.sheets():
        rows: list[list[Any]] = []
        formats: dict[tuple[int, int], str] = {}
        white: set[tuple[int, int]] = set()
        for r in range(sheet.nrows):
            row: list[Any] = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                row.append(_xls_value(cell, book.datemode))
                if cell.ctype == xlrd.XL_CELL_NUMBER and book.formatting_info:
                    code = _xls_format(book, cell.xf_index)
                    if code:
                        formats[(r, c)] = code
                if cell.xf_index in unseen_styles and row[-1] not in (None, ""):
                    white.add((r, c))
            rows.append(row)
        merges = [(r0, r1, c0, c1) for r0, r1, c0, c1 in getattr(sheet, "merged_cells", [])]
        for r0, r1, c0, c1 in merges:  # a merge shows its first cell only
            for r in range(r0, min(r1, len(rows))):
                for c in range(c0, min(c1, len(rows[r]))):
                    if (r, c) != (r0, c0):
                        rows[r][c] = None
        sheets.append(
            Sheet(
                sheet.name,
                rows,
                merges,
                hidden=sheet.visibility != 0,
                hidden_rows={r for r, info in sheet.rowinfo_map.items() if info.hidden},
                hidden_cols={c for c, info in sheet.colinfo_map.items() if info.hidden},
                formats=formats,
                white=white,
            )
        )
    return sheets


def _white_xfs(book: Any) -> set[int]:
    """The XF (cell style) records writing in a white font on no fill (or a white one)."""

    def is_white(index: int) -> bool:
        return bool(book.colour_map.get(index) == (255, 255, 255))

    found: set[int] = set()
    for number, xf in enumerate(book.xf_list):
        try:
            font = book.font_list[xf.font_index]
            background = xf.background
        except (IndexError, AttributeError):
            continue
        unfilled = background.fill_pattern == 0 or (
            background.fill_pattern == 1 and is_white(background.pattern_colour_index)
        )
        if unfilled and is_white(font.colour_index):
            found.add(number)
    return found


def _xls_format(book: Any, xf_index: int) -> str | None:
    """The number format code of a cell's XF record, unless General."""
    try:
        key = book.xf_list[xf_index].format_key
        code = book.format_map[key].format_str
    except (IndexError, KeyError, AttributeError):
        return None
    return None if not code or code.lower() == "general" else str(code)


def _xls_value(cell: Any, datemode: int) -> Any:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except Exception:  # a date cell out of Excel's range: keep the number
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return None
    return cell.value


# ---------------------------------------------------------------- HTML tables


def read_html(data: bytes) -> list[Sheet]:
    import tinyhtml5

    root = tinyhtml5.parse(decode_markup(data))
    sheets = []
    for number, table in enumerate(root.iter(_h("table")), start=1):
        sheet = _html_table(table, f"表{number}")
        if sheet.rows:
            sheets.append(sheet)
    if not sheets:
        raise SheetError("文件是网页格式，但其中没有表格")
    return sheets


def _h(tag: str) -> str:
    return "{http://www.w3.org/1999/xhtml}" + tag


def _span(cell: ET.Element, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name) or 1), 1000))
    except ValueError:
        return 1


def html_table(table: ET.Element, title: str = "") -> Sheet:
    """One HTML <table> as a sheet (rowspan and colspan as merged ranges)."""
    return _html_table(table, title)


def _html_table(table: ET.Element, title: str) -> Sheet:
    rows: list[list[Any]] = []
    merges: list[tuple[int, int, int, int]] = []
    taken: set[tuple[int, int]] = set()  # cells covered by a rowspan from a row above
    for tr in _own_rows(table):
        r = len(rows)
        row: list[Any] = []
        c = 0
        for cell in tr:
            if cell.tag not in (_h("td"), _h("th")):
                continue
            while (r, c) in taken:
                c += 1
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            text = "\n".join(part.strip() for part in _cell_lines(cell) if part.strip())
            _put(row, c, text or None)
            if rowspan > 1 or colspan > 1:
                merges.append((r, r + rowspan, c, c + colspan))
                for dr in range(rowspan):
                    for dc in range(colspan):
                        if dr or dc:
                            taken.add((r + dr, c + dc))
            c += colspan
        rows.append(row)
    return Sheet(title, rows, merges)


def _own_rows(table: ET.Element) -> list[ET.Element]:
    """The table's rows (in thead/tbody/tfoot or directly), not those of a nested table."""
    rows = []
    for child in table:
        if child.tag == _h("tr"):
            rows.append(child)
        elif child.tag in (_h("thead"), _h("tbody"), _h("tfoot")):
            rows.extend(tr for tr in child if tr.tag == _h("tr"))
    return rows


def _cell_lines(cell: ET.Element) -> list[str]:
    """A cell's text with <br> and block elements as line breaks."""
    lines = [""]
    for node in cell.iter():
        if node is not cell and node.tag in (_h("br"), _h("p"), _h("div")):
            lines.append("")
        if node.text and node.tag not in (_h("script"), _h("style")):
            lines[-1] += node.text
        if node is not cell and node.tail:
            lines[-1] += node.tail
    return [re.sub(r"[ \t\r\n\xa0]+", " ", line) for line in lines]


def _put(row: list[Any], index: int, value: Any) -> None:
    if len(row) <= index:
        row.extend([None] * (index + 1 - len(row)))
    row[index] = value


# ---------------------------------------------------------------- XML Spreadsheet 2003


def read_spreadsheetml(data: bytes) -> list[Sheet]:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SheetError(f"XML 表格文件无法解析（{exc}）") from None
    sheets: list[Sheet] = []
    for ws in root.iter(f"{{{_SS}}}Worksheet"):
        title = ws.get(f"{{{_SS}}}Name") or f"Sheet{len(sheets) + 1}"
        rows: list[list[Any]] = []
        merges: list[tuple[int, int, int, int]] = []
        for table in ws.iter(f"{{{_SS}}}Table"):
            for xml_row in table.iter(f"{{{_SS}}}Row"):
                index = xml_row.get(f"{{{_SS}}}Index")
                while index and index.isdigit() and len(rows) < int(index) - 1:
                    rows.append([])
                r = len(rows)
                row: list[Any] = []
                c = 0
                for cell in xml_row.iter(f"{{{_SS}}}Cell"):
                    at = cell.get(f"{{{_SS}}}Index")
                    if at and at.isdigit():
                        c = int(at) - 1
                    data_el = cell.find(f"{{{_SS}}}Data")
                    _put(row, c, _ssml_value(data_el) if data_el is not None else None)
                    across = int(cell.get(f"{{{_SS}}}MergeAcross") or 0)
                    down = int(cell.get(f"{{{_SS}}}MergeDown") or 0)
                    if across or down:
                        merges.append((r, r + down + 1, c, c + across + 1))
                    c += across + 1
                rows.append(row)
        sheets.append(Sheet(title, rows, merges))
    if not sheets:
        raise SheetError("XML 表格文件中没有工作表")
    return sheets


def _ssml_value(element: ET.Element) -> Any:
    text = "".join(element.itertext())
    kind = element.get(f"{{{_SS}}}Type", "String")
    if kind == "Number":
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    if kind == "DateTime":
        try:
            return datetime.fromisoformat(text.rstrip("Z")[:19])
        except ValueError:
            return text
    if kind == "Boolean":
        return text.strip() == "1"
    return text


# The non-xlsx spreadsheet formats `sniff` recognises, by kind.
READERS: dict[Kind, Callable[[bytes], list[Sheet]]] = {
    "xls": read_xls,
    "html": read_html,
    "spreadsheetml": read_spreadsheetml,
}
