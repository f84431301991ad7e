"""Photos of paper pasted into a Word document (issue 20 §3: read what a person sees).

A teacher photographs the signed 送教上门记录表 and pastes the photos into a .docx under a
title. The Word text was the title alone: no visit read, nothing unread counted — 4.4 failed
a school whose records were all there. Named after that misreading.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx as python_docx
import pytest
from docx.shared import Cm
from fixtures.packages import school
from fixtures.packages.docs import jpeg, pdf, photo_of

from audit.readers import read_bytes
from audit.rules import Period
from audit.run import read_facts, run_audit

PERIOD = Period(date(2025, 9, 1), date(2026, 7, 15))
DAYS = (date(2025, 10, 8), date(2025, 10, 22))


@pytest.fixture(scope="module")
def form_photos() -> list[bytes]:
    photos = []
    for day in DAYS:
        record = pdf(
            "送教上门记录表",
            [
                [
                    ["学校", "荔浦市东昌镇中学", "年级", "七年级"],
                    ["学生姓名", "李小华", "送教日期", f"{day.year}年{day.month}月{day.day}日"],
                    ["性别", "女", "残疾类别", "肢体残疾"],
                    ["送教时间", "9:00-11:00", "课时数", "3课时"],
                    ["送教教师", "李春梅、王海", "送教地点", "学生家中"],
                    ["送教内容", "生活语文：认识常用汉字", "家长签字", "李建国"],
                    ["家长意见", "满意", "备注", "无"],
                ]
            ],
        )
        photos.append(photo_of(record, angle=1.5))
    return photos


def _word(pictures: list[bytes]) -> bytes:
    document = python_docx.Document()
    document.add_heading("李小华送教上门记录（纸质记录照片）", level=1)
    for picture in pictures:
        document.add_picture(io.BytesIO(picture), width=Cm(15))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _package(root: Path, word: bytes) -> Path:
    files = school.disabled_roster([("李小华", "女", "肢体残疾")])
    files |= school.home_teaching_roster([("李小华", date(2025, 9, 1))])
    files["四、送教上门/李小华/送教上门记录.docx"] = word
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def test_photos_of_paper_in_a_word_document_are_read_as_its_pages(
    tmp_path: Path, form_photos: list[bytes]
) -> None:
    """Each pasted photo of a form is read by OCR as page k of the document: both visits."""
    word = _word([jpeg(None, (120, 160, 200)), *form_photos])  # a blue picture first: no paper
    result = read_bytes("送教上门记录.docx", word)
    assert result.ocr_count == 2 and sorted(result.ocr_pages) == [2, 3]
    facts = read_facts(_package(tmp_path, word), PERIOD)
    read = sorted((s.date, s.prov.page) for s in facts.sessions if s.student == "李小华")
    assert read == [(DAYS[0], 2), (DAYS[1], 3)]
    assert all(s.prov.ocr_engine for s in facts.sessions)


def test_a_picture_of_paper_left_unread_is_for_a_person_not_a_fail(
    tmp_path: Path, form_photos: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without OCR the photos are pages a person must look at: the student's visits are not
    judged 0 — 4.4 waits for that person and names the document."""
    monkeypatch.setenv("BAOXUE_OCR", "0")
    result = run_audit(
        _package(tmp_path, _word(form_photos)), "liupu-supervision-2024", period=PERIOD
    )
    item = next(i for i in result.items if i.id == "4.4")
    assert item.status == "not_reviewed", (item.status, item.detail)
    assert any(r.file.endswith("送教上门记录.docx") and r.pages == [1, 2] for r in item.to_review)


def test_a_meeting_photo_in_a_word_document_is_not_put_through_the_engine() -> None:
    result = read_bytes("会议记录.docx", _word([jpeg(None, (120, 160, 200))]))
    assert result.ocr_count == 0 and not result.scanned_pages and not result.ocr_pages


def _exported(pictures: list[bytes]) -> bytes:
    """The Word document as exported to PDF: a page each, the title as text over the photo."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for picture in pictures:
        c.setFont("STSong-Light", 16)
        c.drawString(72, A4[1] - 72, "李小华送教上门记录（纸质记录照片）")
        c.drawImage(
            ImageReader(io.BytesIO(picture)), 60, 120, width=A4[0] - 120, height=A4[1] - 240
        )
        c.showPage()
    c.save()
    return out.getvalue()


def test_a_pdf_page_of_a_caption_and_a_photo_of_paper_is_read_by_ocr_too(
    tmp_path: Path, form_photos: list[bytes]
) -> None:
    """The same document exported to PDF: each page has a text layer — the title — so it was
    not a scan, and the photo under it was never read."""
    data = _exported(form_photos)
    result = read_bytes("送教上门记录.pdf", data)
    assert sorted(result.ocr_pages) == [1, 2] and result.status == "ok"
    root = _package(tmp_path, b"")
    (root / "四、送教上门/李小华/送教上门记录.docx").unlink()
    (root / "四、送教上门/李小华/送教上门记录.pdf").write_bytes(data)
    facts = read_facts(root, PERIOD)
    assert sorted(s.date for s in facts.sessions if s.student == "李小华") == list(DAYS)


def test_a_pdf_page_of_a_caption_and_a_meeting_photo_is_not_put_through_the_engine() -> None:
    result = read_bytes("会议照片.pdf", _exported([jpeg(None, (120, 160, 200))]))
    assert result.ocr_count == 0 and not result.scanned_pages
