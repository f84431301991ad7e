"""Scanned PDF pages and photographed papers read by OCR, within the package's limits.

A scanned page (no text layer, an image: audit/readers/pdf.py) is rendered with pypdfium2 and
recognised (audit/readers/ocr.py). What becomes of it:

- legible: its lines and tables join the file's items, and it is no longer a scanned page;
- partly legible (some words below the confidence threshold): what is legible is read, and the
  page stays listed for a person to look at (“部分文字识别置信度低”);
- nothing legible (a blank page, a smudge, handwriting): it stays a scanned page, so every
  requirement resting on it is `not_reviewed` with its page number;
- over the limits (pages per package, seconds per page): it stays a scanned page, and says why.

The time limit is hard: each page is recognised in the OCR process (audit/readers/ocr_process.py),
which is killed when the page overruns. The page that overran is left scanned with its note, and
the later pages of the same file are not tried (noted so): a file's pages come from one scanner
and one setting, so the page the engine choked on predicts its neighbours, and one page's limit
(not one per page: up to the package's 200 pages × 30 s) bounds what a bad file costs. The next
file is read as usual.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from PIL import Image, ImageOps

from audit.readers import ocr_process
from audit.readers.model import Item, ReadResult
from audit.readers.ocr import (
    ENGINE,
    PAPER_THUMBNAIL,
    OcrLimits,
    Recognised,
    enabled,
    looks_like_paper,
    page_items,
    settings,
    text_lines,
)
from audit.readers.ocr_process import OcrTimeout

log = logging.getLogger(__name__)

PARTLY = "部分文字识别置信度低"
ILLEGIBLE = "未识别出可信的文字"


def over_pages(limits: OcrLimits) -> str:
    return f"超过文字识别页数上限（每个材料包 {limits.pages} 页），未识别"


def over_time(limits: OcrLimits) -> str:
    return f"文字识别超过每页 {limits.page_seconds:g} 秒的时限，已中止，未识别"


def after_over_time(limits: OcrLimits, page: int) -> str:
    return f"第 {page} 页文字识别超过每页 {limits.page_seconds:g} 秒的时限，其后各页未识别"


def read_scanned_pdf(doc: Any, result: ReadResult, limits: OcrLimits) -> None:
    """OCR the scanned pages of an open pdfium document into `result`, in place."""
    if not result.scanned_pages or not enabled():
        return
    scale = settings().render_dpi / 72
    still: list[int] = []
    stop: str | None = None
    for number in result.scanned_pages:
        if stop is None and result.ocr_count >= limits.pages:
            stop = over_pages(limits)
        if stop is not None:
            still.append(number)
            result.page_notes[number] = stop
            continue
        page = doc[number - 1]
        try:
            image = page.render(scale=scale, grayscale=True).to_pil()
            found = _recognise(image, limits)
        except OcrTimeout:  # stopped at the limit: this page and the rest wait for a person
            log.warning("OCR of page %d stopped at %g s", number, limits.page_seconds)
            result.ocr_count += 1
            still.append(number)
            result.page_notes[number] = over_time(limits)
            stop = after_over_time(limits, number)
            continue
        except Exception:  # the engine failing on one page must not lose the file
            log.warning("OCR failed on page %d", number, exc_info=True)
            still.append(number)
            continue
        finally:
            page.close()
        result.ocr_count += 1
        if not _use(result, found, number):
            still.append(number)
    result.scanned_pages = still
    result.items.sort(key=lambda i: i.page or 0)  # stable: a page's text, then its tables


def read_photo(data: bytes, result: ReadResult, limits: OcrLimits) -> None:
    """A photo that holds a paper (enough legible lines) is read as that paper, page 1."""
    if not enabled() or limits.pages < 1 or not may_be_paper(data):
        return  # a meeting photo, a home visit's picture: no paper to read
    try:
        with Image.open(io.BytesIO(data)) as img:
            image = ImageOps.exif_transpose(img).convert("L")
        found = _recognise(image, limits)
    except OcrTimeout:  # it may hold a paper: a person looks
        log.warning("OCR of a photo stopped at %g s", limits.page_seconds)
        result.ocr_count = 1
        result.reason = f"图片可能为拍摄的纸质文书，{over_time(limits)}，需人工查看"
        return
    except Exception:  # an image PIL or the engine cannot take stays a photo
        log.warning("OCR failed on a photo", exc_info=True)
        return
    result.ocr_count = 1
    if len(text_lines(found.words)) < settings().document_min_lines:
        return  # a photo of people or a place: it stays a photo
    result.is_image = False
    if _use(result, found, 1):
        result.reason = f"图片为拍摄的纸质文书，已文字识别（{ENGINE}）"
    else:
        result.scanned_pages = [1]
        result.reason = f"图片为拍摄的纸质文书，{PARTLY}，需人工查看"


def may_be_paper(data: bytes) -> bool:
    """Whether a photo is worth recognising (`looks_like_paper`); False for what PIL cannot open.

    Judged on a JPEG decoded at reduced size (a quarter of the full decode's time): most photos
    are turned away here, and only a paper is decoded in full for recognition."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.draft("RGB", (4 * PAPER_THUMBNAIL, 4 * PAPER_THUMBNAIL))
            return looks_like_paper(img)
    except Exception:  # a broken image: read_image says so
        return False


def _recognise(image: Image.Image, limits: OcrLimits) -> Recognised:
    """The page recognised in the OCR process, stopped at `limits.page_seconds` (OcrTimeout)."""
    return ocr_process.current().recognise(image, limits)


def _use(result: ReadResult, found: Recognised, number: int) -> bool:
    """Add a recognised page's items; False when it stays a page for a person to read."""
    if not found.legible:
        result.page_notes[number] = ILLEGIBLE
        return False
    items: list[Item] = page_items(found, number)
    result.items.extend(items)
    result.ocr_pages[number] = min(i.ocr for i in items if i.ocr is not None)
    result.ocr_engine = ENGINE
    if found.dropped:
        result.page_notes[number] = PARTLY
        return False
    return True


def scanned_reason(result: ReadResult) -> str | None:
    """Why pages wait for a person (or were read by OCR), in Chinese, page by page."""
    parts: list[str] = []
    read = [p for p in result.ocr_pages if p not in result.scanned_pages]
    if read:
        parts.append(f"第 {_pages(read)} 页为扫描图像，已文字识别（{ENGINE}）")
    bare = [p for p in result.scanned_pages if p not in result.page_notes]
    if bare:
        parts.append(f"第 {_pages(bare)} 页为扫描图像，没有文字层，需人工查看")
    notes: dict[str, list[int]] = {}
    for page in result.scanned_pages:
        if page in result.page_notes:
            notes.setdefault(result.page_notes[page], []).append(page)
    for note, pages in notes.items():
        parts.append(f"第 {_pages(pages)} 页为扫描图像，{note}，需人工查看")
    return "；".join(parts) or None


def _pages(pages: list[int]) -> str:
    return "、".join(str(p) for p in sorted(pages))


def limit_pages(result: ReadResult, left: int, limits: OcrLimits) -> None:
    """Undo OCR beyond the package's page budget (files read ahead in worker processes)."""
    if result.ocr_count <= left:
        return
    if result.pages is None:  # a photo: it is a photo again, as if never recognised
        result.items = [i for i in result.items if i.ocr is None]
        result.is_image, result.scanned_pages, result.page_notes = True, [], {}
        result.ocr_pages, result.ocr_engine, result.reason = {}, None, None
        result.ocr_count = 0
        return
    drop = set(sorted(result.ocr_pages)[max(0, left) :])
    result.ocr_count = max(0, left)
    if not drop:
        return
    result.items = [i for i in result.items if not (i.ocr is not None and i.page in drop)]
    for page in drop:
        del result.ocr_pages[page]
        result.page_notes[page] = over_pages(limits)
    result.scanned_pages = sorted({*result.scanned_pages, *drop})
    if len(result.scanned_pages) == result.pages and not result.ocr_pages:
        result.status = "scanned"
    result.reason = scanned_reason(result)
