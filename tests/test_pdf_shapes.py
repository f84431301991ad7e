"""`page_shapes` walks a page's objects with raw pdfium calls (issue 10: making a pypdfium2
`PdfObject` of each cost more than the rest of it). It must see exactly what
`PdfPage.get_objects(max_depth=3)` sees: the same rules, rectangles and images, in forms too."""

from __future__ import annotations

import random

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from fixtures.packages.docs import Grid, pdf, scanned_pdf
from fixtures.variants.present import forms_files

from audit.readers import pdf_grid
from audit.readers.pdf_grid import PageShapes, Rule, page_shapes


def _shapes_by_helpers(page: pdfium.PdfPage) -> PageShapes:
    """page_shapes as it was, through pypdfium2's object helpers: the reference."""
    h: list[Rule] = []
    v: list[Rule] = []
    complex_paths = images = 0
    for count, obj in enumerate(page.get_objects(max_depth=3)):
        if count > pdf_grid.MAX_OBJECTS:
            break
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += 1
            continue
        if obj.type != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        left, bottom, right, top = obj.get_bounds()
        width, height = right - left, top - bottom
        if height <= pdf_grid.THIN and width > pdf_grid.THIN:
            h.append(Rule((top + bottom) / 2, left, right))
        elif width <= pdf_grid.THIN and height > pdf_grid.THIN:
            v.append(Rule((left + right) / 2, bottom, top))
        elif width > pdf_grid.THIN and height > pdf_grid.THIN:
            complex_paths += 1
            h += [Rule(bottom, left, right), Rule(top, left, right)]
            v += [Rule(left, bottom, top), Rule(right, bottom, top)]
    return PageShapes(pdf_grid._merge(h), pdf_grid._merge(v), complex_paths, images)


def _forms_pdf() -> bytes:
    pairs = [("学生姓名", "李小华"), ("送教日期", "2025年9月8日"), ("课时数", "3")]
    files = forms_files(random.Random(0), "x", "送教上门记录表", [pairs] * 4, ["a"] * 4,
                        modes=("pdf_two_a_page",))  # fmt: skip
    return files["x.pdf"]


def _nested_pdf(source: bytes) -> pdfium.PdfDocument:
    """Page 1 holds the source's first page as a form XObject; page 2 holds page 1 as one."""
    doc = pdfium.PdfDocument.new()
    for src in (pdfium.PdfDocument(source), doc):
        page = doc.new_page(595, 842)
        page.insert_obj(src.page_as_xobject(0, doc).as_pageobject())
        page.gen_content()
    return doc


def test_raw_walk_sees_what_the_helpers_see() -> None:
    table = pdf("记录", [Grid([["送教日期", "课时数"], ["2026年3月5日", "3"]], [(0, 0, 1, 1)])])
    docs = [pdfium.PdfDocument(d) for d in (table, _forms_pdf(), scanned_pdf(2))]
    docs.append(_nested_pdf(table))
    pages = 0
    for doc in docs:
        for index in range(len(doc)):
            page = doc[index]
            assert page_shapes(page) == _shapes_by_helpers(page)
            pages += 1
    assert pages == 1 + 2 + 2 + 2
    nested = docs[-1][1]
    kinds = [obj.type for obj in nested.get_objects(max_depth=3)]
    assert kinds.count(pdfium_c.FPDF_PAGEOBJ_FORM) == 2  # forms in forms were walked
    assert page_shapes(nested).rules_h  # and their rules found
    assert page_shapes(docs[2][0]).images == 1
