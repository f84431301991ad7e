"""Readers: bytes of one file → `ReadResult` (text blocks and tables in order, or why not)."""

from __future__ import annotations

from pathlib import PurePosixPath

from audit.readers.calc import read_calc
from audit.readers.docx import read_docx
from audit.readers.image import read_image
from audit.readers.model import Block, ReadResult, Table, error
from audit.readers.ocr import OcrLimits
from audit.readers.pdf import read_pdf
from audit.readers.sheet import decode_text, read_csv, read_xls, read_xlsx
from audit.readers.writer import read_writer
from forms.identity import read_identity

__all__ = ["Block", "ReadResult", "Table", "read_bytes"]

IMAGE_SUFFIXES = {
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".bmp",
    ".tif",
    ".tiff",
    ".webp",
    ".heic",
    ".heif",
}
# What to save a file as when it cannot be read: the first seven are converted by LibreOffice
# where it is installed (audit/readers/soffice.py), the rest never read.
LEGACY = {
    ".doc": "旧版 Office 格式（.doc），请另存为 docx",
    ".wps": "WPS 文字格式（.wps），请另存为 docx",
    ".rtf": "RTF 格式（.rtf），请另存为 docx",
    ".odt": "OpenDocument 文本格式（.odt），请另存为 docx",
    ".fodt": "OpenDocument 文本格式（.fodt），请另存为 docx",
    ".ods": "OpenDocument 表格格式（.ods），请另存为 xlsx",
    ".fods": "OpenDocument 表格格式（.fods），请另存为 xlsx",
    ".ppt": "旧版 Office 格式（.ppt），请另存为 pdf",
    ".pptx": "演示文稿未读取，请另存为 pdf",
    ".rar": "rar 压缩包无法读取，请改用 zip",
    ".7z": "7z 压缩包无法读取，请改用 zip",
}
WORD = {".docx", ".docm", ".dotx", ".dotm"}  # templates too: the same parts
WORD_CONVERTED = {".doc", ".wps", ".rtf", ".odt", ".fodt"}
SHEETS = {".xlsx", ".xlsm", ".xltx", ".xltm"}
SHEETS_CONVERTED = {".ods", ".fods"}


def read_bytes(
    name: str, data: bytes, *, max_pdf_pages: int = 3000, ocr: OcrLimits | None = None
) -> ReadResult:
    """Read one file by its suffix (checked against its first bytes); never raises.

    Scanned pages and photographed papers are read by OCR within `ocr` (default limits).
    """
    result = _read(name, data, max_pdf_pages, ocr or OcrLimits())
    if result.status in {"ok", "scanned"} and data[:4] in {b"%PDF", b"PK\x03\x04"}:
        result.identity = read_identity(data)  # a document baoxue generated says what it is
    return result


def _read(name: str, data: bytes, max_pdf_pages: int, ocr: OcrLimits) -> ReadResult:
    suffix = PurePosixPath(name).suffix.lower()
    try:
        if suffix == ".pdf" or data[:5] == b"%PDF-":
            return read_pdf(data, max_pages=max_pdf_pages, ocr=ocr)
        if suffix in WORD:
            return read_docx(data, ocr=ocr)
        if suffix in WORD_CONVERTED:
            return read_writer(data, suffix, LEGACY[suffix], ocr)
        if suffix in SHEETS and data[:4] == b"PK\x03\x04":
            return read_xlsx(data, ocr)
        if suffix in SHEETS_CONVERTED:
            return read_calc(data, suffix, LEGACY[suffix], ocr)
        if suffix in SHEETS | {".xls", ".et"}:
            return read_xls(data)  # by content: a renamed, legacy or HTML/XML-exported sheet
        if suffix in {".csv", ".tsv"}:
            return read_csv(data)
        if suffix in {".txt", ".md"}:
            text = decode_text(data)
            return ReadResult(
                items=[Block(line.strip()) for line in text.splitlines() if line.strip()]
            )
        if suffix in IMAGE_SUFFIXES:
            return read_image(data, suffix, ocr)
        if suffix in LEGACY:
            return error(LEGACY[suffix])
    except MemoryError:
        return error("文件过大，无法读取")
    except Exception as exc:  # a reader bug must not lose the rest of the package
        return error(f"读取失败（{type(exc).__name__}）")
    return ReadResult(status="skipped", reason=f"不支持的文件类型“{suffix or '无扩展名'}”，未读取")
