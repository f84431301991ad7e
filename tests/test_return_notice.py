"""The return notice end to end: every field in the PDF, DOCX text == PDF text."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pdfplumber
import pytest
from docx import Document
from docx.shared import Mm

from conftest import docx_text, pdf_text, squash
from forms.profiles import get_profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record

KIND = get_form("return_notice")


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[Any, dict[str, bytes]]]:
    import yaml

    from forms.samples import sample_path

    out = {}
    for pid in ("liupu-2026", "xiuyan-2024"):
        path = sample_path("return_notice", pid)
        assert path is not None
        record = validate_record(KIND, yaml.safe_load(path.read_text(encoding="utf-8")))
        out[pid] = (record, render_record(KIND, record, get_profile(pid)))
    return out


@pytest.mark.parametrize("pid", ["liupu-2026", "xiuyan-2024"])
def test_pdf_holds_every_field(rendered: dict[str, Any], pid: str) -> None:
    record, files = rendered[pid]
    text = squash(pdf_text(files["pdf"]))
    s = record.student
    for value in (
        record.number,
        s.name,
        s.id_number,
        s.gender,
        s.grade,
        s.class_name,
        record.guardian.name,
        record.guardian.relation,
        record.school.name,
        record.school.contact,
        record.school.phone,
        "2026年3月2日",
    ):
        assert squash(value) in text, value
    assert (
        "回执" in text
        and "（盖章）" in text
        and "校长（签字）" in text
        and "监护人（签字）" in text
    )


def test_liupu_wording_and_deadline(rendered: dict[str, Any]) -> None:
    text = squash(pdf_text(rendered["liupu-2026"][1]["pdf"]))
    assert "劝返复学通知书" in text
    assert "于2026年3月20日前送韦堃到校复学" in text  # issued 3月13日 + 7 days
    assert "书面报告修仁镇人民政府和荔浦市教育局" in text
    assert "2026年3月13日" in text


def test_xiuyan_wording(rendered: dict[str, Any]) -> None:
    text = squash(pdf_text(rendered["xiuyan-2024"][1]["pdf"]))
    assert "义务教育劝学通知书" in text
    assert "一周内仍不送学生复学" in text and "《义务教育辍学报告书》报告岫岩镇人民政府" in text
    assert "于2026年3月23日前" in text


@pytest.mark.parametrize("pid", ["liupu-2026", "xiuyan-2024"])
def test_docx_text_equals_pdf_text(rendered: dict[str, Any], pid: str) -> None:
    files = rendered[pid][1]
    assert squash(docx_text(files["docx"])) == squash(pdf_text(files["pdf"]))


@pytest.mark.parametrize("pid", ["liupu-2026", "xiuyan-2024"])
def test_sample_notice_with_receipt_fits_one_sheet(rendered: dict[str, Any], pid: str) -> None:
    with pdfplumber.open(io.BytesIO(rendered[pid][1]["pdf"])) as pdf:
        assert len(pdf.pages) == 1


def test_docx_page_setup_and_named_fonts(rendered: dict[str, Any]) -> None:
    doc = Document(io.BytesIO(rendered["liupu-2026"][1]["docx"]))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5)
    assert abs(section.page_height - Mm(297)) < Mm(0.5)
    assert abs(section.top_margin - Mm(37)) < Mm(0.5)
    assert abs(section.left_margin - Mm(28)) < Mm(0.5)
    assert abs(section.right_margin - Mm(26)) < Mm(0.5)
    title = next(p for p in doc.paragraphs if p.text == "劝返复学通知书")
    assert title.runs[0].font.size.pt == 22
    assert title.runs[0].font.name == "宋体"
    body = next(p for p in doc.paragraphs if p.text.startswith("你（们）的子女"))
    assert body.runs[0].font.size.pt == 16
    assert body.runs[0].font.name == "仿宋"
    assert body.paragraph_format.first_line_indent.pt == pytest.approx(31.59, abs=0.1)
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "— " in footer_xml


def test_explicit_deadline_is_used(sample: Callable[[str, str], dict[str, Any]]) -> None:
    data = sample("return_notice", "liupu-2026")
    data["deadline"] = "2026年3月27日"
    record = validate_record(KIND, data)
    files = render_record(KIND, record, get_profile("liupu-2026"), ("pdf",))
    assert "于2026年3月27日前" in squash(pdf_text(files["pdf"]))
    assert record.deadline == date(2026, 3, 27)
