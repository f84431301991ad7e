"""Ruled tables of a PDF page rebuilt from its drawn borders, with pdfium (fast, in C).

Office programs and WeasyPrint draw each cell border as a thin filled rectangle or a line.
Their bounds give horizontal and vertical rules; rules that touch form a table; the rules'
positions give rows and columns; a missing inner rule is a merged cell. Each cell's text is
read inside its box with `get_text_bounded`. A page whose tables are drawn another way (one
path for the whole grid) yields nothing here and is left to pdfplumber.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from audit.readers.model import Table, clean

THIN = 3.0  # a rule is at most this thick (pt)
TOL = 2.5  # positions this close are the same rule
MAX_OBJECTS = 6000  # a page with more drawn objects is a drawing, not a form


@dataclass
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


MAX_DEPTH = 3  # objects inside form XObjects inside form XObjects, no deeper


def _objects(parent: Any, form: bool = False, level: int = 0) -> list[tuple[int, Any]]:
    """(type, raw handle) of each object of a page and of its form XObjects, in the order of
    `PdfPage.get_objects(max_depth=MAX_DEPTH)`, without making a Python object of each: that
    cost more than the rest of `page_shapes` (a WeasyPrint form page draws ~100 objects).
    Built by comprehensions, not yielded one by one: the generator was half of the loop."""
    count = (pdfium_c.FPDFFormObj_CountObjects if form else pdfium_c.FPDFPage_CountObjects)(parent)
    if count < 0:
        raise pdfium.PdfiumError("Failed to get number of pageobjects.")
    get = pdfium_c.FPDFFormObj_GetObject if form else pdfium_c.FPDFPage_GetObject
    raws = [get(parent, index) for index in range(count)]
    if not all(raws):
        raise pdfium.PdfiumError("Failed to get pageobject.")
    get_type = pdfium_c.FPDFPageObj_GetType
    kinds = [get_type(raw) for raw in raws]
    if pdfium_c.FPDF_PAGEOBJ_UNKNOWN in kinds:
        raise pdfium.PdfiumError("Failed to determine pageobject type.")
    objects = list(zip(kinds, raws, strict=True))
    if pdfium_c.FPDF_PAGEOBJ_FORM not in kinds or level >= MAX_DEPTH - 1:
        return objects
    flat: list[tuple[int, Any]] = []
    for kind, raw in objects:
        flat.append((kind, raw))
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            flat += _objects(raw, True, level + 1)
    return flat


def page_shapes(page: pdfium.PdfPage) -> PageShapes:
    h: list[Rule] = []
    v: list[Rule] = []
    complex_paths = images = 0
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    # pointers made once: converting four floats per call was a third of this loop
    refs = [ctypes.byref(b) for b in (left, bottom, right, top)]
    get_bounds = pdfium_c.FPDFPageObj_GetBounds
    image_kind, path_kind = pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH
    for count, (kind, raw) in enumerate(_objects(page.raw)):
        if count > MAX_OBJECTS:
            break
        if kind == image_kind:
            images += 1
            continue
        if kind != path_kind:
            continue
        if not get_bounds(raw, *refs):
            raise pdfium.PdfiumError("Failed to locate pageobject.")
        x0, y0, x1, y1 = left.value, bottom.value, right.value, top.value
        width, height = x1 - x0, y1 - y0
        if height <= THIN and width > THIN:
            h.append(Rule((y1 + y0) / 2, x0, x1))
        elif width <= THIN and height > THIN:
            v.append(Rule((x0 + x1) / 2, y0, y1))
        elif width > THIN and height > THIN:
            # a rectangle: its four sides may be cell borders; a grid drawn as one path is not
            complex_paths += 1
            h += [Rule(y0, x0, x1), Rule(y1, x0, x1)]
            v += [Rule(x0, y0, y1), Rule(x1, y0, y1)]
    return PageShapes(_merge(h), _merge(v), complex_paths, images)


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
            runs[-1].end = max(runs[-1].end, rule.end)
        else:
            runs.append(Rule(rule.pos, rule.start, rule.end))
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


def page_tables(textpage: pdfium.PdfTextPage, shapes: PageShapes, number: int) -> list[Table]:
    tables: list[tuple[float, Table]] = []
    for h, v in _components(shapes.rules_h, shapes.rules_v):
        ys = _positions([r.pos for r in h])[::-1]  # top to bottom
        xs = _positions([r.pos for r in v])
        if len(ys) < 2 or len(xs) < 2:
            continue
        # the rules at each grid line, looked up once instead of scanning all rules per cell
        at_x = {x: [r for r in v if abs(r.pos - x) <= TOL] for x in xs}
        at_y = {y: [r for r in h if abs(r.pos - y) <= TOL] for y in ys}
        rows: list[list[str]] = []
        # (column) → (top y of the open vertical merge, text)
        open_cells: dict[int, tuple[float, float, float, str]] = {}
        for i in range(len(ys) - 1):
            top, bottom = ys[i], ys[i + 1]
            mid_y = (top + bottom) / 2
            row = [""] * (len(xs) - 1)
            start: int | None = None
            for k, x in enumerate(xs):
                if not _spans(at_x[x], mid_y):
                    continue
                if start is not None:
                    left, right = xs[start], x
                    mid_x = (left + right) / 2
                    cell_top = top
                    if i > 0 and not _spans(at_y[top], mid_x) and start in open_cells:
                        cell_top = open_cells[start][0]  # a vertical merge: read the whole cell
                    text = clean(
                        textpage.get_text_bounded(
                            left + 0.5, bottom + 0.5, right - 0.5, cell_top - 0.5
                        )
                    )
                    if cell_top != top:
                        for earlier in rows[_row_of(ys, cell_top) : i]:
                            earlier[start] = text
                    row[start] = text
                    open_cells[start] = (cell_top, left, right, text)
                start = k
            rows.append(row)  # always, so rows[j] is band j
        rows = [r for r in rows if any(r)]
        if len(rows) >= 2 or (rows and len(rows[0]) >= 2):  # a lone box is a frame, not a table
            tables.append((ys[0], Table(rows=rows, page=number)))
    return [t for _, t in sorted(tables, key=lambda p: -p[0])]


def _row_of(ys: list[float], y: float) -> int:
    return min(range(len(ys)), key=lambda i: abs(ys[i] - y))
