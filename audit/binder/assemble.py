"""PDF assembly: the cover, the 目录, each section's divider and its documents' pages, in order,
written to the file as they come (forms/pdf_stream.py), with bookmarks and page numbers.

Memory stays flat in pages: one source PDF is open at a time (the dividers' PDF, small, for the
whole run), each page's objects are written out at once and the reader's cache of resolved
objects is cleared after every page, so a 300-page scan costs what one page of it costs.

Page numbers are stamped on every page but the cover, the same way on every page whatever made
it (LibreOffice, WeasyPrint, a scanner): “— 12 —” in 14 pt (4号) Times on a white ground, 10 mm
above the bottom edge of the page as it is shown (its /Rotate and crop box applied), right on
odd pages and left on even ones (GB/T 9704 7.5), below the footers Word and Calc print.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from audit.binder.model import Doc, Group, Plan, Section
from audit.binder.pages import PIECES
from forms.pdf_stream import Outline, StreamingPdf

log = logging.getLogger(__name__)
MM = 72 / 25.4
NUMBER_PT = 14.0  # 4号
BASELINE_MM = 10.0
OUTER_MM = 26.0  # odd pages: right edge of the number from the page's right edge
INNER_MM = 28.0  # even pages: left edge from the page's left edge
FONT = "/BXPageNo"
# Times-Roman widths (AFM, per 1000): em dash, space, digits.
_WIDTHS = {"\u2014": 1000, " ": 250, **{d: 500 for d in "0123456789"}}


def number_text(number: int) -> str:
    return f"\u2014 {number} \u2014"


def _width(text: str) -> float:
    return sum(_WIDTHS[c] for c in text) * NUMBER_PT / 1000


def _matrix(page: PageObject) -> tuple[list[float], float, float]:
    """The transform from the shown page (its bottom-left at 0 0) to user space, and the
    shown width and height."""
    box = page.cropbox
    x0, y0, x1, y1 = float(box.left), float(box.bottom), float(box.right), float(box.top)
    rotate = int(page.get("/Rotate", 0) or 0) % 360
    if rotate == 90:
        return [0, 1, -1, 0, x1, y0], y1 - y0, x1 - x0
    if rotate == 180:
        return [-1, 0, 0, -1, x1, y1], x1 - x0, y1 - y0
    if rotate == 270:
        return [0, -1, 1, 0, x0, y1], y1 - y0, x1 - x0
    return [1, 0, 0, 1, x0, y0], x1 - x0, y1 - y0


def stamp_content(page: PageObject, number: int) -> bytes:
    """Drawing commands for the page number, closing the `q` put before the page's own."""
    matrix, width, _ = _matrix(page)
    text = number_text(number)
    w = _width(text)
    x = width - OUTER_MM * MM - w if number % 2 else INNER_MM * MM
    y = BASELINE_MM * MM
    cm = " ".join(f"{v:g}" for v in matrix)
    glyphs = text.encode("cp1252")  # WinAnsiEncoding: the em dash is 0x97
    escaped = glyphs.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return (
        (
            f"\nQ\nq {cm} cm 1 g {x - 2:.2f} {y - 4:.2f} {w + 4:.2f} {NUMBER_PT + 4:.2f} re f 0 g "
            f"BT {FONT} {NUMBER_PT:g} Tf {x:.2f} {y:.2f} Td ("
        ).encode()
        + escaped
        + b") Tj ET Q\n"
    )


class StampedPdf(StreamingPdf):
    """A streaming PDF whose pages get a page number (but for those given None)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._font = self._new_id()
        self._write(
            self._font,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject("/Times-Roman"),
                    NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
                }
            ),
        )
        self._push = self._new_id()
        push = StreamObject()
        push._data = b"q\n"
        self._write(self._push, push)

    def add_page(self, page: PageObject, ids: dict[int, int], number: int | None) -> int:
        """Append one page; returns its index."""
        if number is None:
            return self.add_pages([page], ids)
        todo: list[tuple[int, Any]] = []
        skip = ("/Parent", "/Annots", "/StructParents", "/Resources", "/Contents")
        copy = DictionaryObject(
            {NameObject(k): self._translate(v, ids, todo) for k, v in page.items() if k not in skip}
        )
        copy[NameObject("/Parent")] = IndirectObject(2, 0, None)  # the page tree
        copy[NameObject("/Resources")] = self._resources(page, ids, todo)
        stamp = StreamObject()
        stamp._data = stamp_content(page, number)
        stamp_id = self._new_id()
        self._write(stamp_id, stamp)
        contents: list[Any] = [IndirectObject(self._push, 0, None)]
        raw = page.get("/Contents")
        if raw is not None:
            resolved = raw.get_object()
            if isinstance(resolved, ArrayObject):
                contents += [self._translate(c, ids, todo) for c in resolved]
            else:
                contents.append(self._translate(raw, ids, todo))
        contents.append(IndirectObject(stamp_id, 0, None))
        copy[NameObject("/Contents")] = ArrayObject(contents)
        index = self.page_count
        number_id = self._new_id()
        self._write(number_id, copy)
        self._flush(ids, todo)
        self._pages.append(number_id)
        return index

    def _resources(
        self, page: PageObject, ids: dict[int, int], todo: list[tuple[int, Any]]
    ) -> DictionaryObject:
        raw = page.get("/Resources")
        source = raw.get_object() if raw is not None else DictionaryObject()
        out = DictionaryObject(
            {
                NameObject(k): self._translate(v, ids, todo)
                for k, v in source.items()
                if k != "/Font"
            }
        )
        fonts_raw = source.get("/Font")
        fonts = fonts_raw.get_object() if fonts_raw is not None else DictionaryObject()
        merged = DictionaryObject(
            {NameObject(k): self._translate(v, ids, todo) for k, v in fonts.items()}
        )
        merged[NameObject(FONT)] = IndirectObject(self._font, 0, None)
        out[NameObject("/Font")] = merged
        return out


class _Source:
    """One open PDF and the map of its objects already written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reader = PdfReader(path, strict=False)
        if self.reader.is_encrypted:  # opens without a password (convert.pdf_pages checked)
            self.reader.decrypt("")
        self.ids: dict[int, int] = {}


class Assembler:
    def __init__(self, plan: Plan, front: Path, dividers: Path, target: Path) -> None:
        self.plan = plan
        self.front = _Source(front)
        self.dividers = _Source(dividers)
        self.current: _Source | None = None
        self.shared: dict[Path, _Source] = {}
        self.damaged: list[tuple[str, int]] = []  # (file, its page) replaced by the notice
        self.doc: Doc | None = None  # the document being copied
        self.out = StampedPdf(target)

    def _copy(self, source: _Source, start: int, end: int) -> int:
        """Pages [start, end) of a source; returns the index of the first. A page of a
        document that cannot be copied (a PDF damaged beyond what pypdf repairs) becomes the
        page saying so, so the numbers of the 目录 still hold."""
        first = self.out.page_count
        ours = source is self.dividers or source is self.front
        for i in range(start, end):
            index = self.out.page_count
            number = index + 1 if index >= self.plan.cover_pages else None
            try:
                self.out.add_page(source.reader.pages[i], source.ids, number)
            except Exception:
                if ours:
                    raise
                log.warning("page %d of %s could not be copied", i + 1, source.path.name)
                self.damaged.append((self.doc.path if self.doc else source.path.name, i + 1))
                page = self.dividers.reader.pages[self.plan.unreadable_page]
                self.out.add_page(page, self.dividers.ids, number)
            if not ours:
                source.reader.resolved_objects.clear()
        return first

    def _doc_source(self, doc: Doc) -> _Source:
        assert doc.pdf is not None
        if doc.pdf.name.startswith(PIECES):  # several documents' pages: its fonts once
            if doc.pdf not in self.shared:
                self.shared[doc.pdf] = _Source(doc.pdf)
            return self.shared[doc.pdf]
        if self.current is None or self.current.path != doc.pdf:
            self.current = _Source(doc.pdf)
        return self.current

    def _section(self, section: Section, group: Group | None, top: list[Outline]) -> None:
        start = self._copy(self.dividers, *section.divider)
        if start + 1 != section.first:
            raise AssertionError(f"{section.id}: page {start + 1} != {section.first}")
        if group is not None and not top:  # the item's bookmark: its first divider
            top.append(self.out.add_outline(group.label, start, None, open=True))
        mark = self.out.add_outline(section.label, start, top[0] if top else None)
        for doc in section.docs:
            self.doc = doc
            if doc.pages:
                at = self._copy(self._doc_source(doc), *doc.span)
                if at + 1 != doc.first:
                    raise AssertionError(f"{doc.path}: page {at + 1} != {doc.first}")
                self.out.add_outline(doc.label, at, mark)
            else:
                self.out.add_outline(f"{doc.label}（未能转换）", start, mark)
        self.doc = None

    def run(self) -> int:
        """Write the binder; returns its number of pages."""
        try:
            self._copy(self.front, 0, self.plan.cover_pages)
            toc = self._copy(self.front, self.plan.cover_pages, len(self.front.reader.pages))
            self.out.add_outline("目录", toc)
            for group in self.plan.groups:
                top: list[Outline] = []
                for section in group.sections:
                    self._section(section, group, top)
                    self.current = None
            self._section(self.plan.other, None, [])
            self.current = None
            pages = self.out.page_count
            self.out.close(
                {
                    "/Title": f"{self.plan.school} 迎检资料",
                    "/Subject": self.plan.checklist_title,
                    "/Creator": "baoxue binder",
                    "/Producer": "baoxue (pypdf)",
                }
            )
            return pages
        except BaseException:
            self.out.abort()
            raise
