"""Readers per format: PDF (text, scanned, encrypted, corrupt), DOCX (order, merged cells,
headers ignored), XLSX (sheets, merges, dates), XLS, CSV encodings, images (EXIF)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fixtures import rosters
from fixtures.packages.docs import (
    Grid,
    corrupt,
    csv_bytes,
    docx,
    encrypted_pdf,
    jpeg,
    pdf,
    scanned_pdf,
)

from audit.readers import read_bytes
from audit.readers.model import Block, Table


def test_pdf_text_per_page_and_tables_on_demand() -> None:
    data = pdf(
        "送教上门记录表", [[["送教日期", "课时数"], ["2026年3月5日", "3"]], "<分页>", "第二页内容"]
    )
    result = read_bytes("记录.pdf", data)
    assert result.status == "ok" and result.pages == 2
    blocks = [b for b in result.items if isinstance(b, Block)]
    assert blocks[0].text == "送教上门记录表" and blocks[0].page == 1
    assert any(b.page == 2 and "第二页内容" in b.text for b in blocks)
    tables = result.tables()
    assert tables[0].rows[:2] == [["送教日期", "课时数"], ["2026年3月5日", "3"]]
    assert tables[0].page == 1


def test_scanned_pdf_lists_pages() -> None:
    result = read_bytes("签到表扫描件.pdf", scanned_pdf(3))
    assert result.status == "scanned" and result.scanned_pages == [1, 2, 3]
    assert "扫描" in (result.reason or "")


def test_partly_scanned_pdf_keeps_status_ok_and_names_pages() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for source in (pdf("会议记录", ["会议时间：2025年9月5日"]), scanned_pdf(1)):
        for page in PdfReader(io.BytesIO(source)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    result = read_bytes("会议记录.pdf", out.getvalue())
    assert result.status == "ok" and result.scanned_pages == [2]
    assert "第 2 页" in (result.reason or "")


def test_encrypted_and_corrupt_pdf_are_errors() -> None:
    source = pdf("台账", ["内容"])
    locked = read_bytes("台账.pdf", encrypted_pdf(source))
    assert locked.status == "error" and "PDF 已加密" in (locked.reason or "")
    broken = read_bytes("台账.pdf", b"%PDF-1.7\n" + b"garbage" * 50)
    assert broken.status == "error" and "损坏" in (broken.reason or "")


def test_docx_order_merged_cells_once_and_header_ignored() -> None:
    grid = Grid(
        [
            ["学生姓名", "张三", "", ""],
            ["家访时间", "2025年10月12日", "参加人员", "班主任李某"],
            ["备注", "", "", ""],
        ],
        merges=[(0, 1, 1, 3), (2, 0, 1, 1)],
    )
    data = docx(["家访记录表", grid, "填表人：李某"], header="机密文件页眉")
    result = read_bytes("家访记录.docx", data)
    assert [type(i).__name__ for i in result.items] == ["Block", "Table", "Block"]
    table = result.items[1]
    assert isinstance(table, Table)
    assert table.rows[0] == ["学生姓名", "张三", "", ""]  # merged text once, grid kept
    assert "机密文件页眉" not in result.text()


def test_docx_vertical_merge_repeats_downwards() -> None:
    grid = Grid([["姓名", "日期"], ["张三", "3月5日"], ["", "3月19日"]], merges=[(1, 0, 2, 1)])
    result = read_bytes("记录.docx", docx([grid]))
    table = result.items[0]
    assert isinstance(table, Table)
    assert [r[0] for r in table.rows] == ["姓名", "张三", "张三"]


def test_corrupt_docx_is_error() -> None:
    result = read_bytes("记录.docx", corrupt(docx(["家访记录"])))
    assert result.status == "error" and "DOCX" in (result.reason or "")


def test_xlsx_every_sheet_dates_merges_and_row_numbers() -> None:
    from datetime import date

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "九月"
    ws.append(["送教记录表"])
    ws.merge_cells("A1:C1")
    ws.append(["姓名", "送教日期", "课时"])
    ws.append(["张三", date(2025, 9, 8), 3])
    ws.append([None, date(2025, 9, 22), 3])
    ws.merge_cells("A3:A4")
    other = wb.create_sheet("十月")
    other.append(["姓名", "送教日期"])
    other.append(["张三", 45940])  # an Excel serial typed as a number
    out = io.BytesIO()
    wb.save(out)
    result = read_bytes("送教.xlsx", out.getvalue())
    tables = result.tables()
    assert [t.sheet for t in tables] == ["九月", "十月"]
    assert tables[0].rows[2] == ["张三", "2025-09-08", "3"]
    assert tables[0].rows[3][0] == "张三"  # vertical merge repeated
    assert tables[0].rows[0] == ["送教记录表", "", ""]
    assert tables[1].rows[1] == ["张三", "45940"]


def test_csv_encodings() -> None:
    rows = [["姓名", "班级"], ["张三", "七年级1班"]]
    for encoding in ("utf-8", "utf-8-sig", "gbk"):
        result = read_bytes("名单.csv", csv_bytes(rows, encoding))
        assert result.tables()[0].rows == rows, encoding


def test_legacy_and_unknown_formats() -> None:
    doc = read_bytes("方案.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    assert doc.status == "error" and "旧版 Office 格式" in (doc.reason or "")
    xls = read_bytes("名单.xls", b"not an xls")
    assert xls.status == "error"
    other = read_bytes("视频.mp4", b"\x00" * 10)
    assert other.status == "skipped" and ".mp4" in (other.reason or "")


@pytest.mark.parametrize(
    "build",
    [rosters.legacy_xls, rosters.html_xls, rosters.spreadsheetml_xls, rosters.tsv_xls],
    ids=["biff8", "html-export", "xml-2003", "tab-separated"],
)
def test_xls_ledgers_are_read_by_their_content(tmp_path: Path, build: Any) -> None:
    path = tmp_path / "名单.xls"
    names = build(path, 3)
    result = read_bytes("名单.xls", path.read_bytes())
    assert result.status == "ok", result.reason
    text = "\n".join("\t".join(row) for table in result.tables() for row in table.rows)
    for i, name in enumerate(names):
        person = rosters.person(i)
        assert name in text and person["id"] in text and person["birth"].isoformat() in text


def test_doc_without_libreoffice_asks_for_a_docx(monkeypatch: pytest.MonkeyPatch) -> None:
    import audit.readers.soffice as soffice

    monkeypatch.setattr(soffice.shutil, "which", lambda name: None)
    doc = read_bytes("方案.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    assert (doc.status, doc.reason) == ("error", "旧版 Office 格式（.doc），请另存为 docx")
    wps = read_bytes("方案.wps", b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    assert (wps.status, wps.reason) == ("error", "WPS 文字格式（.wps），请另存为 docx")
    renamed = read_bytes("方案.doc", docx(["控辍保学工作方案"]))  # a .docx: no converter needed
    assert (renamed.status, renamed.text()) == ("ok", "控辍保学工作方案")


def test_photo_exif_date_and_broken_image() -> None:
    from datetime import date

    assert read_bytes("IMG_0001.jpg", jpeg("2025:09:05 15:20:00")).photo_date == date(2025, 9, 5)
    assert read_bytes("IMG_0002.jpg", jpeg(None)).photo_date is None
    assert read_bytes("坏图.jpg", b"\xff\xd8 not really").status == "error"


def test_pdf_table_merged_cells_rebuilt_from_rules() -> None:
    grid = Grid(
        [
            ["送教上门记录表", "", ""],
            ["学生姓名", "送教日期", "课时数"],
            ["张三", "2026年3月5日", "3"],
            ["", "2026年3月19日", "三课时"],
        ],
        merges=[(0, 0, 1, 3), (2, 0, 2, 1)],
    )
    result = read_bytes("记录.pdf", pdf("", ["前言一行", grid, "填表人：李老师"]))
    table = result.tables()[0]
    assert table.page == 1
    assert table.rows == [
        ["送教上门记录表", "", ""],
        ["学生姓名", "送教日期", "课时数"],
        ["张三", "2026年3月5日", "3"],
        ["张三", "2026年3月19日", "三课时"],
    ]
    assert result.load_tables is None  # pdfium found the table: pdfplumber not needed


def test_pdfplumber_fallback_reads_ruled_tables() -> None:
    from audit.readers.pdf import pdf_tables

    data = pdf("", [[["姓名", "日期"], ["张三", "2026年3月5日"]]])
    tables = pdf_tables(data, [1])
    assert tables[0].rows == [["姓名", "日期"], ["张三", "2026年3月5日"]]
    assert pdf_tables(b"%PDF-broken", [1]) == []


def test_macro_enabled_docm_is_read_as_a_docx() -> None:
    """A .docm (a Word document with macros, as some templates are saved) was always an error:
    its main part's content type is macro-enabled. Its text is read; macros never are."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(docx(["家访记录", "2025年10月9日到学生家中家访"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            target.writestr(info, data)
    result = read_bytes("家访记录.docm", out.getvalue())
    assert result.status == "ok"
    assert [b.text for b in result.items] == ["家访记录", "2025年10月9日到学生家中家访"]
