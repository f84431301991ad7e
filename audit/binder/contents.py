"""The 目录 as rows, and as the DOCX (python-docx) and XLSX (openpyxl) that go into the zip.

The rows are those of the PDF's 目录 (templates/audit/binder/front.html): each item and
requirement with its page range, each document under it with its pages (or why it has none),
what is missing, what is shown under another requirement. The XLSX adds the columns a clerk
filters on: the document's kind, where it is in the zip and where it was in the package.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from audit.binder.model import Doc, Plan, Section
from audit.binder.pages import page_range
from forms.dates import cn_date
from forms.fonts import docx_font_name

TITLE = "迎检资料目录"


@dataclass
class Row:
    level: str  # group, section, doc, note
    section: str  # requirement id ("" for a group, "other" for 附：其他材料)
    title: str
    pages: str
    kind: str = ""
    in_zip: str = ""
    original: str = ""
    note: str = ""


def _doc_row(section: Section, doc: Doc) -> Row:
    in_zip = f"{section.folder}/{doc.zip_name(section.width)}" if doc.source else ""
    note = doc.note
    if doc.failure:
        note = f"未能转换：{doc.failure}" + (
            "（原件见压缩包）" if doc.source else "（未收入压缩包）"
        )
    return Row(
        level="doc",
        section=section.id,
        title=doc.label,
        pages=page_range(doc.first, doc.last) if doc.pages else "—",
        kind=doc.kind_name,
        in_zip=in_zip,
        original=doc.path,
        note=note,
    )


def _section_rows(section: Section) -> list[Row]:
    rows = [Row("section", section.id, section.label, page_range(section.first, section.last))]
    if section.result and section.result.status == "not_applicable" and not section.docs:
        rows[0].note = f"不适用：{section.result.detail}"
    rows += [_doc_row(section, d) for d in section.docs]
    if section.missing:
        rows.append(Row("note", section.id, f"缺：{section.title}", ""))
    for d in section.see_also:
        pages = page_range(d.first, d.last) if d.pages else "—"
        rows.append(Row("note", section.id, f"另见：{d.section} {d.label}", pages))
    return rows


def toc_rows(plan: Plan) -> list[Row]:
    rows: list[Row] = []
    for group in plan.groups:
        rows.append(Row("group", "", group.label, page_range(group.first, group.last)))
        for section in group.sections:
            rows += _section_rows(section)
    other = _section_rows(plan.other)
    other[0].level = "group"
    rows += other
    if plan.left_out:
        names = "、".join(x.path for x in plan.left_out)
        rows.append(
            Row(
                "note",
                "",
                f"未收入：系统生成的文件 {len(plan.left_out)} 个，不是证据",
                "",
                note=names,
            )
        )
    return rows


def _font(run: Any, role: str, size: float, bold: bool = False) -> None:
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


def _write(cell: Any, text: str, role: str, size: float, indent_mm: float = 0) -> Any:
    para = cell.paragraphs[0]
    para.paragraph_format.left_indent = Mm(indent_mm) if indent_mm else None
    _font(para.add_run(text), role, size)
    return para


def toc_docx(plan: Plan) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(TITLE), "song", 22)
    meta = doc.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period = f"{cn_date(plan.period[0])}至{cn_date(plan.period[1])}"
    _font(meta.add_run(f"{plan.school}　{plan.checklist_title}　统计期 {period}"), "fang", 12)
    table = doc.add_table(rows=0, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.style = "Table Grid"
    styles = {"group": ("hei", 0.0), "section": ("kai", 5.0), "doc": ("fang", 10.0)}
    for row in toc_rows(plan):
        cells = table.add_row().cells
        role, indent = styles.get(row.level, ("fang", 10.0))
        _write(cells[0], row.title, role, 12, indent)
        if row.note:
            extra = cells[0].add_paragraph()
            extra.paragraph_format.left_indent = Mm(indent)
            _font(extra.add_run(row.note), "fang", 10)
        right = _write(cells[1], row.pages, "fang", 12)
        right.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row_ in table.rows:
        row_.cells[0].width, row_.cells[1].width = Mm(131), Mm(25)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


XLSX_HEADERS = ("编号", "项目或材料", "页码", "类别", "压缩包中的位置", "原文件路径", "说明")
XLSX_WIDTHS = (8, 60, 10, 22, 60, 60, 50)


def toc_xlsx(plan: Plan) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "目录"
    sheet.append([f"{plan.school} {TITLE}"])
    period = f"{cn_date(plan.period[0])}至{cn_date(plan.period[1])}"
    sheet.append([f"{plan.checklist_title}　统计期 {period}　编制日期 {cn_date(plan.made)}"])
    sheet.append(list(XLSX_HEADERS))
    bold = Font(bold=True)
    for cell in sheet[3]:
        cell.font = bold
    for row in toc_rows(plan):
        number = row.section if row.section != "other" else ""
        sheet.append([number, row.title, row.pages, row.kind, row.in_zip, row.original, row.note])
        if row.level in ("group", "section"):
            for cell in sheet[sheet.max_row]:
                cell.font = bold
    for i, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    for line in sheet.iter_rows(min_row=4):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
