"""Pictures of paper pasted into a Word document or placed on a sheet, read as photos are
(audit/readers/scan.py).

Schools photograph a signed 送教 or 家访 form and paste the photo into a .docx under a title
(or onto a sheet); the text is then the title alone. Each picture that may hold a paper is put through OCR
within the package's page budget; picture k of the body (in document order) is page k of the
file, so what is read from it, or left for a person, is cited as that page with a note naming
the picture. A picture OCR cannot read, or that the budget leaves unread, stays a page for a
person: a verdict resting on the file then waits for one rather than failing.
"""

from __future__ import annotations

import logging

from audit.readers.model import ReadResult
from audit.readers.ocr import OcrLimits, enabled
from audit.readers.scan import may_be_paper, over_pages, read_photo

log = logging.getLogger(__name__)


def picture_note(number: int, why: str) -> str:
    return f"第{number}张图片（按页计）：{why}"


def read_pictures(pictures: list[bytes], result: ReadResult, limits: OcrLimits) -> None:
    """OCR the pictures that may be papers into `result`, picture k as page k."""
    used = 0
    for number, data in enumerate(pictures, start=1):
        if not enabled() or used >= limits.pages:
            if may_be_paper(data):  # not a photo of people or a place, or a logo
                result.scanned_pages.append(number)
                why = over_pages(limits) if enabled() else "文字识别未启用"
                result.page_notes[number] = picture_note(number, f"可能为拍摄的纸质文书，{why}")
            continue
        left = OcrLimits(
            pages=limits.pages - used,
            page_seconds=limits.page_seconds,
            start_seconds=limits.start_seconds,
        )
        photo = ReadResult(is_image=True)
        read_photo(data, photo, left)  # it asks may_be_paper itself
        used += photo.ocr_count
        if photo.is_image and not photo.reason:
            continue  # no paper in it (not worth OCR, or OCR found too few lines)
        for item in photo.items:
            item.page = number
        result.items.extend(photo.items)
        if photo.ocr_pages:
            result.ocr_pages[number] = min(photo.ocr_pages.values())
        if photo.ocr_engine:
            result.ocr_engine = photo.ocr_engine
        if photo.scanned_pages or (photo.reason and not photo.items):
            result.scanned_pages.append(number)
            result.page_notes[number] = picture_note(number, photo.reason or "需人工查看")
    result.ocr_count += used
    if result.scanned_pages or result.ocr_pages:
        read = len(result.ocr_pages)
        waiting = len(result.scanned_pages)
        said = (
            f"文中图片为拍摄的纸质文书：{read} 张已文字识别"
            if read
            else "文中图片可能为拍摄的纸质文书"
        )
        said += f"，{waiting} 张需人工查看" if waiting else ""
        result.reason = f"{result.reason}；{said}" if result.reason else said
