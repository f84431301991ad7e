"""Readers read what a person sees or prints (issue 20 §3), construct by construct.

Each test builds a small file holding one construct (tests/fixtures/packages/seen.py) and
asserts the text a person sees in Word, Excel or a PDF viewer — and that what is hidden is
kept as `Unseen` with its place, never read as evidence.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from fixtures.packages.seen import (
    comments_part,
    docx_xml,
    field,
    notes_part,
    p,
    run,
    table,
    text_box,
    with_builtin_format,
    with_phonetic_run,
    workbook_bytes,
)
from fixtures.variants.generate import SCHOOLS, files_for
from fixtures.variants.printcheck import Report, check, compare_text
from fixtures.variants.quirks import DRAFT, add_quirks
from fixtures.variants.sweep import differences, verdicts

from audit.readers import read_bytes
from audit.readers.model import Block, ReadResult, Table

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _docx(body: str, **kwargs: object) -> ReadResult:
    result = read_bytes("记录.docx", docx_xml(body, **kwargs))  # type: ignore[arg-type]
    assert result.status == "ok", result.reason
    return result


def _blocks(result: ReadResult) -> list[str]:
    return [i.text for i in result.items if isinstance(i, Block)]


# ----------------------------------------------------------------------- WordprocessingML


def test_docx_tracked_changes_read_with_markup_accepted() -> None:
    deleted = (
        '<w:del w:id="1" w:author="李某"><w:r><w:delText>2025年10月5日</w:delText></w:r></w:del>'
    )
    inserted = f'<w:ins w:id="2" w:author="李某">{run("2025年10月12日")}</w:ins>'
    moved_from = f'<w:moveFrom w:id="3" w:author="李某">{run("（已移走）")}</w:moveFrom>'
    moved_to = f'<w:moveTo w:id="4" w:author="李某">{run("班主任黄丽")}</w:moveTo>'
    joined = p("家访人员：", props='<w:rPr><w:del w:id="5" w:author="李某"/></w:rPr>')
    rows = table([["姓名", "日期"], ["覃小红", "2025年10月12日"], ["黄小明", "2025年9月1日"]])
    rows = rows.replace(
        '<w:tr><w:tc><w:p><w:r><w:t xml:space="preserve">黄小明',
        '<w:tr><w:trPr><w:del w:id="6" w:author="李某"/></w:trPr><w:tc><w:p><w:r>'
        '<w:t xml:space="preserve">黄小明',
    )
    result = _docx(p("家访时间：", deleted, inserted, moved_from) + joined + p(moved_to) + rows)
    assert _blocks(result) == ["家访时间：2025年10月12日", "家访人员：班主任黄丽"]
    grid = result.items[-1]
    assert isinstance(grid, Table)
    assert grid.rows == [["姓名", "日期"], ["覃小红", "2025年10月12日"]]  # the deleted row gone
    assert "2025年10月5日" not in result.text() and "已移走" not in result.text()


def test_docx_hidden_text_by_run_character_style_and_paragraph_style() -> None:
    styles = (
        '<w:style w:type="character" w:styleId="Secret"><w:name w:val="Secret"/>'
        "<w:rPr><w:vanish/></w:rPr></w:style>"
        '<w:style w:type="paragraph" w:styleId="Draft"><w:name w:val="Draft"/>'
        "<w:rPr><w:vanish/></w:rPr></w:style>"
        '<w:style w:type="paragraph" w:styleId="DraftNote"><w:name w:val="DraftNote"/>'
        '<w:basedOn w:val="Draft"/></w:style>'
    )
    body = (
        p("送教日期：2026年3月6日", run("（草稿：3月20日）", "<w:vanish/>"))
        + p("课时：3", run("补录4课时", '<w:rStyle w:val="Secret"/>'))
        + p("2026年4月3日送教3课时", props='<w:pStyle w:val="DraftNote"/>')
        + p(
            "隐藏段落中",
            run("显示的字", '<w:vanish w:val="0"/>'),
            props='<w:pStyle w:val="Draft"/>',
        )
        + p("特殊隐藏", run("不显示", "<w:specVanish/>"))
    )
    result = _docx(body, styles=styles)
    assert _blocks(result) == ["送教日期：2026年3月6日", "课时：3", "显示的字", "特殊隐藏"]
    hidden = [u.text for u in result.unseen]
    assert hidden == [
        "（草稿：3月20日）",
        "补录4课时",
        "2026年4月3日送教3课时",
        "隐藏段落中",
        "不显示",
    ]
    assert {u.why for u in result.unseen} == {"隐藏文字"}
    assert "隐藏文字 5 处" in (result.reason or "")


WHITE = '<w:color w:val="FFFFFF"/>'


def test_docx_white_text_on_white_paper_is_not_read() -> None:
    """A visit typed in white (to keep it out of the print, or left over from a template) is
    on the page only for a program: a person neither sees nor prints it."""
    body = (
        p("2025年9月8日送教3课时", run("（2025年9月15日送教3课时）", WHITE))
        + p(run("2025年9月22日送教3课时", '<w:color w:val="ffffff" w:themeColor="background1"/>'))
        + p("课时：", run("4", '<w:color w:val="FFFFFF"/><w:sz w:val="2"/>'))
    )
    result = _docx(body)
    assert _blocks(result) == ["2025年9月8日送教3课时", "课时："]
    assert [(u.why, u.text) for u in result.unseen] == [
        ("白色文字", "（2025年9月15日送教3课时）"),
        ("白色文字", "2025年9月22日送教3课时"),
        ("白色文字", "4"),
    ]


def test_docx_white_text_on_a_coloured_ground_is_read() -> None:
    """White on a dark table header, a shaded paragraph, a highlight, a text box, or a table
    style that shades its header row: a person sees it."""
    dark_cell = '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="1F3864"/></w:tcPr>'
    header = f"<w:tc>{dark_cell}{p(run('送教日期', WHITE))}</w:tc>"
    body = (
        f"<w:tbl><w:tblPr/><w:tr>{header}</w:tr></w:tbl>"
        + p(run("段落底纹", WHITE), props='<w:shd w:val="clear" w:fill="C00000"/>')
        + p(run("突出显示", WHITE + '<w:highlight w:val="darkBlue"/>'))
        + p(run("图案底纹", WHITE + '<w:shd w:val="solid" w:color="000000" w:fill="auto"/>'))
        + p(text_box(p(run("文本框", WHITE))))
        + '<w:tbl><w:tblPr><w:tblStyle w:val="Dark"/></w:tblPr>'
        + f"<w:tr><w:tc>{p(run('表格样式', WHITE))}</w:tc></w:tr></w:tbl>"
    )
    styles = (
        '<w:style w:type="table" w:styleId="DarkBase"><w:name w:val="DarkBase"/>'
        '<w:tblStylePr w:type="firstRow"><w:tcPr><w:shd w:val="clear" w:fill="000000"/>'
        "</w:tcPr></w:tblStylePr></w:style>"
        '<w:style w:type="table" w:styleId="Dark"><w:name w:val="Dark"/>'
        '<w:basedOn w:val="DarkBase"/></w:style>'
    )
    result = _docx(body, styles=styles)
    text = result.text()
    for shown in ("送教日期", "段落底纹", "突出显示", "图案底纹", "文本框", "表格样式"):
        assert shown in text, shown
    assert result.unseen == []


def test_docx_hidden_paragraph_mark_runs_on_into_the_next_paragraph() -> None:
    body = p("2025年10月12日，", props="<w:rPr><w:vanish/></w:rPr>") + p("班主任到学生家中家访。")
    assert _blocks(_docx(body)) == ["2025年10月12日，班主任到学生家中家访。"]


def test_docx_comments_are_never_body_text() -> None:
    body = p(
        '<w:commentRangeStart w:id="0"/>',
        "2025年10月12日家访",
        '<w:commentRangeEnd w:id="0"/>',
        '<w:r><w:commentReference w:id="0"/></w:r>',
    )
    result = _docx(body, parts=[comments_part({"0": "请补充2025年11月1日的回访记录"})])
    assert result.text() == "2025年10月12日家访"


def test_docx_footnotes_and_endnotes_read_after_the_body() -> None:
    body = p(
        "覃小红已返校",
        '<w:r><w:footnoteReference w:id="1"/></w:r>',
        "，情况稳定",
        '<w:r><w:endnoteReference w:id="1"/></w:r>',
    ) + p("第二段")
    parts = [
        notes_part("footnote", {"1": "注：2025年11月20日已电话回访"}),
        notes_part("endnote", {"1": "附：劝返记录见附件"}),
    ]
    result = _docx(body, parts=parts)
    assert _blocks(result) == [
        "覃小红已返校，情况稳定",  # the reference mark is a number Word draws, not text
        "第二段",
        "注：2025年11月20日已电话回访",
        "附：劝返记录见附件",
    ]


def test_docx_fields_show_their_result_never_their_code() -> None:
    checked = (
        '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:sizeAuto/>'
        '<w:default w:val="1"/></w:checkBox></w:ffData></w:fldChar></w:r>'
        '<w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    simple = f'<w:fldSimple w:instr=" MERGEFIELD 姓名 ">{run("覃小红")}</w:fldSimple>'
    body = (
        p("学生：", simple, "，第", field("PAGE", "1"), "页")
        + p("已家访", checked)
        + p("填表日期：", field('DATE \\@ "yyyy年M月d日"', "2026年6月30日"))
        + p("见", field('HYPERLINK "http://example.org"', "附件"))
    )
    result = _docx(body)
    assert _blocks(result) == ["学生：覃小红，第1页", "已家访☑", "填表日期：", "见附件"]
    assert "MERGEFIELD" not in result.text() and "HYPERLINK" not in result.text()
    # a DATE field shows the day the file is opened: no date of the document
    assert [u.why for u in result.unseen] == ["打开时更新的日期域"]
    assert "2026年6月30日" not in result.text()


def test_docx_text_box_read_once_after_its_paragraph() -> None:
    body = p("送教上门记录", text_box(p("说明：每课时40分钟"))) + p(
        "正文", text_box(p("旧式文本框"), both=False)
    )
    assert _blocks(_docx(body)) == ["送教上门记录", "说明：每课时40分钟", "正文", "旧式文本框"]


def test_docx_content_controls_wrappers_and_placeholders() -> None:
    placeholder = (
        "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>"
        f"{run('单击或点击此处输入日期。')}</w:sdtContent></w:sdt>"
    )
    filled = f"<w:sdt><w:sdtPr/><w:sdtContent>{run('2025年10月12日')}</w:sdtContent></w:sdt>"
    smart = f'<w:smartTag w:uri="urn:x" w:element="date">{run("3月5日")}</w:smartTag>'
    custom_block = f'<w:customXml w:element="record">{p("自定义XML段落")}</w:customXml>'
    rows = table([["姓名", "日期"]]).replace(
        "</w:tbl>",
        f"<w:sdt><w:sdtPr/><w:sdtContent><w:tr><w:tc>{p('覃小红')}</w:tc><w:tc>{p('10月12日')}"
        "</w:tc></w:tr></w:sdtContent></w:sdt></w:tbl>",
    )
    body = p("日期：", placeholder) + p("家访：", filled) + p(smart) + custom_block + rows
    result = _docx(body)
    assert _blocks(result) == ["日期：", "家访：2025年10月12日", "3月5日", "自定义XML段落"]
    grid = result.items[-1]
    assert isinstance(grid, Table) and grid.rows[1] == ["覃小红", "10月12日"]


def test_docx_hyphens_symbols_and_ruby() -> None:
    body = (
        p("<w:r><w:t>2026</w:t><w:noBreakHyphen/><w:t>3</w:t><w:noBreakHyphen/><w:t>5</w:t></w:r>")
        + p("<w:r><w:t>劝返</w:t><w:softHyphen/><w:t>复学</w:t></w:r>")
        + p(
            '<w:r><w:sym w:font="Wingdings" w:char="F0FE"/><w:t>是</w:t>'
            '<w:sym w:font="Wingdings" w:char="F0A8"/><w:t>否</w:t></w:r>'
        )
        + p(
            "学生",
            "<w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>qín</w:t></w:r></w:rt>"
            "<w:rubyBase><w:r><w:t>覃</w:t></w:r></w:rubyBase></w:ruby></w:r>",
            "小红",
        )
    )
    assert _blocks(_docx(body)) == ["2026-3-5", "劝返复学", "☑是☐否", "学生覃小红"]


def test_docx_nested_table_read_in_its_cell() -> None:
    inner = table([["冯某", "镇政府"], ["黄丽", "学校"]])
    body = table([["参加人员", inner]])
    grid = _docx(body).items[0]
    assert isinstance(grid, Table)
    assert grid.rows == [["参加人员", "冯某，镇政府；黄丽，学校"]]


def test_docx_alt_chunk_read_in_place_or_kept_as_unseen() -> None:
    html = (
        "<html><body><p>劝返记录（网页导入）</p><table><tr><td>姓名</td><td>日期</td></tr>"
        "<tr><td>覃小红</td><td>2025年10月12日</td></tr></table></body></html>"
    ).encode()
    body = p("前文") + '<w:altChunk r:id="rIdX1"/>' + '<w:altChunk r:id="rIdX2"/>' + p("后文")
    parts = [
        ("word/chunk1.html", "text/html", "aFChunk", html),
        ("word/chunk2.rtf", "application/rtf", "aFChunk", b"{\\rtf1 2025}"),
    ]
    result = _docx(body, parts=parts)
    assert _blocks(result) == ["前文", "劝返记录（网页导入）", "后文"]
    grid = next(i for i in result.items if isinstance(i, Table))
    assert grid.rows == [["姓名", "日期"], ["覃小红", "2025年10月12日"]]
    assert [(u.why, u.text) for u in result.unseen] == [
        ("嵌入内容（未能读取的格式）", "chunk2.rtf")
    ]


# ----------------------------------------------------------------------- SpreadsheetML


def _sheet(data: bytes, name: str = "台账.xlsx") -> tuple[ReadResult, list[Table]]:
    result = read_bytes(name, data)
    assert result.status == "ok", result.reason
    return result, result.tables()


def test_xlsx_hidden_rows_columns_and_sheets_left_out_and_kept_as_unseen() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "请假登记"
    ws.append(["姓名", "开始", "天数", "内部备注"])
    ws.append(["谢婷婷", "2025-12-08", 3, "无"])
    ws.append(["潘宇航", "2026-03-09", 10, "草稿"])
    ws.append(["唐家乐", "2025-11-03", 2, "无"])
    ws.row_dimensions[3].hidden = True  # a draft row hidden by hand
    ws.column_dimensions["D"].hidden = True
    draft = book.create_sheet("草稿")
    draft.append(["姓名", "家访日期"])
    draft.append(["潘宇航", "2026-03-16"])
    draft.sheet_state = "hidden"
    lists = book.create_sheet("下拉选项")
    lists.append(["班主任", "德育处", "校长"])
    lists.sheet_state = "veryHidden"
    result, tables = _sheet(workbook_bytes(book))
    assert [t.sheet for t in tables] == ["请假登记"]
    assert tables[0].rows == [
        ["姓名", "开始", "天数"],
        ["谢婷婷", "2025-12-08", "3"],
        ["", "", ""],  # the hidden row: blank, the rows below keep their numbers
        ["唐家乐", "2025-11-03", "2"],
    ]
    assert [(u.why, u.sheet, u.row, u.text) for u in result.unseen] == [
        ("隐藏的行", "请假登记", 3, "潘宇航 2026-03-09 10 草稿"),
        ("隐藏的列", "请假登记", None, "D列：内部备注 无 无"),
        ("隐藏的工作表", "草稿", None, "姓名 家访日期 潘宇航 2026-03-16"),
        ("隐藏的工作表", "下拉选项", None, "班主任 德育处 校长"),
    ]
    assert "隐藏的工作表 2 处" in (result.reason or "")


def test_xlsx_white_font_on_no_fill_is_not_read_on_a_fill_it_is() -> None:
    """A clerk hides a cell by colouring its font white, or like its fill: the screen and the
    print show an empty cell. White on a dark header fill shows."""
    from openpyxl.styles import Font, PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "请假日期", "天数"])
    ws.append(["覃小红", "2025-10-09", 2])
    ws.append(["覃小红", "2025-11-03", 5])
    ws.append(["黄小明", "2025-12-01", 1])
    for cell in ws[3]:
        cell.font = Font(color="FFFFFF")
    ws["C4"].font = Font(color="FFFFFFFF")
    ws.append(["灰底灰字", "2025-12-05", 9])  # grey on the same grey: unseen too
    for cell in ws[5]:
        cell.font = Font(color="D9D9D9")
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    ws["A1"].font = Font(color="FFFFFF")
    ws["A1"].fill = PatternFill("solid", fgColor="1F3864")
    buffer = io.BytesIO()
    wb.save(buffer)
    result, (grid,) = _sheet(buffer.getvalue())
    assert grid.rows == [
        ["姓名", "请假日期", "天数"],
        ["覃小红", "2025-10-09", "2"],
        ["", "", ""],  # the row keeps its number
        ["黄小明", "2025-12-01", ""],
    ]
    assert [u.text for u in result.unseen if u.why == "白色文字"] == [
        "A3 覃小红",
        "B3 2025-11-03",
        "C3 5",
        "C4 1",
        "A5 灰底灰字",
        "B5 2025-12-05",
        "C5 9",
    ]


def test_xlsx_rows_hidden_by_a_filter_or_a_group_are_read() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["姓名", "班级", "日期"])
    ws.append(["覃小红", "7年级2班", "2025-10-12"])
    ws.append(["黄小明", "7年级1班", "2025-10-19"])
    ws.append(["李小华", "8年级1班", "2025-11-02"])
    ws.auto_filter.ref = "A1:C4"
    ws.auto_filter.add_filter_column(1, ["7年级2班"])
    ws.row_dimensions[3].hidden = True
    ws.row_dimensions[4].hidden = True
    result, tables = _sheet(workbook_bytes(book))
    assert [r[0] for r in tables[0].rows] == ["姓名", "覃小红", "黄小明", "李小华"]
    assert result.unseen == []


def test_xlsx_numbers_shown_through_their_formats() -> None:
    from datetime import date

    book = openpyxl.Workbook()
    ws = book.active
    cells = [
        (3, '0"天"'),
        (0.98, "0%"),
        (2, "0.0"),
        (1234.5, "#,##0.00"),
        (12, "000000"),
        (5, ";;;"),
        (450331201101010017, "General"),
        (date(2026, 3, 5), 'm"月"d"日"'),
        ("46086", "@"),  # a number stored as text in a text column stays that text
    ]
    ws.append([v for v, _ in cells])
    for cell, (_, code) in zip(ws[1], cells, strict=True):
        cell.number_format = code
    ws["A2"] = True
    _, tables = _sheet(workbook_bytes(book))
    assert tables[0].rows[0] == [
        "3天",
        "98%",
        "2.0",
        "1,234.50",
        "000012",
        "",  # ;;; hides the value
        "4.50331E+17",  # an 18-digit ID typed as a number: Excel shows it so
        "2026-03-05",  # dates stay ISO for the extractors
        "46086",
    ]
    assert tables[0].rows[1][0] == "TRUE"


def test_xlsx_cjk_builtin_date_format_is_a_date() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["送教日期", 46086])
    ws["B1"].number_format = 'yyyy"年"m"月"d"日"'
    data = with_builtin_format(workbook_bytes(book), 'yyyy"年"m"月"d"日"', 31)
    _, tables = _sheet(data)
    assert tables[0].rows[0] == ["送教日期", "2026-03-05"]


def test_xlsx_formulas_without_results_computed_or_kept_as_unseen() -> None:
    from datetime import date

    book = openpyxl.Workbook()  # openpyxl writes formulas without their results
    ws = book.active
    ws.append(["姓名", "开始", "结束", "天数", "说明", "核对"])
    ws.append(
        ["谢婷婷", date(2025, 12, 8), date(2025, 12, 10), "=C2-B2+1", '=A2&"请假"', "=TODAY()"]
    )
    ws.append(["潘宇航", date(2026, 3, 9), date(2026, 3, 18), '=DATEDIF(B3,C3,"d")+1', "", "=B3+1"])
    ws["F3"].number_format = "yyyy-mm-dd"
    result, tables = _sheet(workbook_bytes(book))
    assert tables[0].rows[1][3:] == ["3", "谢婷婷请假", ""]
    assert tables[0].rows[2][3:] == ["10", "", "2026-03-10"]
    assert [(u.why, u.text, u.row) for u in result.unseen] == [
        ("公式无计算结果", "F2 =TODAY()", 2)  # the day the file is opened: not computed
    ]


def test_xlsx_rich_text_phonetic_runs_comments_and_escapes() -> None:
    from openpyxl.comments import Comment

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["覃小红", "2025-10-12"])
    ws["B1"].comment = Comment("请补充11月1日回访", "李某")
    ws.append(["第一行_x000D_第二行"])
    data = with_phonetic_run(workbook_bytes(book), "覃小红", "qín")
    _, tables = _sheet(data)
    assert tables[0].rows[0] == ["覃小红", "2025-10-12"]  # no reading, no comment
    assert "第一行" in tables[0].rows[1][0] and "_x000D_" not in tables[0].rows[1][0]


def test_xls_hidden_rows_columns_sheets_merges_and_formats() -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("请假登记")
    days = xlwt.easyxf(num_format_str='0"天"')
    for r, (name, value, note) in enumerate(
        [("姓名", "天数", "备注"), ("谢婷婷", 3, "无"), ("潘宇航", 10, "草稿"), ("唐家乐", 2, "无")]
    ):
        ws.write(r, 0, name)
        if isinstance(value, int):
            ws.write(r, 1, value, days)
        else:
            ws.write(r, 1, value)
        ws.write(r, 2, note)
    ws.write_merge(4, 4, 0, 1, "合计")
    ws.row(2).hidden = True
    ws.col(2).hidden = True
    draft = book.add_sheet("草稿")
    draft.write(0, 0, "潘宇航 2026-03-16 家访")
    draft.visibility = 1
    out = io.BytesIO()
    book.save(out)
    result, tables = _sheet(out.getvalue(), "请假登记.xls")
    assert tables[0].rows == [
        ["姓名", "天数"],
        ["谢婷婷", "3天"],
        ["", ""],
        ["唐家乐", "2天"],
        ["合计", ""],
    ]
    assert [(u.why, u.row) for u in result.unseen] == [
        ("隐藏的行", 3),
        ("隐藏的列", None),
        ("隐藏的工作表", None),
    ]


def test_xls_white_font_on_no_fill_is_not_read() -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("请假登记")
    white = xlwt.easyxf("font: colour white")
    on_dark = xlwt.easyxf("font: colour white; pattern: pattern solid, fore_colour dark_blue")
    ws.write(0, 0, "姓名", on_dark)
    ws.write(0, 1, "天数", on_dark)
    ws.write(1, 0, "谢婷婷")
    ws.write(1, 1, 3)
    ws.write(2, 0, "潘宇航", white)
    ws.write(2, 1, 10, white)
    out = io.BytesIO()
    book.save(out)
    result, tables = _sheet(out.getvalue(), "请假登记.xls")
    assert tables[0].rows == [["姓名", "天数"], ["谢婷婷", "3"]]
    assert [(u.why, u.text, u.row) for u in result.unseen] == [
        ("白色文字", "A3 潘宇航", 3),
        ("白色文字", "B3 10", 3),
    ]


# ----------------------------------------------------------------------- the variant suite


def test_office_quirks_change_no_verdict(tmp_path: Path) -> None:
    """Hidden drafts, deleted records, comments, placeholders, DATE fields, text boxes,
    hidden rows and sheets, formulas without results: the verdicts stay the reviewed ones."""
    for school, seed in (("compliant", 3), ("breaches", 4)):
        files = add_quirks(files_for(SCHOOLS[school](), seed), seed)
        office = [(r, d) for r, d in files.items() if r.endswith((".docx", ".xlsx"))]
        hidden = [u.text for r, d in office for u in read_bytes(r, d).unseen]
        assert any(DRAFT in text for text in hidden)  # the quirks are there, and unseen
        root = tmp_path / f"{school}-{seed}"
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        assert differences(school, verdicts(root)) == []


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is installed by make test")
def test_print_comparison_finds_no_difference_in_what_is_read(tmp_path: Path) -> None:
    """printcheck.py on one presentation with the office quirks: every paragraph and cell the
    audit reads is on the printed page, and every word printed is read (the allowed
    differences each have their reason)."""
    report = Report()
    files = add_quirks(files_for(SCHOOLS["breaches"](), 0), 0)
    check(files, tmp_path, report, facts=False)
    assert report.files >= 20
    assert [f"{f.file}: {f.what}: {f.detail}" for f in report.findings] == []
    assert report.allowed  # placeholders and DATE fields were printed and allowed


def test_print_comparison_reports_a_hidden_record_read() -> None:
    """The comparison can fail: hidden text read as if shown is a difference."""
    native = ReadResult(items=[Block("2025年10月12日家访"), Block("2025年11月20日补充记录")])
    printed = ReadResult(items=[Block("2025年10月12日家访", page=1), Block("1", page=1)])
    report = Report()
    compare_text("记录.docx", native, printed, report)
    assert [(f.what, f.detail) for f in report.findings] == [
        ("read, not printed", "2025年11月20日补充记录")
    ]
