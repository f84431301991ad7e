"""Photos on pages: upright as the camera saw them (EXIF orientation), scaled to the page,
captioned with the file name and the date taken (EXIF DateTimeOriginal, else DateTimeDigitized,
else DateTime). A multi-page TIFF (a scan saved as images) gets a page a frame.

A photo is decoded at most at the size it is printed (JPEG draft mode) and re-encoded as JPEG
at 1,800 px on its long side (≈ 250 dpi across the type area), so a 12-megapixel phone photo
costs ≈ 0.3 MB in the binder, not 5.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from audit.readers.image import _DATETIME, _DATETIME_DIGITIZED, _DATETIME_ORIGINAL, _EXIF_IFD

LONG_SIDE = 1800
MAX_FRAMES = 50
BOX_MM = (180.0, 235.0)  # the photo's box on the page (photo pages have 15 mm margins)
HEIC = {".heic", ".heif"}


class PhotoError(Exception):
    """The image cannot be placed on a page (Chinese reason)."""


def taken(img: Image.Image) -> dt.datetime | None:
    """When the photo was taken, from its EXIF."""
    exif = img.getexif()
    values = dict(exif.get_ifd(_EXIF_IFD))
    values.update({k: v for k, v in exif.items() if k == _DATETIME})
    for tag in (_DATETIME_ORIGINAL, _DATETIME_DIGITIZED, _DATETIME):
        value = values.get(tag)
        if isinstance(value, str):
            try:
                return dt.datetime.strptime(value.strip()[:19], "%Y:%m:%d %H:%M:%S")
            except ValueError:
                continue
    return None


def caption(when: dt.datetime | None) -> str:
    if when is None:
        return "拍摄时间：照片未记录"
    return f"拍摄时间：{when.year}年{when.month}月{when.day}日 {when:%H:%M}"


def _frames(img: Image.Image) -> Iterator[Image.Image]:
    if getattr(img, "n_frames", 1) > 1 and img.format == "TIFF":
        for i, frame in enumerate(ImageSequence.Iterator(img)):
            if i >= MAX_FRAMES:
                return
            yield frame.copy()
    else:
        yield img


@dataclass(frozen=True)
class PageImage:
    uri: str  # data:image/jpeg;base64,…
    width_mm: float
    height_mm: float


def fit(width: int, height: int) -> tuple[float, float]:
    """The photo's printed size: as large as the box allows, its proportions kept."""
    scale = min(BOX_MM[0] / width, BOX_MM[1] / height)
    return round(width * scale, 2), round(height * scale, 2)


def _jpeg(frame: Image.Image) -> PageImage:
    if frame.mode in ("RGBA", "LA", "P", "PA"):
        rgba = frame.convert("RGBA")
        ground = Image.new("RGB", rgba.size, "white")
        ground.paste(rgba, mask=rgba.getchannel("A"))
        frame = ground
    elif frame.mode != "RGB":
        frame = frame.convert("RGB")
    frame.thumbnail((LONG_SIDE, LONG_SIDE))
    out = io.BytesIO()
    frame.save(out, "JPEG", quality=85, optimize=False)
    uri = "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")
    return PageImage(uri, *fit(*frame.size))


def photo_pages(data: bytes, suffix: str) -> tuple[list[PageImage], str]:
    """The page images of a photo (a frame each) and its caption's date part."""
    if suffix in HEIC:
        raise PhotoError("HEIC 图片无法转换（请在手机上导出为 JPG）")
    try:
        with Image.open(io.BytesIO(data)) as img:
            when = taken(img)
            if img.format == "JPEG":
                img.draft("RGB", (LONG_SIDE, LONG_SIDE))
            images = []
            for frame in _frames(img):
                upright = ImageOps.exif_transpose(frame) or frame
                images.append(_jpeg(upright))
    except Image.DecompressionBombError:
        raise PhotoError("图片像素过多（疑似恶意文件），未能转换") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoError("图片已损坏或格式无法识别") from None
    return images, caption(when)
