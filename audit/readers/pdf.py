"""PDF: fast text per page with pypdfium2; pdfplumber only for tables, only when asked.

A page without a text layer but with an image is `scanned` (a photographed or scanned sheet):
its contents cannot be audited automatically, so its page number is listed.
"""

from __future__ import annotations

import io
import logging

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from audit.readers.model import Block, ReadResult, Table, clean, error

log = logging.getLogger(__name__)

# A page with fewer visible characters than this has no usable text layer.
MIN_TEXT_CHARS = 4


def read_pdf(data: bytes, *, max_pages: int = 3000) -> ReadResult:
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            return error("PDF 已加密（需要密码才能打开），请提供未加密的文件")
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_SECURITY:
            return error("PDF 已加密（不支持的加密方式）")
        return error("PDF 文件已损坏或不是 PDF，无法打开")
    result = ReadResult()
    try:
        count = len(doc)
        result.pages = count
        for index in range(min(count, max_pages)):
            page = doc[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_range()
                finally:
                    textpage.close()
                visible = sum(1 for c in text if not c.isspace())
                if visible < MIN_TEXT_CHARS:
                    if _has_image(page):
                        result.scanned_pages.append(index + 1)
                    continue
                for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                    line = line.strip()
                    if line:
                        result.items.append(Block(line, index + 1))
            finally:
                page.close()
        if count > max_pages:
            result.reason = f"只读取了前 {max_pages} 页（共 {count} 页）"
    except pdfium.PdfiumError:
        return error("PDF 文件已损坏，无法读取页面")
    finally:
        doc.close()
    if count and len(result.scanned_pages) == count:
        result.status = "scanned"
        result.reason = "全部页面为扫描图像，没有文字层，需人工查看"
    elif result.scanned_pages:
        pages = "、".join(str(p) for p in result.scanned_pages)
        result.reason = f"第 {pages} 页为扫描图像，没有文字层，需人工查看"
    text_pages = sorted({b.page for b in result.items if isinstance(b, Block) and b.page})
    result.load_tables = lambda: pdf_tables(data, text_pages)
    return result


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2))


def pdf_tables(data: bytes, pages: list[int]) -> list[Table]:
    """Ruled tables of the given pages (pdfplumber); [] when the file cannot be parsed."""
    tables: list[Table] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number in pages:
                page = pdf.pages[number - 1]
                for raw in page.extract_tables():
                    rows = [[_cell(c) for c in row] for row in raw if row]
                    if rows:
                        tables.append(Table(rows=rows, page=number))
                page.close()
    except Exception:  # pdfplumber raises many kinds; the text is already read
        log.warning("pdfplumber could not read tables", exc_info=True)
    return tables


def _cell(value: object) -> str:
    return clean(str(value)) if value is not None else ""
