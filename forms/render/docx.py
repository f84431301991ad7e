"""HTML → DOCX: the same document HTML that WeasyPrint prints, written with python-docx.

Templates use a small vocabulary (h1.title, p with a class, h2–h4, div.receipt, table,
img), so the DOCX carries exactly the text of the PDF. Page setup, margins, fonts and the
line pitch follow the same GB/T 9704 numbers (forms.layout).
"""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import tinyhtml5
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from forms.fonts import docx_font_name
from forms.identity import KEYS, PDF_PREFIX, add_docx_identity
from forms.layout import GBT9704, Layout

_NS = "{http://www.w3.org/1999/xhtml}"
_WS = re.compile(r"[ \t\r\n]+")


@dataclass(frozen=True)
class ParaStyle:
    role: str = "fang"
    size: float = GBT9704.body_pt
    align: str = "justify"
    indent: bool = True
    bold: bool = False
    right_pad: float = 0.0
    space_after_lines: int = 0
    line_pitch_lines: int = 1
    pitch_pt: float | None = None  # exact line pitch when not the body grid
    indent_pt: float | None = None
    spacing_pt: float | None = None  # letter spacing when not the body grid's


_ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
}


def _style_for(tag: str, classes: set[str], layout: Layout, slip: bool = False) -> ParaStyle:
    if slip:
        base = _style_for(tag, classes, layout)
        size = layout.slip_pt + 2 if tag == "h2" else layout.slip_pt
        return replace(base, size=size, pitch_pt=layout.slip_pitch_pt, indent_pt=2 * layout.slip_pt)
    if tag == "h1":
        return ParaStyle(
            role="song",
            size=layout.title_pt,
            align="center",
            indent=False,
            space_after_lines=1,
            line_pitch_lines=2,
        )
    if tag == "h2":
        if "slip-title" in classes:
            return ParaStyle(role="hei", align="center", indent=False)
        return ParaStyle(role="hei")
    if tag == "h3":
        return ParaStyle(role="kai")
    if tag == "h4":
        return ParaStyle(bold=True)
    if classes & {"signature", "date"}:
        return ParaStyle(align="right", indent=False, right_pad=layout.signature_right_pt)
    if "small" in classes:
        return ParaStyle(
            size=layout.form_pt,
            pitch_pt=layout.form_pitch_pt,
            indent=False,
            spacing_pt=0,
            align="right" if "right" in classes else "justify",
        )
    if "docno" in classes or "right" in classes:
        return ParaStyle(align="right", indent=False)
    if "cut-line" in classes:
        return ParaStyle(align="center", indent=False)
    if classes & {"noindent", "addressee", "sign-line", "blank"}:
        return ParaStyle(indent=False, align="left" if "sign-line" in classes else "justify")
    if "center" in classes:
        return ParaStyle(align="center", indent=False)
    return ParaStyle()


def _mm(style: str | None, prop: str = "width") -> float | None:
    """A length in mm from an inline style such as "width: 30mm"."""
    match = re.search(rf"(?:^|;)\s*{prop}\s*:\s*([\d.]+)mm", style or "")
    return float(match.group(1)) if match else None


def _local(tag: str) -> str:
    return tag.removeprefix(_NS)


def _classes(el: ET.Element) -> set[str]:
    return set((el.get("class") or "").split())


def _set_run_font(run: Any, role: str, size: float, bold: bool) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold or None
    name = docx_font_name(role)
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _inline_runs(
    el: ET.Element, bold: bool = False, underline: bool = False
) -> Iterator[tuple[str, bool, bool, ET.Element | None]]:
    """(text, bold, underline, image element) pieces of an element, in order."""
    if el.text:
        yield el.text, bold, underline, None
    for child in el:
        tag = _local(child.tag)
        if tag == "br":
            yield "\n", bold, underline, None
        elif tag == "img":
            yield "", bold, underline, child
        else:
            yield from _inline_runs(
                child,
                bold or tag in ("b", "strong"),
                underline or tag == "u" or "fill" in _classes(child),
            )
        if child.tail:
            yield child.tail, bold, underline, None


class _Writer:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.doc = Document()
        self.slip = False  # inside the tear-off slip: smaller type, kept on one page
        self.pending_qr: ET.Element | None = None  # anchored to the next paragraph
        self._shape_id = 1000
        self._setup_page()

    def _setup_page(self) -> None:
        L = self.layout
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(L.page_width_mm), Mm(L.page_height_mm)
        section.top_margin, section.bottom_margin = Mm(L.top_mm), Mm(L.bottom_mm)
        section.left_margin, section.right_margin = Mm(L.left_mm), Mm(L.right_mm)
        section.footer_distance = Mm(L.bottom_mm - L.page_number_gap_mm - 7)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(L.line_pitch_pt * 20)))
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(L.body_pt)
        normal.font.name = docx_font_name("fang")
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        fonts.set(qn("w:eastAsia"), docx_font_name("fang"))
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(round(L.letter_spacing_pt * 20)))
        rpr.append(spacing)
        pf = normal.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(L.line_pitch_pt)
        self.doc.settings.odd_and_even_pages_header_footer = True
        self._page_number(section.footer, "right")
        self._page_number(section.even_page_footer, "left")

    def _page_number(self, footer: object, side: str) -> None:
        para = footer.paragraphs[0]  # type: ignore[attr-defined]
        para.alignment = _ALIGN[side]
        pf = para.paragraph_format
        if side == "right":
            pf.right_indent = Pt(self.layout.page_number_pt)
        else:
            pf.left_indent = Pt(self.layout.page_number_pt)
        for text in ("— ", None, " —"):
            run = para.add_run(text or "")
            _set_run_font(run, "songti", self.layout.page_number_pt, False)
            if text is None:
                for kind, value in (("begin", None), ("instr", " PAGE "), ("end", None)):
                    if kind == "instr":
                        instr = OxmlElement("w:instrText")
                        instr.set(qn("xml:space"), "preserve")
                        instr.text = value
                        run._element.append(instr)
                    else:
                        fld = OxmlElement("w:fldChar")
                        fld.set(qn("w:fldCharType"), kind)
                        run._element.append(fld)

    # -- blocks -------------------------------------------------------------------
    def paragraph(
        self, el: ET.Element, container: object | None = None, style: ParaStyle | None = None
    ) -> None:
        tag = _local(el.tag)
        style = style or _style_for(tag, _classes(el), self.layout, self.slip)
        target = container if container is not None else self.doc
        para = target.add_paragraph()  # type: ignore[attr-defined]
        pf = para.paragraph_format
        para.alignment = _ALIGN[style.align]
        if style.indent:
            pf.first_line_indent = Pt(style.indent_pt or self.layout.indent_pt)
        if style.right_pad:
            pf.right_indent = Pt(style.right_pad)
        if style.pitch_pt or style.line_pitch_lines > 1:
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(
                style.pitch_pt or self.layout.line_pitch_pt * style.line_pitch_lines
            )
        if style.space_after_lines:
            pf.space_after = Pt(self.layout.line_pitch_pt * style.space_after_lines)
        if self.slip:
            pf.keep_with_next = True
        if self.pending_qr is not None:
            self._anchored_qr(para, self.pending_qr)
            self.pending_qr = None
        pieces = list(_inline_runs(el))
        texts = "".join(p[0] for p in pieces)
        if not _WS.sub("", texts) and not any(p[3] is not None for p in pieces):
            return  # an intentionally blank line
        first = True
        for text, bold, underline, image in pieces:
            if image is not None:
                self._image(para, image)
                continue
            text = _WS.sub(" ", text) if "\n" not in text else text
            if first:
                text = text.lstrip()
            if not text:
                continue
            first = False
            if text == "\n":
                para.add_run().add_break()
                continue
            run = para.add_run(text)
            _set_run_font(run, style.role, style.size, bold or style.bold)
            if underline:
                run.font.underline = True
        if tag == "h1" or style.spacing_pt is not None:
            for run in para.runs:
                rpr = run._element.get_or_add_rPr()
                spacing = OxmlElement("w:spacing")
                spacing.set(qn("w:val"), str(round((style.spacing_pt or 0) * 20)))
                rpr.append(spacing)

    def _image(self, para: object, img: ET.Element) -> None:
        src = img.get("src") or ""
        match = re.match(r"data:image/(png|jpeg);base64,(.+)", src, re.S)
        if not match:
            return  # only embedded images; never fetch
        width = img.get("data-width-mm")
        run = para.add_run()  # type: ignore[attr-defined]
        run.add_picture(io.BytesIO(base64.b64decode(match.group(2))), width=Mm(float(width or 18)))

    def _anchored_qr(self, para: Any, img: ET.Element) -> None:
        """The identity QR code floats at a fixed place of the page, as in the PDF.

        python-docx writes only inline pictures; the inline is turned into a wp:anchor
        positioned from the page's edges, with no text wrap, so the text does not move.
        """
        match = re.match(r"data:image/png;base64,(.+)", img.get("src") or "", re.S)
        if not match:
            return
        L = self.layout
        run = para.add_run()
        run.add_picture(io.BytesIO(base64.b64decode(match.group(1))), width=Mm(L.qr_size_mm))
        inline = run._element.find(".//" + qn("wp:inline"))
        self._shape_id += 1
        anchor = OxmlElement(
            "wp:anchor",
            {
                "distT": "0",
                "distB": "0",
                "distL": "0",
                "distR": "0",
                "simplePos": "0",
                "relativeHeight": str(self._shape_id),
                "behindDoc": "0",
                "locked": "1",
                "layoutInCell": "0",
                "allowOverlap": "1",
            },
        )
        simple = OxmlElement("wp:simplePos", {"x": "0", "y": "0"})
        anchor.append(simple)
        for axis, rel, mm in (("H", "page", L.qr_left_mm), ("V", "page", L.qr_top_mm)):
            pos = OxmlElement(f"wp:position{axis}", {"relativeFrom": rel})
            offset = OxmlElement("wp:posOffset")
            offset.text = str(int(Mm(mm)))
            pos.append(offset)
            anchor.append(pos)
        anchor.append(inline.find(qn("wp:extent")))
        anchor.append(OxmlElement("wp:effectExtent", {"l": "0", "t": "0", "r": "0", "b": "0"}))
        anchor.append(OxmlElement("wp:wrapNone"))
        doc_pr = inline.find(qn("wp:docPr"))
        doc_pr.set("id", str(self._shape_id))
        doc_pr.set("name", f"baoxue-qr-{self._shape_id}")
        doc_pr.set("descr", "文书识别码")
        anchor.append(doc_pr)
        anchor.append(inline.find(qn("wp:cNvGraphicFramePr")))
        anchor.append(inline.find(qn("a:graphic")))
        inline.getparent().replace(inline, anchor)

    def table(self, el: ET.Element) -> None:
        classes = _classes(el)
        form, plain = "form" in classes, "plain" in classes
        rows = [r for r in el.iter() if _local(r.tag) == "tr"]
        grid: dict[tuple[int, int], ET.Element] = {}
        spans: list[tuple[int, int, int, int, ET.Element]] = []
        n_cols = 0
        for r, row in enumerate(rows):
            c = 0
            for cell in (x for x in row if _local(x.tag) in ("td", "th")):
                while (r, c) in grid:
                    c += 1
                cs, rs = int(cell.get("colspan", 1)), int(cell.get("rowspan", 1))
                for dr in range(rs):
                    for dc in range(cs):
                        grid[(r + dr, c + dc)] = cell
                spans.append((r, c, rs, cs, cell))
                c += cs
            n_cols = max(n_cols, c)
        n_rows = max((r for r, _ in grid), default=-1) + 1
        if not n_rows or not n_cols:
            return
        table = self.doc.add_table(rows=n_rows, cols=n_cols)
        if not plain:
            table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self._table_geometry(table, el, rows, n_cols, form, plain)
        for r, c, rs, cs, cell_el in spans:
            cell = table.cell(r, c)
            if rs > 1 or cs > 1:
                cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
            header = _local(cell_el.tag) == "th"
            cell_classes = _classes(cell_el)
            style = ParaStyle(
                role="hei" if header else "fang",
                size=self.layout.form_pt
                if form
                else float(cell_el.get("data-pt") or self.layout.body_pt),
                align="left" if plain or cell_classes & {"left"} else "center",
                indent=False,
                pitch_pt=self.layout.form_pitch_pt if form else None,
                spacing_pt=None if plain else 0,
            )
            blocks = [x for x in cell_el if _local(x.tag) in ("p", "div")]
            if blocks:
                for block in blocks:
                    own = _classes(block)
                    align = next((a for a in ("right", "center", "left") if a in own), None)
                    self.paragraph(
                        block, container=cell, style=replace(style, align=align or style.align)
                    )
            else:
                self.paragraph(cell_el, container=cell, style=style)
            # python-docx starts a cell with an empty paragraph; drop it when we added one.
            if len(cell.paragraphs) > 1 and not cell.paragraphs[0].text:
                cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)

    def _table_geometry(
        self,
        table: Any,
        el: ET.Element,
        rows: list[ET.Element],
        n_cols: int,
        form: bool,
        plain: bool,
    ) -> None:
        """Column widths (<col style="width: …mm">), row heights, cell padding as in the CSS."""
        widths = [_mm(col.get("style")) for col in el.iter() if _local(col.tag) == "col"]
        if len(widths) == n_cols and all(w is not None for w in widths):
            table.autofit = False  # python-docx writes <w:tblLayout w:type="fixed"/>
            for i, width in enumerate(widths):
                table.columns[i].width = Mm(width or 0)
                for cell in table.columns[i].cells:
                    cell.width = Mm(width or 0)
        pad_h = 0.0 if plain else self.layout.cell_pad_h_pt
        pad_v = self.layout.cell_pad_v_pt if form else 0.0
        margins = OxmlElement("w:tblCellMar")
        for side, value in (("top", pad_v), ("left", pad_h), ("bottom", pad_v), ("right", pad_h)):
            margins.append(
                OxmlElement(f"w:{side}", {qn("w:w"): str(round(value * 20)), qn("w:type"): "dxa"})
            )
        tbl_pr = table._tbl.tblPr
        look = tbl_pr.find(qn("w:tblLook"))  # schema order: tblCellMar comes before tblLook
        if look is not None:
            look.addprevious(margins)
        else:
            tbl_pr.append(margins)
        heads = {id(tr) for part in el if _local(part.tag) == "thead" for tr in part}
        for r, row_el in enumerate(rows):
            if id(row_el) in heads:  # repeated at the top of each page, as WeasyPrint does
                table.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
            height = _mm(row_el.get("style"), "height")
            if height:
                table.rows[r].height = Mm(height)
                table.rows[r].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def block(self, el: ET.Element) -> None:
        tag = _local(el.tag)
        if tag in ("p", "h1", "h2", "h3", "h4"):
            self.paragraph(el)
        elif tag == "table":
            self.table(el)
        elif tag in ("div", "section", "article", "ol", "ul"):
            if "new-page" in _classes(el):  # a part printed on its own sheet (送达回证)
                self.page_break()
            outer = self.slip
            self.slip = outer or "slip" in _classes(el)
            for child in el:
                self.block(child)
            self.slip = outer
        elif tag == "li":
            self.paragraph(el)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def _identity(root: ET.Element) -> dict[str, str]:
    """The identity meta tags base.html wrote for a single document, by identity key."""
    head = root.find(f"{_NS}head")
    tags = {
        el.get("name", ""): el.get("content", "")
        for el in (head if head is not None else [])
        if _local(el.tag) == "meta"
    }
    names = {PDF_PREFIX + key.replace("_", ""): key for key in KEYS}
    return {names[name]: value for name, value in tags.items() if name in names}


def html_to_docx(html: str, layout: Layout = GBT9704) -> bytes:
    root = tinyhtml5.parse(html)
    body = root.find(f"{_NS}body")
    writer = _Writer(layout)
    identity = _identity(root)
    if identity:
        add_docx_identity(writer.doc, identity)
    title = root.find(f"{_NS}head/{_NS}title")
    if title is not None and title.text:
        writer.doc.core_properties.title = title.text
    writer.doc.core_properties.author = "baoxue"
    writer.doc.core_properties.comments = identity.get("form_id", "")
    # python-docx's blank template starts with no paragraph; documents start at the top.
    articles = [el for el in (body if body is not None else []) if _local(el.tag) == "article"]
    for index, article in enumerate(articles):
        if index:
            writer.page_break()
        for child in article:
            if _local(child.tag) == "img" and "qr" in _classes(child):
                writer.pending_qr = child
                continue
            writer.block(child)
    return writer.save()
