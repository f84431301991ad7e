"""What a person sees of a PDF page's text. Text a viewer does not show is taken off the page
before it is read: pdfium's text page leaves out objects set inactive.

Not shown, so not read:
- text drawn wholly outside the page's visible box (its crop box within its media box);
- text in an optional-content layer the document switches off (a draft layer, a hidden note);
- text drawn in white or fully transparent on white, and text under a picture or a filled box
  drawn over it (a PDF editor's "white-out");
- invisible text (render mode 3) on a page that shows nothing beneath it. Over a picture or a
  drawing it is read: it is the words OCR put over a scan, or text drawn as outlines.

Cheap tests settle almost every object (one look at its render mode, colour and box). An object
that may be unseen — white, in a layer, under a picture — is decided by drawing the page with and
without it (pdfium draws as viewers do: layers, crop box, what covers what): a person sees it
when the page changes where it lies.
"""

from __future__ import annotations

import ctypes
import io
import logging
from collections.abc import Callable

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import ImageChops
from pypdf.generic import DictionaryObject

from audit.readers.pdf_grid import (
    _HANDLE,
    _INT,
    PageShapes,
    _handle,
    _object_bounds,
    _plain,
    on_page,
)

log = logging.getLogger(__name__)

LIGHT = 240  # a colour with every channel at least this is white on paper
RENDER_SCALE = 1.0  # 72 dpi: a 5 pt character is 5 px, enough to change the picture
CHANGED = 24  # a pixel changed by more than this (of 255) grey levels shows the object

_render_mode = _plain(pdfium_c.FPDFTextObj_GetTextRenderMode, _INT, _HANDLE)
_fill_color = _plain(
    pdfium_c.FPDFPageObj_GetFillColor, _INT, _HANDLE, _HANDLE, _HANDLE, _HANDLE, _HANDLE
)
_stroke_color = _plain(
    pdfium_c.FPDFPageObj_GetStrokeColor, _INT, _HANDLE, _HANDLE, _HANDLE, _HANDLE, _HANDLE
)
_count_marks = _plain(pdfium_c.FPDFPageObj_CountMarks, _INT, _HANDLE)
_get_mark = _plain(pdfium_c.FPDFPageObj_GetMark, _HANDLE, _HANDLE, ctypes.c_ulong)
_mark_name = _plain(
    pdfium_c.FPDFPageObjMark_GetName, _INT, _HANDLE, _HANDLE, ctypes.c_ulong, _HANDLE
)
_set_active = _plain(pdfium_c.FPDFPageObj_SetIsActive, _INT, _HANDLE, _INT)
_object_text = _plain(
    pdfium_c.FPDFTextObj_GetText, ctypes.c_ulong, _HANDLE, _HANDLE, _HANDLE, ctypes.c_ulong
)

# render modes (PDF 32000-1 § 9.3.6): which colour paints the glyphs
_FILLED = frozenset({0, 2, 4, 6})
_STROKED = frozenset({1, 2, 5, 6})
_INVISIBLE = frozenset({3, 7})


def hides_layers(data: bytes) -> bool:
    """Whether the document switches an optional-content layer off in its default view
    (/OCProperties /D: /OFF, or /BaseState /OFF). Looked up only when the file may hold one:
    the catalog names /OCProperties in plain bytes, or sits in a compressed object stream."""
    if b"/OCProperties" not in data and b"/ObjStm" not in data:
        return False
    try:
        root = pypdf.PdfReader(io.BytesIO(data)).root_object
        properties = root.get("/OCProperties")
        properties = properties.get_object() if properties is not None else None
        view = properties.get("/D") if isinstance(properties, DictionaryObject) else None
        view = view.get_object() if view is not None else None
        if not isinstance(view, DictionaryObject):
            return False
        off = view.get("/OFF")
        return bool(off and len(off.get_object())) or view.get("/BaseState") == "/OFF"
    except Exception:  # pypdf raises many kinds; pdfium opened the file: read it as it is
        log.debug("optional content not looked up", exc_info=True)
        return False


def hide_unseen(
    page: pdfium.PdfPage, shapes: PageShapes, layers_off: Callable[[], bool]
) -> list[tuple[str, str]]:
    """Set inactive every text object of the page a person does not see (see the module's
    docstring); (why, text) of what was hidden, for the report's 未读取不显示的内容. Call before
    the page's text page is loaded."""
    if not shapes.texts:
        return []
    crop = _visible_box(page)
    beneath = bool(shapes.images or shapes.curved or shapes.complex_paths)
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    box_refs = [ctypes.addressof(b) for b in (left, bottom, right, top)]
    channels = [ctypes.c_uint() for _ in range(4)]
    colour_refs = [ctypes.addressof(c) for c in channels]
    covers = [*shapes.pictures, *shapes.fills]  # what is drawn may lie over earlier text
    hidden: list[tuple[int, str]] = []
    suspects: list[tuple[int, tuple[float, float, float, float]]] = []
    for place, handle, placement in shapes.texts:
        if not _object_bounds(handle, *box_refs):
            continue
        box = on_page(placement, left.value, bottom.value, right.value, top.value)
        if box[2] < crop[0] or box[0] > crop[2] or box[3] < crop[1] or box[1] > crop[3]:
            hidden.append((handle, OUTSIDE))  # wholly outside what the viewer shows
            continue
        mode = _render_mode(handle)
        if mode in _INVISIBLE:
            if not beneath:
                hidden.append((handle, INVISIBLE))
            continue  # the words of what lies beneath: a scan's OCR layer, outlined text
        if (
            _light(handle, mode, colour_refs, channels)
            or (_in_layer(handle) and layers_off())
            or (covers and _covered(place, box, covers))
        ):
            suspects.append((handle, box))
    if suspects:
        hidden += [(handle, NOT_DRAWN) for handle in _not_drawn(page, suspects)]
    if not hidden:
        return []
    found = _texts(page, hidden)
    for handle, _why in hidden:
        _set_active(handle, 0)
    log.debug("%d text objects not shown on the page left unread", len(hidden))
    return found


# Why a piece of a PDF page's text is not read (Unseen.why).
OUTSIDE = "页面外的文字"
INVISIBLE = "不可见文字"
NOT_DRAWN = "看不见的文字（白色、被遮盖或隐藏图层）"


def _texts(page: pdfium.PdfPage, hidden: list[tuple[int, str]]) -> list[tuple[str, str]]:
    """(why, text) of each hidden object with text, read before it is hidden."""
    textpage = page.get_textpage()
    found: list[tuple[str, str]] = []
    try:
        for handle, why in hidden:
            size = _object_text(handle, _handle(textpage.raw), None, 0)
            if size <= 2:
                continue
            buffer = ctypes.create_string_buffer(size)
            _object_text(handle, _handle(textpage.raw), ctypes.addressof(buffer), size)
            text = buffer.raw[: size - 2].decode("utf-16-le", "replace").strip()
            if text:
                found.append((why, text))
    finally:
        textpage.close()
    return found


def _visible_box(page: pdfium.PdfPage) -> tuple[float, float, float, float]:
    media = page.get_mediabox()
    crop = page.get_cropbox()
    return (
        max(media[0], crop[0]),
        max(media[1], crop[1]),
        min(media[2], crop[2]),
        min(media[3], crop[3]),
    )


def _light(handle: int, mode: int, refs: list[int], channels: list[ctypes.c_uint]) -> bool:
    """Whether every colour painting the glyphs is white or fully transparent."""
    red, green, blue, alpha = channels
    painted = False
    for paints, colour in ((mode in _FILLED, _fill_color), (mode in _STROKED, _stroke_color)):
        if paints and colour(handle, *refs):
            if alpha.value and min(red.value, green.value, blue.value) < LIGHT:
                return False  # this colour shows
            painted = True
    return painted


def _in_layer(handle: int) -> bool:
    """Whether the object is marked as optional content (a BDC /OC … EMC around it)."""
    if _count_marks(handle) <= 0:
        return False
    buffer = ctypes.create_string_buffer(16)
    length = ctypes.c_ulong()
    for index in range(max(_count_marks(handle), 0)):
        mark = _get_mark(handle, index)
        if not mark:
            continue
        if not _mark_name(mark, ctypes.addressof(buffer), 16, ctypes.addressof(length)):
            continue
        if buffer.raw[: max(length.value - 2, 0)].decode("utf-16-le", "replace") == "OC":
            return True
    return False


def _covered(
    place: int,
    box: tuple[float, float, float, float],
    pictures: list[tuple[int, float, float, float, float]],
) -> bool:
    """Whether a picture or a filled box drawn after the text lies over the text's middle."""
    x = (box[0] + box[2]) / 2
    y = (box[1] + box[3]) / 2
    return any(
        later > place and left <= x <= right and bottom <= y <= top
        for later, left, bottom, right, top in pictures
    )


def _not_drawn(
    page: pdfium.PdfPage, suspects: list[tuple[int, tuple[float, float, float, float]]]
) -> list[int]:
    """Of the suspected objects, those whose absence leaves the drawn page unchanged where
    they lie. Objects lying over one another are decided together: one seen keeps both."""
    shown = page.render(scale=RENDER_SCALE, grayscale=True, may_draw_forms=False).to_pil()
    for handle, _box in suspects:
        _set_active(handle, 0)
    without = page.render(scale=RENDER_SCALE, grayscale=True, may_draw_forms=False).to_pil()
    for handle, _box in suspects:
        _set_active(handle, 1)
    changed = ImageChops.difference(shown, without).point(lambda v: 255 if v > CHANGED else 0)
    unseen: list[int] = []
    for handle, box in suspects:
        area = _device_box(page, box, shown.size)
        if area is None or changed.crop(area).getbbox() is None:
            unseen.append(handle)
    return unseen


def _device_box(
    page: pdfium.PdfPage, box: tuple[float, float, float, float], size: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """The object's box in the drawn page's pixels (the page's rotation and crop box applied
    as pdfium drew it); None when it falls outside the picture."""
    xs: list[int] = []
    ys: list[int] = []
    x, y = ctypes.c_int(), ctypes.c_int()
    for px, py in ((box[0], box[1]), (box[2], box[3])):
        pdfium_c.FPDF_PageToDevice(page.raw, 0, 0, size[0], size[1], 0, px, py, x, y)
        xs.append(x.value)
        ys.append(y.value)
    left, right = max(min(xs) - 1, 0), min(max(xs) + 1, size[0])
    upper, lower = max(min(ys) - 1, 0), min(max(ys) + 1, size[1])
    if left >= right or upper >= lower:
        return None
    return left, upper, right, lower
