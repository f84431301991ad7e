"""The filled 督导工作情况表 (seed 002 附件1) as DOCX: the seed's four columns, one row per row.

督导项目 spans its item's rows; 督导内容 and 督导标准 come from the effective checklist;
督导情况记录 is what the audit found for each requirement of the row, with the problems and
整改意见. Landscape A4, as the seed's table is printed.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from audit.checklist import STATUS_NAMES
from audit.report.model import AuditResult, ItemResult
from forms.dates import cn_date
from forms.fonts import docx_font_name

HEADERS = ("督导项目", "督导内容", "督导标准", "督导情况记录")
WIDTHS_MM = (45, 62, 72, 88)
CN = "一二三四五六七八九十"


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


def _para(container: Any, text: str, role: str = "fang", size: float = 10.5, **kw: Any) -> Any:
    para = container.add_paragraph()
    para.paragraph_format.space_after = Pt(kw.pop("after", 0))
    if "align" in kw:
        para.alignment = kw.pop("align")
    _font(para.add_run(text), role, size, kw.pop("bold", False))
    return para


def _cell(cell: Any, lines: list[str], role: str = "fang", size: float = 10.5) -> None:
    first = cell.paragraphs[0]
    for n, line in enumerate(lines):
        para = first if n == 0 else cell.add_paragraph()
        _font(para.add_run(line), role, size)


def _record(req: ItemResult) -> list[str]:
    """督导情况记录 of one requirement: status and score, what was found, problems and advice."""
    head = f"{req.id} {STATUS_NAMES[req.status]}（{req.score:g}/{req.max:g}分）"
    if req.waiver:
        head += f"，已豁免：{req.waiver.reason}"
    lines = [head, req.detail]
    for f in req.findings:
        tag = "（待核查）" if f.pending else ""
        lines.append(f"问题{tag}：{f.message}")
        lines.append(f"整改意见：{f.recommendation}")
    return [line for line in lines if line]


def _layout(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin = section.bottom_margin = Mm(15)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.font.name = docx_font_name("fang")
    normal.element.get_or_add_rPr()
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        normal.element.rPr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), docx_font_name("fang"))


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _unread(doc: Any, result: AuditResult) -> None:
    """未能识别的内容: the record files' accounts and each piece a person must check."""
    files = [f for f in result.package.files if f.account is not None]
    if not files:
        return
    _para(doc, "记录类材料识别情况", "hei", 12, after=2)
    for f in files:
        _para(doc, f"{f.path}：{f.account.line() if f.account else ''}", size=10.5)
        for u in f.unread:
            _para(doc, f"　未能识别（{u.why}）：{u.where()}“{u.snippet}”", size=9)


def report_docx(result: AuditResult) -> bytes:
    eff = result.checklist.effective
    by_id = {it.id: it for it in result.items}
    doc = Document()
    _layout(doc)
    _para(
        doc,
        eff.get("title", "督导工作情况表"),
        "song",
        18,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=6,
    )
    period = f"{cn_date(result.period.start)}至{cn_date(result.period.end)}"
    _para(doc, f"被督导单位（材料包）：{result.package.name}　　统计期：{period}", size=12)
    _para(
        doc,
        f"督导清单：{result.checklist.id}（版本 {result.checklist.version}）"
        f"　辖区规定：{result.checklist.jurisdiction or '无'}"
        f"　叠加规定：{result.profile or '无'}",
        size=10.5,
        after=4,
    )
    items: list[dict[str, Any]] = eff.get("items", [])
    n_rows = sum(len(item["rows"]) for item in items)
    table = doc.add_table(rows=1 + n_rows, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for col, width in enumerate(WIDTHS_MM):
        for cell in table.columns[col].cells:
            cell.width = Mm(width)
    for col, name in enumerate(HEADERS):
        _cell(table.cell(0, col), [name], "hei", 12)
        table.cell(0, col).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _repeat_header(table.rows[0])
    r = 1
    for n, item in enumerate(items):
        rows = item["rows"]
        first = r
        for row in rows:
            _cell(table.cell(r, 1), [row["content"]])
            _cell(table.cell(r, 2), [row["standard"]])
            record: list[str] = []
            for rid in row["requirements"]:
                if rid in by_id:
                    record += _record(by_id[rid])
            _cell(table.cell(r, 3), record, size=9)
            r += 1
        cell = table.cell(first, 0)
        if r - 1 > first:
            cell = cell.merge(table.cell(r - 1, 0))
        top = by_id.get(item["id"])
        score = f"（{STATUS_NAMES[top.status]}，{top.score:g}/{top.max:g}分）" if top else ""
        prefix = CN[n] if n < len(CN) else str(n + 1)
        _cell(cell, [f"{prefix}、{item['title']}", score])
    s = result.summary
    percent = f"，百分制{s.percent:g}分" if s.percent is not None else ""
    _para(doc, "", after=2)
    _para(
        doc, f"督导结论：得分{s.score:g}/{s.max:g}{percent}，自动评定等次“{s.level}”。", "hei", 12
    )
    for cap in result.explain.caps:
        _para(doc, f"等次限定为“{cap.cap}”：{cap.reason}")
    for note in result.explain.notes:
        _para(doc, note)
    _unread(doc, result)
    final = result.verdict.final
    if final.level:
        when = final.time.strftime("%Y-%m-%d") if final.time else ""
        _para(
            doc,
            f"复核结论：{final.level}　复核人：{final.reviewer or ''}　{when}　{final.note or ''}",
        )
    else:
        _para(doc, "复核结论：__________　复核人：__________　日期：__________")
    _para(
        doc,
        "督导人员（签名）：____________________　　被督导单位负责人（签名）：____________________",
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
