"""Ruled tables of a PDF page rebuilt from its drawn borders, with pdfium (fast, in C).

Office programs and WeasyPrint draw each cell border as a thin filled rectangle or a line.
Their bounds give horizontal and vertical rules; rules that touch form a table; the rules'
positions give rows and columns; a missing inner rule is a merged cell. Each cell's text is
read inside its box (pdfium's `FPDFText_GetBoundedText`). A page whose tables are drawn another
way (one path for the whole grid) yields nothing here and is left to pdfplumber.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from audit.readers.model import Table, clean

THIN = 3.0  # a rule is at most this thick (pt)
TOL = 2.5  # positions this close are the same rule
MAX_OBJECTS = 6000  # a page with more drawn objects is a drawing, not a form


@dataclass(frozen=True)
class Rule:
    pos: float  # y of a horizontal rule, x of a vertical one
    start: float
    end: float


@dataclass
class PageShapes:
    rules_h: list[Rule]
    rules_v: list[Rule]
    complex_paths: int  # large paths that are not rectangles of a grid
    images: int
    # large paths with curves (a rounded box, a drawing) whose outline is not all read here
    curved: int = field(default=0, compare=False)
    # the largest picture's box (pt²): a photo of a paper under a caption fills the page
    picture_area: float = field(default=0.0, compare=False)
    # the text objects (their place in the drawing order, handle, the placement of the form
    # holding it) and the pictures' boxes on the page (place, left, bottom, right, top): what
    # audit/readers/pdf_seen.py asks whether a person sees; handles valid while the page is open
    texts: list[tuple[int, int, Matrix | None]] = field(
        default_factory=list, compare=False, repr=False
    )
    pictures: list[tuple[int, float, float, float, float]] = field(
        default_factory=list, compare=False, repr=False
    )
    # filled boxes (place, left, bottom, right, top): drawn after text they may cover it
    fills: list[tuple[int, float, float, float, float]] = field(
        default_factory=list, compare=False, repr=False
    )


MAX_DEPTH = 3  # objects inside form XObjects inside form XObjects, no deeper


def _plain(func: Any, restype: Any, *argtypes: Any) -> Any:
    """pdfium's `func` taking and returning handles as plain ints. pypdfium2's binding wraps
    every handle it returns in a typed ctypes pointer and checks each argument's type; over the
    ~300 calls a page makes here (an object, its type, its bounds) that was a third of the walk.
    The C function is the same one (its address), only the Python side of the call is lighter."""
    address = ctypes.cast(func, ctypes.c_void_p).value
    if not address:
        raise ImportError(f"pdfium has no {func.__name__}")
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_HANDLE, _INT = ctypes.c_void_p, ctypes.c_int
_page_count = _plain(pdfium_c.FPDFPage_CountObjects, _INT, _HANDLE)
_page_object = _plain(pdfium_c.FPDFPage_GetObject, _HANDLE, _HANDLE, _INT)
_form_count = _plain(pdfium_c.FPDFFormObj_CountObjects, _INT, _HANDLE)
_form_object = _plain(pdfium_c.FPDFFormObj_GetObject, _HANDLE, _HANDLE, ctypes.c_ulong)
_object_type = _plain(pdfium_c.FPDFPageObj_GetType, _INT, _HANDLE)
_object_bounds = _plain(
    pdfium_c.FPDFPageObj_GetBounds, _INT, _HANDLE, _HANDLE, _HANDLE, _HANDLE, _HANDLE
)
_bounded_text = _plain(
    pdfium_c.FPDFText_GetBoundedText,
    _INT,
    _HANDLE,
    ctypes.c_double,
    ctypes.c_double,
    ctypes.c_double,
    ctypes.c_double,
    _HANDLE,
    _INT,
)
_count_chars = _plain(pdfium_c.FPDFText_CountChars, _INT, _HANDLE)


def _handle(raw: Any) -> int:
    """A pypdfium2 handle (a typed ctypes pointer) as the int the plain calls take."""
    value: int | None = ctypes.cast(raw, ctypes.c_void_p).value
    if not value:
        raise pdfium.PdfiumError("Null handle.")
    return value


def _objects(parent: int, form: bool = False, level: int = 0) -> list[tuple[int, int, int]]:
    """(type, handle, the form XObject holding it or 0) of each object of a page and of its
    form XObjects, in the order of `PdfPage.get_objects(max_depth=MAX_DEPTH)`, without making
    a Python object of each: that cost more than the rest of `page_shapes` (a WeasyPrint form
    page draws ~100 objects). Built by comprehensions, not yielded one by one: the generator
    was half of the loop."""
    count = (_form_count if form else _page_count)(parent)
    if count < 0:
        raise pdfium.PdfiumError("Failed to get number of pageobjects.")
    get = _form_object if form else _page_object
    handles = [get(parent, index) for index in range(count)]
    if not all(handles):
        raise pdfium.PdfiumError("Failed to get pageobject.")
    kinds = [_object_type(handle) for handle in handles]
    if pdfium_c.FPDF_PAGEOBJ_UNKNOWN in kinds:
        raise pdfium.PdfiumError("Failed to determine pageobject type.")
    holder = parent if form else 0
    objects = [(kind, handle, holder) for kind, handle in zip(kinds, handles, strict=True)]
    if pdfium_c.FPDF_PAGEOBJ_FORM not in kinds or level >= MAX_DEPTH - 1:
        return objects
    flat: list[tuple[int, int, int]] = []
    for entry in objects:
        flat.append(entry)
        if entry[0] == pdfium_c.FPDF_PAGEOBJ_FORM:
            flat += _objects(entry[1], True, level + 1)
    return flat


Matrix = tuple[float, float, float, float, float, float]  # PDF's [a b c d e f]


def _placement(form: int, outer: Matrix | None) -> Matrix | None:
    """Where a form XObject's own space lies on the page (None: the page's own): the bounds
    pdfium gives an object inside a form are in the form's space."""
    matrix = pdfium_c.FS_MATRIX()
    if not _object_matrix(form, ctypes.addressof(matrix)):
        return outer
    inner = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
    if outer is not None:
        oa, ob, oc, od, oe, of = outer
        a, b, c, d, e, f = inner
        inner = (
            oa * a + oc * b,
            ob * a + od * b,
            oa * c + oc * d,
            ob * c + od * d,
            oa * e + oc * f + oe,
            ob * e + od * f + of,
        )
    return None if inner == (1.0, 0.0, 0.0, 1.0, 0.0, 0.0) else inner


def on_page(
    matrix: Matrix | None, x0: float, y0: float, x1: float, y1: float
) -> tuple[float, float, float, float]:
    """A box in a form's space as a box on the page."""
    if matrix is None:
        return x0, y0, x1, y1
    a, b, c, d, e, f = matrix
    corners = [(x0, y0), (x0, y1), (x1, y0), (x1, y1)]
    xs = [a * x + c * y + e for x, y in corners]
    ys = [b * x + d * y + f for x, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def page_shapes(page: pdfium.PdfPage) -> PageShapes:
    h: list[tuple[float, float, float]] = []
    v: list[tuple[float, float, float]] = []
    complex_paths = images = curved = 0
    picture_area = 0.0
    texts: list[tuple[int, int, Matrix | None]] = []
    placed: dict[int, Matrix | None] = {}  # form XObject → its placement on the page
    pictures: list[tuple[int, float, float, float, float]] = []
    fills: list[tuple[int, float, float, float, float]] = []
    fill_mode, stroked = ctypes.c_int(), ctypes.c_int()
    mode_refs = (ctypes.addressof(fill_mode), ctypes.addressof(stroked))
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    # addresses taken once: converting four floats per call was a third of this loop
    refs = [ctypes.addressof(b) for b in (left, bottom, right, top)]
    get_bounds = _object_bounds
    image_kind, path_kind = pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH
    text_kind, form_kind = pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_FORM
    for count, (kind, raw, holder) in enumerate(_objects(_handle(page.raw))):
        if count > MAX_OBJECTS:
            break
        placement = placed.get(holder) if holder else None
        if kind == text_kind:
            texts.append((count, raw, placement))
            continue
        if kind == form_kind:
            placed[raw] = _placement(raw, placement)
            continue
        if kind == image_kind:
            images += 1
            if get_bounds(raw, *refs):
                box = on_page(placement, left.value, bottom.value, right.value, top.value)
                picture_area = max(picture_area, (box[2] - box[0]) * (box[3] - box[1]))
                pictures.append((count, *box))
            continue
        if kind != path_kind:
            continue
        if not get_bounds(raw, *refs):
            raise pdfium.PdfiumError("Failed to locate pageobject.")
        # a rule's box as pdfium gives it (inside a form: the form's space — the widgets of a
        # flattened fillable form are not read as a grid over its labels)
        x0, y0, x1, y1 = left.value, bottom.value, right.value, top.value
        width, height = x1 - x0, y1 - y0
        if height <= THIN and width > THIN:
            h.append(((y1 + y0) / 2, x0, x1))
        elif width <= THIN and height > THIN:
            v.append(((x0 + x1) / 2, y0, y1))
        elif width > THIN and height > THIN:
            # a rectangle: its four sides may be cell borders; a grid drawn as one path is not
            complex_paths += 1
            if texts and _draw_mode(raw, *mode_refs) and fill_mode.value:
                # after some text: it may cover it
                fills.append((count, *on_page(placement, x0, y0, x1, y1)))
            h += [(y0, x0, x1), (y1, x0, x1)]
            v += [(x0, y0, y1), (x1, y0, y1)]
            if _count_segments(raw) > RECT_SEGMENTS:
                curved += not _segments(raw, (x0, y0, x1, y1), h, v)
    rules_h, rules_v = _merged(tuple(h), tuple(v))
    return PageShapes(
        list(rules_h),
        list(rules_v),
        complex_paths,
        images,
        curved,
        picture_area,
        texts,
        pictures,
        fills,
    )


_draw_mode = _plain(pdfium_c.FPDFPath_GetDrawMode, _INT, _HANDLE, _HANDLE, _HANDLE)
RECT_SEGMENTS = 5  # a rectangle (re) is a move, three lines and a close: more is a drawing
_count_segments = _plain(pdfium_c.FPDFPath_CountSegments, _INT, _HANDLE)
_get_segment = _plain(pdfium_c.FPDFPath_GetPathSegment, _HANDLE, _HANDLE, _INT)
_segment_point = _plain(pdfium_c.FPDFPathSegment_GetPoint, _INT, _HANDLE, _HANDLE, _HANDLE)
_segment_type = _plain(pdfium_c.FPDFPathSegment_GetType, _INT, _HANDLE)
_segment_closes = _plain(pdfium_c.FPDFPathSegment_GetClose, _INT, _HANDLE)
_object_matrix = _plain(pdfium_c.FPDFPageObj_GetMatrix, _INT, _HANDLE, _HANDLE)
MAX_SEGMENTS = 4000  # a path with more is a drawing, not a grid


def _segments(
    raw: int,
    bounds: tuple[float, float, float, float],
    h: list[tuple[float, float, float]],
    v: list[tuple[float, float, float]],
) -> bool:
    """The straight, level or upright pieces of one path drawing many lines (a whole grid drawn
    as one path) added as rules, in page space. False when it also holds curves (its outline
    is then only partly read) or its points do not land inside its own bounds (a path inside a
    form whose matrix is not the page's: nothing is added)."""
    count = _count_segments(raw)
    if count > MAX_SEGMENTS:
        return False
    matrix = pdfium_c.FS_MATRIX()
    if not _object_matrix(raw, ctypes.addressof(matrix)):
        return False
    a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
    x, y = ctypes.c_float(), ctypes.c_float()
    px, py = ctypes.addressof(x), ctypes.addressof(y)
    points: list[tuple[float, float, int, bool]] = []
    for index in range(count):
        segment = _get_segment(raw, index)
        if not segment or not _segment_point(segment, px, py):
            return False
        sx, sy = x.value, y.value
        points.append(
            (
                a * sx + c * sy + e,
                b * sx + d * sy + f,
                _segment_type(segment),
                bool(_segment_closes(segment)),
            )
        )
    x0, y0, x1, y1 = bounds
    slack = THIN + 1.0
    if any(
        not (x0 - slack <= px_ <= x1 + slack and y0 - slack <= py_ <= y1 + slack)
        for px_, py_, _, _ in points
    ):
        return False
    curves = False
    found_h: list[tuple[float, float, float]] = []
    found_v: list[tuple[float, float, float]] = []
    start: tuple[float, float] | None = None
    last: tuple[float, float] | None = None
    for px_, py_, kind, closes in points:
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = last = (px_, py_)
            continue
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            curves = True
        elif last is not None:
            _straight(last, (px_, py_), found_h, found_v)
        last = (px_, py_)
        if closes and start is not None:
            _straight(last, start, found_h, found_v)
            last = start
    h += found_h
    v += found_v
    return not curves


def _straight(
    p: tuple[float, float],
    q: tuple[float, float],
    h: list[tuple[float, float, float]],
    v: list[tuple[float, float, float]],
) -> None:
    """A line from p to q as a horizontal or vertical rule; a slanted one is no rule."""
    (ax, ay), (bx, by) = p, q
    if abs(ay - by) <= THIN / 2 and abs(ax - bx) > THIN:
        h.append(((ay + by) / 2, min(ax, bx), max(ax, bx)))
    elif abs(ax - bx) <= THIN / 2 and abs(ay - by) > THIN:
        v.append(((ax + bx) / 2, min(ay, by), max(ay, by)))


# A line break inside a cell where the text wrapped mid-word: beside a Chinese character, or
# between digits (an ID number or a date a narrow column broke: 450331 / 201101 / 01001X),
# or after a clock's or a date's separator (9:00- / 10:30).
_WRAP = re.compile(
    r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t]*\r?\n\s*(?=\S)"
    r"|(?<=\S)[ \t]*\r?\n\s*(?=[\u3000-\u9fff\uff00-\uffef])"
    r"|(?<=[0-9])\s*\r?\n(?=[0-9Xx])"
    r"|(?<=[-:.：—~至])\r?\n(?=[0-9])"
)


# The gap Word and LibreOffice set between Chinese and Western characters (autospace), which
# pdfium reads as a space: 7 年级 is 7年级 in the cell.
_AUTOSPACE = re.compile(
    r"(?<=[0-9A-Za-z])[ \t]+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])[ \t]+(?=[0-9A-Za-z])"
)


def unwrap(text: str) -> str:
    """A cell's text with its wrapped lines rejoined as the cell holds them."""
    return _SPLIT_DAY.sub(r"\1\2", clean(_AUTOSPACE.sub("", _WRAP.sub("", text))))


# A date wrapped inside its day (2025.9.1 / 7): pdfium gives the break as a space, not a line
# break, when the next line begins left of where the first ended — a date box holds no “1 7”.
_SPLIT_DAY = re.compile(r"^(\d{4}[./-]\d{1,2}[./-]\d) (\d)$")


@lru_cache(maxsize=256)
def _merged(
    h: tuple[tuple[float, float, float], ...], v: tuple[tuple[float, float, float], ...]
) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """Cached: a compilation draws the same form on every page, so its rules repeat exactly."""
    return tuple(_merge([Rule(*r) for r in h])), tuple(_merge([Rule(*r) for r in v]))


def _merge(rules: list[Rule]) -> list[Rule]:
    """Collinear pieces joined: one rule per line and run.

    Pieces are grouped by position first (each within TOL of the one before), then joined along
    the line. Sorting by a rounded position instead split one line's pieces across two buckets
    when they straddled a bucket edge, and a piece of the upper of two boxed forms on a page was
    swallowed by the lower form's rule: that form lost a column."""
    merged: list[Rule] = []
    group: list[Rule] = []
    for rule in sorted(rules, key=lambda r: r.pos):
        if group and rule.pos - group[-1].pos > TOL:
            merged += _join(group)
            group = []
        group.append(rule)
    merged += _join(group)
    return sorted(merged, key=lambda r: (r.pos, r.start))


def _join(group: list[Rule]) -> list[Rule]:
    runs: list[Rule] = []
    for rule in sorted(group, key=lambda r: r.start):
        if runs and rule.start <= runs[-1].end + TOL:
            last = runs[-1]
            runs[-1] = Rule(last.pos, last.start, max(last.end, rule.end))
        else:
            runs.append(rule)
    return runs


def _spans(rules: list[Rule], at: float) -> bool:
    """Whether one of these rules (all at one grid line) runs past `at`."""
    return any(r.start - TOL <= at <= r.end + TOL for r in rules)


def _components(h: list[Rule], v: list[Rule]) -> list[tuple[list[Rule], list[Rule]]]:
    """Groups of rules that touch one another: one group per table."""
    parent = list(range(len(h) + len(v)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, hr in enumerate(h):
        for j, vr in enumerate(v):
            if (
                hr.start - TOL <= vr.pos <= hr.end + TOL
                and vr.start - TOL <= hr.pos <= vr.end + TOL
            ):
                parent[find(i)] = find(len(h) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, hr in enumerate(h):
        groups.setdefault(find(i), ([], []))[0].append(hr)
    for j, vr in enumerate(v):
        groups.setdefault(find(len(h) + j), ([], []))[1].append(vr)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _positions(values: list[float]) -> list[float]:
    found: list[float] = []
    for value in sorted(values):
        if not found or value - found[-1] > TOL:
            found.append(value)
    return found


@dataclass(frozen=True)
class _Cell:
    column: int
    left: float
    bottom: float
    right: float
    top: float
    fill_from: int  # first band this cell's text fills (a vertical merge); its own band if none


@dataclass(frozen=True)
class _Plan:
    """Where a table's cells lie: the geometry of one grid, computed once per layout."""

    top: float
    width: int
    bands: tuple[tuple[_Cell, ...], ...]
    box: tuple[float, float, float, float]  # left, bottom, right, top of the whole grid


class _Bounded:
    """`PdfTextPage.get_text_bounded` of many boxes of one text page, each in one pdfium call.

    pypdfium2 asks pdfium for the text's length first, then makes a buffer of that size and asks
    again: two passes over the page's characters and a buffer per cell. Here one buffer, sized
    by the page's characters, serves every cell; pdfium writes the text and its terminating NUL
    into it, and only a text that may not have fitted (pdfium adds a line break between lines)
    is asked again at its own length."""

    def __init__(self, textpage: pdfium.PdfTextPage) -> None:
        self.handle = _handle(textpage.raw)
        self.size = 2 * max(_count_chars(self.handle), 0) + 64
        self.buffer = (ctypes.c_ushort * self.size)()
        self.address = ctypes.addressof(self.buffer)

    def text(self, left: float, bottom: float, right: float, top: float) -> str:
        written = _bounded_text(self.handle, left, top, right, bottom, self.address, self.size)
        if written <= 0:
            return ""
        if written >= self.size:  # perhaps cut short: the length, then the whole text
            length = _bounded_text(self.handle, left, top, right, bottom, None, 0)
            buffer = (ctypes.c_ushort * (length + 1))()
            written = _bounded_text(
                self.handle, left, top, right, bottom, ctypes.addressof(buffer), length + 1
            )
            raw = ctypes.string_at(ctypes.addressof(buffer), 2 * max(written, 0))
        else:
            raw = ctypes.string_at(self.address, 2 * written)
        return raw.decode("utf-16-le", errors="ignore").rstrip("\x00")


Box = tuple[float, float, float, float]  # left, bottom, right, top
# Reads a grid whose boxes hold labels and values as free text, line by line (pdf_layout):
# given the grid's box, its cells' boxes and their raw texts, the rows, or None when the grid
# is a table of one value a cell.
BoxReader = Callable[[Box, list[Box], list[str]], list[list[str]] | None]


def page_tables(
    textpage: pdfium.PdfTextPage,
    shapes: PageShapes,
    number: int,
    boxes: BoxReader | None = None,
) -> list[Table]:
    tables: list[Table] = []
    bounded: _Bounded | None = None
    for plan in _plans(tuple(shapes.rules_h), tuple(shapes.rules_v)):
        bounded = bounded or _Bounded(textpage)
        rows: list[list[str]] = []
        raw: list[str] = []
        cell_boxes: list[Box] = []
        for i, cells in enumerate(plan.bands):
            row = [""] * plan.width
            for cell in cells:
                box = (cell.left + 0.5, cell.bottom + 0.5, cell.right - 0.5, cell.top - 0.5)
                written = bounded.text(*box)
                text = unwrap(written)
                if written.strip():
                    raw.append(written.strip())
                    cell_boxes.append(box)
                for earlier in rows[cell.fill_from : i]:
                    earlier[cell.column] = text
                row[cell.column] = text
            rows.append(row)  # always, so rows[j] is band j
        if boxes is not None and raw:
            read = boxes(plan.box, cell_boxes, raw)
            if read is not None:
                tables.append(Table(rows=read, page=number, span=_span(plan)))
                continue
        rows = [r for r in rows if any(r)]
        if len(rows) >= 2 or (rows and len(rows[0]) >= 2):  # a lone box is a frame, not a table
            tables.append(Table(rows=rows, page=number, span=_span(plan)))
    return tables


def _span(plan: _Plan) -> tuple[float, float]:
    return plan.box[3], plan.box[1]


@lru_cache(maxsize=256)
def _plans(h: tuple[Rule, ...], v: tuple[Rule, ...]) -> tuple[_Plan, ...]:
    """The page's grids, top first. Cached by the rules: a compilation's pages share them."""
    plans: list[_Plan] = []
    for group_h, group_v in _components(list(h), list(v)):
        ys = _positions([r.pos for r in group_h])[::-1]  # top to bottom
        xs = _positions([r.pos for r in group_v])
        if len(ys) < 2 or len(xs) < 2:
            continue
        # the rules at each grid line, looked up once instead of scanning all rules per cell
        at_x = {x: [r for r in group_v if abs(r.pos - x) <= TOL] for x in xs}
        at_y = {y: [r for r in group_h if abs(r.pos - y) <= TOL] for y in ys}
        open_top: dict[int, float] = {}  # column → top y of the cell open there
        bands: list[tuple[_Cell, ...]] = []
        for i in range(len(ys) - 1):
            top, bottom = ys[i], ys[i + 1]
            mid_y = (top + bottom) / 2
            cells: list[_Cell] = []
            start: int | None = None
            for k, x in enumerate(xs):
                if not _spans(at_x[x], mid_y):
                    continue
                if start is not None:
                    left, right = xs[start], x
                    cell_top = top
                    if i > 0 and not _spans(at_y[top], (left + right) / 2) and start in open_top:
                        cell_top = open_top[start]  # a vertical merge: read the whole cell
                    fill_from = _row_of(ys, cell_top) if cell_top != top else i
                    cells.append(_Cell(start, left, bottom, right, cell_top, fill_from))
                    open_top[start] = cell_top
                start = k
            bands.append(tuple(cells))
        plans.append(_Plan(ys[0], len(xs) - 1, tuple(bands), (xs[0], ys[-1], xs[-1], ys[0])))
    return tuple(sorted(plans, key=lambda p: -p.top))


def _row_of(ys: list[float], y: float) -> int:
    return min(range(len(ys)), key=lambda i: abs(ys[i] - y))
