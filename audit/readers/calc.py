"""OpenDocument spreadsheets (.ods, flat .fods): converted to XLSX by LibreOffice (Debian
`libreoffice-calc-nogui`, audit/readers/soffice.py) and read by the XLSX reader, so sheets,
merged cells, dates and hidden rows are read as an Excel workbook's are. Without LibreOffice
the file is an `error` saying what to save it as."""

from __future__ import annotations

from audit.readers.model import ReadResult
from audit.readers.ocr import OcrLimits
from audit.readers.sheet import read_xlsx
from audit.readers.soffice import ooxml, read_converted


def read_calc(
    data: bytes, suffix: str, unreadable: str, ocr: OcrLimits | None = None
) -> ReadResult:
    """Read a .ods/.fods by converting it; `unreadable` is the message when that cannot be done.
    With `ocr`, the pictures of paper placed on its sheets are read as an .xlsx's are."""
    if ooxml(data):  # an .xlsx under another name
        return read_xlsx(data, ocr)
    return read_converted(data, suffix, "xlsx", unreadable, lambda xlsx: read_xlsx(xlsx, ocr))
