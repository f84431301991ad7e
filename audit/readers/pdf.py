"""PDF: text and tables per page with pypdfium2, whatever program drew the page.

Tables are rebuilt from the drawn borders — rectangles, single lines, or one path drawing many
(audit/readers/pdf_grid.py); a box or grid whose boxes hold labels and values as free text,
and a table drawn without rules, are read from where the text lies (audit/readers/pdf_layout.py).
Only a page with a curved box and no table found is read again by pdfplumber, and only when
the file's kind needs tables.

A page without a text layer but with an image is `scanned` (a photographed or scanned sheet):
it is read by OCR (audit/readers/scan.py); a page OCR cannot read with confidence keeps its
page number listed for a person to look at.
"""

from __future__ import annotations

import ctypes
import io
import itertools
import logging
import math
import re
from functools import cache, partial

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from audit.readers.model import Block, ReadResult, Table, Unseen, clean, error, note_unseen
from audit.readers.ocr import OcrLimits, enabled, looks_like_paper
from audit.readers.ocr import settings as ocr_settings
from audit.readers.pdf_bands import join_bands
from audit.readers.pdf_grid import PageShapes, on_page, page_shapes, page_tables
from audit.readers.pdf_layout import Line as Runs
from audit.readers.pdf_layout import PageLayout, columns_likely, fragmented
from audit.readers.pdf_rows import join_broken_rows
from audit.readers.pdf_seen import hide_unseen, hides_layers
from audit.readers.scan import read_scanned_pdf, scanned_reason

log = logging.getLogger(__name__)

# A page with fewer visible characters than this has no usable text layer.
MIN_TEXT_CHARS = 4


def read_pdf(data: bytes, *, max_pages: int = 3000, ocr: OcrLimits | None = None) -> ReadResult:
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            return error("PDF 已加密（需要密码才能打开），请提供未加密的文件")
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_SECURITY:
            return error("PDF 已加密（不支持的加密方式）")
        return error("PDF 文件已损坏或不是 PDF，无法打开")
    if pdfium_c.FPDF_GetFormType(doc.raw) != pdfium_c.FORMTYPE_NONE:
        # a fillable form: pdfium draws a filled field whose look the file leaves to the viewer
        doc.init_forms()
    result = ReadResult()
    # asked of the catalog only once a page holds text in a layer: most files have none, and
    # reading the catalog of one with compressed object streams costs ~10 ms
    layers_off = cache(partial(hides_layers, data))
    fallback: list[int] = []  # pages whose rules pdfium could not make a table of
    pictured: set[int] = set()  # pages with text whose picture of a paper is read by OCR too
    carried: Runs | None = None  # the header of a rule-less table running to the page's foot
    try:
        count = len(doc)
        result.pages = count
        for index in range(min(count, max_pages)):
            number = index + 1
            page, notes, flattened = page_as_printed(doc, index)
            try:
                shapes = page_shapes(page)
                for why, hidden in hide_unseen(page, shapes, layers_off):
                    result.unseen.append(Unseen(why, hidden[:200], page=number))
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_range()
                    layout = PageLayout(textpage, text, shapes)
                    tables = (
                        page_tables(textpage, shapes, number, layout.form_box)
                        if shapes.rules_h
                        else []
                    )
                    written = reading_order(textpage_lines(text, textpage))
                    if flattened or fragmented(written):
                        # pdfium's lines are a character or two each (a string a character
                        # drawn on its own), or a form's values come after all its labels
                        # (flattened fields): the lines are rebuilt from where the text lies
                        written = layout.texts()
                    if not tables and (carried is not None or columns_likely(written)):
                        tables, carried = layout.column_tables(number, carried)
                    else:
                        carried = None
                finally:
                    textpage.close()
                if len("".join(text.split())) < MIN_TEXT_CHARS:
                    carried = None
                    if shapes.images:
                        result.scanned_pages.append(number)
                    continue
                if _picture_of_paper(page, shapes, written):
                    result.scanned_pages.append(number)  # read by OCR as well as its text
                    pictured.add(number)
                for line in [*written, *notes]:
                    result.items.append(Block(line, number))
                result.items.extend(tables)
                if not tables and shapes.curved:
                    fallback.append(number)  # a box with curves: perhaps a table pdfium missed
            finally:
                page.close()
        if count > max_pages:
            result.reason = f"只读取了前 {max_pages} 页（共 {count} 页）"
        read_scanned_pdf(doc, result, ocr or OcrLimits())
    except pdfium.PdfiumError:
        return error("PDF 文件已损坏，无法读取页面")
    finally:
        doc.close()
    if count and len(set(result.scanned_pages) - pictured) == count and not result.ocr_pages:
        result.status = "scanned"
        result.reason = "全部页面为扫描图像，没有文字层，需人工查看"
        if result.page_notes:
            result.reason = scanned_reason(result)
    elif result.scanned_pages or result.ocr_pages:
        result.reason = scanned_reason(result)
    if fallback:
        result.load_tables = partial(pdf_tables, data, fallback)  # picklable for workers
    result.items = join_broken_rows(join_bands(result.items))
    note_unseen(result)
    return result


def _picture_of_paper(page: pdfium.PdfPage, shapes: PageShapes, written: list[str]) -> bool:
    """A page of a caption and a photo of a paper (a Word document with a pasted photo of the
    signed form, exported to PDF): its record is in the picture (checklists/evidence/ocr.yaml
    `picture_page`)."""
    s = ocr_settings()
    if not shapes.images or len(written) > s.picture_page_max_lines or not enabled():
        return False
    width, height = page.get_size()
    if shapes.picture_area < s.picture_page_min_area * width * height:
        return False

    def area(picture: pdfium.PdfImage) -> float:
        left, bottom, right, top = picture.get_bounds()
        return float((right - left) * (top - bottom))

    pictures = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3)
    for picture in sorted(pictures, key=area, reverse=True):  # the largest that decodes
        try:
            return looks_like_paper(picture.get_bitmap(render=False).to_pil())
        except (pdfium.PdfiumError, ValueError, OSError):  # a picture pdfium cannot decode
            continue
    return False


def page_as_printed(doc: pdfium.PdfDocument, index: int) -> tuple[pdfium.PdfPage, list[str], bool]:
    """The page with what its annotations show — a filled form field, a typed-in comment box, a
    stamp — made part of its text (a viewer shows them; the page's own content does not hold
    them), and the words of comment boxes a viewer draws from their words alone. What a viewer
    shows on screen, not only what it prints: a comment box without the print flag is seen."""
    page = doc[index]
    quarters = pdfium_c.FPDFPage_GetRotation(page.raw) % 4  # the viewer's turn, clockwise
    if quarters and _drawn_turned(page, quarters) and _upright(page, quarters):
        page.close()
        page = doc[index]  # pdfium reads a transformed page's content only when reloaded
    if not pdfium_c.FPDFPage_GetAnnotCount(page.raw):
        return page, [], False
    notes, shows_text = _annotations(page)
    if not shows_text:  # links, sticky-note icons, ink: the page's text is all there is
        return page, notes, False
    flat = pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_NORMALDISPLAY)
    if flat != pdfium_c.FLATTEN_SUCCESS:
        return page, notes, False
    page.close()
    return doc[index], notes, True  # pdfium reads a flattened page's content only when reloaded


def _drawn_turned(page: pdfium.PdfPage, quarters: int) -> bool:
    """Whether most of the page's text is drawn turned the way its /Rotate turns back (a
    landscape register laid on a portrait page): then the viewer shows it upright. Text drawn
    upright on a page the viewer turns is shown sideways, and is read as drawn."""
    textpage = pdfium_c.FPDFText_LoadPage(page.raw)
    if not textpage:
        return False
    try:
        count = pdfium_c.FPDFText_CountChars(textpage)
        sample = range(0, max(count, 0), max(count // TURN_SAMPLE, 1))
        want = (4 - quarters) * math.pi / 2  # pdfium's angles turn clockwise
        turned = upright = 0
        for index in sample:
            angle = float(pdfium_c.FPDFText_GetCharAngle(textpage, index))
            if angle < 0:  # no angle: a generated space or line break
                continue
            if _near_angle(angle, want):
                turned += 1
            else:
                upright += 1
        return turned > upright
    finally:
        pdfium_c.FPDFText_ClosePage(textpage)


TURN_SAMPLE = 60  # characters looked at to tell how a page's text is drawn


def _upright(page: pdfium.PdfPage, quarters: int) -> bool:
    """Turn the page's content the way a viewer turns the page (/Rotate, clockwise), and set
    its rotation to none: a landscape register printed on a portrait page turned a quarter is
    then read as it is seen — its table's rows across, its lines left to right — not as it
    lies in the file (each column a row, a line a column). False if pdfium cannot."""
    x0, y0, x1, y1 = page.get_mediabox()
    width, height = x1 - x0, y1 - y0
    # (x, y) → (x', y') = (a x + c y + e, b x + d y + f) after moving the box's corner to 0,0
    a, b, c, d, e, f = {
        1: (0.0, -1.0, 1.0, 0.0, 0.0, width),
        2: (-1.0, 0.0, 0.0, -1.0, width, height),
        3: (0.0, 1.0, -1.0, 0.0, height, 0.0),
    }[quarters]
    e, f = e - a * x0 - c * y0, f - b * x0 - d * y0
    matrix = pdfium_c.FS_MATRIX(a, b, c, d, e, f)
    if not pdfium_c.FPDFPage_TransFormWithClip(page.raw, matrix, None):
        return False
    pdfium_c.FPDFPage_TransformAnnots(page.raw, a, b, c, d, e, f)  # form fields, stamps too
    turn = (a, b, c, d, e, f)
    crop = on_page(turn, *page.get_cropbox())
    pdfium_c.FPDFPage_SetMediaBox(page.raw, *on_page(turn, x0, y0, x1, y1))
    pdfium_c.FPDFPage_SetCropBox(page.raw, *crop)
    pdfium_c.FPDFPage_SetRotation(page.raw, 0)
    return True


# Annotations whose appearance may hold words: form fields (widgets) and stamps.
_TEXT_ANNOTATIONS = frozenset({pdfium_c.FPDF_ANNOT_WIDGET, pdfium_c.FPDF_ANNOT_STAMP})


_HIDDEN_FLAGS = (
    pdfium_c.FPDF_ANNOT_FLAG_HIDDEN
    | pdfium_c.FPDF_ANNOT_FLAG_INVISIBLE
    | pdfium_c.FPDF_ANNOT_FLAG_NOVIEW
)


def _annotations(page: pdfium.PdfPage) -> tuple[list[str], bool]:
    """The words of each visible FreeText annotation (a typed-in comment box), which are then
    taken off the page: a viewer draws them from /Contents (pdfium's own appearance for one
    holds no text), so its appearance, if any, is not read a second time. And whether what is
    left may hold words (a form field or a stamp: `_TEXT_ANNOTATIONS`)."""
    notes: list[str] = []
    shows_text = False
    for i in reversed(range(pdfium_c.FPDFPage_GetAnnotCount(page.raw))):
        annot = pdfium_c.FPDFPage_GetAnnot(page.raw, i)
        if not annot:
            continue
        try:
            subtype = pdfium_c.FPDFAnnot_GetSubtype(annot)
            shows_text = shows_text or subtype in _TEXT_ANNOTATIONS
            if subtype != pdfium_c.FPDF_ANNOT_FREETEXT:
                continue
            if not pdfium_c.FPDFAnnot_GetFlags(annot) & _HIDDEN_FLAGS:
                text = _annot_string(annot, b"Contents")
                notes[:0] = [line for line in text.splitlines() if line.strip()]
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
        pdfium_c.FPDFPage_RemoveAnnot(page.raw, i)
    return notes, shows_text


def _annot_string(annot: pdfium_c.FPDF_ANNOTATION, key: bytes) -> str:
    size = pdfium_c.FPDFAnnot_GetStringValue(annot, key, None, 0)  # bytes, UTF-16LE with NUL
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFAnnot_GetStringValue(
        annot, key, ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), size
    )
    return buffer.raw[: size - 2].decode("utf-16-le", errors="replace")


Line = tuple[float, float, float, str]  # baseline y, left x, height, text


def textpage_lines(text: str, textpage: pdfium.PdfTextPage) -> list[Line]:
    """The page's lines as pdfium gives them (content order), each with where it starts."""
    found: list[Line] = []
    exact = len(text) == textpage.count_chars()  # char indices are offsets in the text
    x, y = ctypes.c_double(), ctypes.c_double()
    for match in _LINE.finditer(text):
        line = match.group().strip()
        if not line:
            continue
        if not exact:
            found.append((0.0, 0.0, 0.0, line))
            continue
        index = match.start() + len(match.group()) - len(match.group().lstrip())
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, x, y)
        _left, bottom, _right, top = textpage.get_charbox(index)
        start = (y.value, x.value, max(top - bottom, 1.0), line)
        last = match.start() + len(match.group().rstrip()) - 1
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, last, x, y)
        if abs(y.value - start[0]) <= 0.5 * start[2] or _turned(textpage, index):
            found.append(start)  # one line, or text drawn turned (its baseline runs up the page)
        else:  # pdfium joined text drawn on different lines (filled form fields, one each)
            found.extend(_baseline_runs(textpage, index, last + 1))
    return found


def _turned(textpage: pdfium.PdfTextPage, index: int) -> bool:
    """Whether the character is drawn turned from the page's horizontal (a landscape table
    drawn on a portrait page, a heading set vertically)."""
    angle = float(pdfium_c.FPDFText_GetCharAngle(textpage.raw, index))  # radians; -1: error
    return angle >= 0 and not _near_angle(angle, 0.0)


def _near_angle(angle: float, want: float) -> bool:
    """Whether two angles (radians) are within 0.1 of each other, round the circle."""
    off = abs(angle - want) % (2 * math.pi)
    return min(off, 2 * math.pi - off) < 0.1


def _baseline_runs(textpage: pdfium.PdfTextPage, begin: int, end: int) -> list[Line]:
    """Characters begin..end of the page text split where the baseline moves a line."""
    runs: list[Line] = []
    x, y = ctypes.c_double(), ctypes.c_double()
    chars: list[str] = []
    for index in range(begin, end):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, x, y)
        _left, bottom, _right, top = textpage.get_charbox(index)
        if char.strip() and (
            not runs or abs(y.value - runs[-1][0]) > 0.5 * max(runs[-1][2], top - bottom)
        ):
            if runs and chars:
                runs[-1] = (*runs[-1][:3], "".join(chars).strip())
            runs.append((y.value, x.value, max(top - bottom, 1.0), ""))
            chars = []
        chars.append(char)
    if runs:
        runs[-1] = (*runs[-1][:3], "".join(chars).strip())
    return [run for run in runs if run[3]]


_LINE = re.compile(r"[^\r\n]+")


def reading_order(lines: list[Line]) -> list[str]:
    """Lines as a person reads the page. Most programs draw a page top to bottom and pdfium's
    lines follow; LibreOffice Calc (a workbook printed to PDF) draws some columns of every row
    after the others, so their text comes back up the page: then the lines are laid out by
    position, those on one baseline joined left to right (罗文博 感冒发烧 … with its 7年级1班 1天)."""
    back_up = any(b[0] > a[0] + 0.5 * max(a[2], b[2]) for a, b in itertools.pairwise(lines))
    if not back_up:
        return [line[3] for line in lines]
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda entry: -entry[0]):
        if rows and abs(rows[-1][0][0] - line[0]) <= 0.5 * max(rows[-1][0][2], line[2]):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [" ".join(entry[3] for entry in sorted(row, key=lambda e: e[1])) for row in rows]


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
