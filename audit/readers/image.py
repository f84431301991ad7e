"""Images: a photo's date from its EXIF (DateTimeOriginal, else DateTime); a photographed
paper form is read by OCR (audit/readers/scan.py)."""

from __future__ import annotations

import io
from datetime import date, datetime

from PIL import Image, UnidentifiedImageError

from audit.readers.model import ReadResult
from audit.readers.ocr import OcrLimits
from audit.readers.scan import read_photo

_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 0x9003
_DATETIME_DIGITIZED = 0x9004
_DATETIME = 0x0132


def read_image(data: bytes, suffix: str, ocr: OcrLimits | None = None) -> ReadResult:
    result = ReadResult(is_image=True)
    if suffix in {".heic", ".heif"}:
        result.reason = "HEIC 图片未读取拍摄日期（请导出为 JPG）"
        return result
    try:
        with Image.open(io.BytesIO(data)) as img:
            exif = img.getexif()
            values = dict(exif.get_ifd(_EXIF_IFD))
            values.update({k: v for k, v in exif.items() if k == _DATETIME})
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        result.status = "error"
        result.reason = "图片已损坏或格式无法识别"
        return result
    for tag in (_DATETIME_ORIGINAL, _DATETIME_DIGITIZED, _DATETIME):
        taken = exif_date(values.get(tag))
        if taken:
            result.photo_date = taken
            break
    read_photo(data, result, ocr or OcrLimits())
    return result


def exif_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip()[:19], "%Y:%m:%d %H:%M:%S").date()
    except ValueError:
        return None
