"""GB/T 9704 geometry, read back from the PDF with pdfplumber (±1 mm)."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

import pdfplumber
import pytest

from forms.layout import GBT9704 as L
from forms.render.html import DocumentHtml, page_html
from forms.render.pdf import html_to_pdf

MM = 25.4 / 72
TEXT = "控辍保学是推进教育公平巩固脱贫攻坚成果同乡村振兴有效衔接的关键举措" * 60


@pytest.fixture(scope="module")
def long_document() -> Any:
    body = '<h1 class="title">关于做好控辍保学工作的通知</h1>' + "".join(
        f"<p>{TEXT[i * 400 : (i + 1) * 400]}</p>" for i in range(6)
    )
    pdf = html_to_pdf(page_html([DocumentHtml("test", "测试", "", "", body)]))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        yield [(p.width, p.height, list(p.chars)) for p in doc.pages]


def _lines(chars: list[dict[str, Any]], size: float = 16) -> list[list[dict[str, Any]]]:
    rows: dict[float, list[dict[str, Any]]] = defaultdict(list)
    for c in chars:
        if abs(c["size"] - size) < 0.1:
            rows[round(c["top"], 1)].append(c)
    return [rows[k] for k in sorted(rows)]


def test_a4(long_document: Any) -> None:
    width, height, _ = long_document[0]
    assert width * MM == pytest.approx(210, abs=1)
    assert height * MM == pytest.approx(297, abs=1)


def test_full_body_page_has_22_lines_of_28_characters(long_document: Any) -> None:
    _, _, chars = long_document[1]  # page 2: nothing but body text
    lines = _lines(chars)
    assert len(lines) == 22
    full = [line for line in lines if len(line) == 28]
    assert len(full) >= 18  # paragraph ends and indents make the others shorter
    assert max(len(line) for line in lines) == 28


def test_type_area_156_by_225_from_37_top_28_left(long_document: Any) -> None:
    _, _, chars = long_document[1]
    lines = _lines(chars)
    left = min(c["x0"] for line in lines for c in line) * MM
    right = max(c["x1"] for line in lines for c in line) * MM
    assert left == pytest.approx(L.left_mm, abs=1)
    assert right - left == pytest.approx(156, abs=1)
    # A line box is one grid pitch tall with the 16 pt glyph centred in it.
    half_leading_mm = (L.line_pitch_pt - 16) / 2 * MM
    first_box_top = lines[0][0]["top"] * MM - half_leading_mm
    last_box_bottom = lines[-1][0]["bottom"] * MM + half_leading_mm
    assert first_box_top == pytest.approx(37, abs=1)
    assert last_box_bottom - first_box_top == pytest.approx(225, abs=1)


def test_body_is_16pt_fangsong_and_title_22pt(long_document: Any) -> None:
    _, _, first = long_document[0]
    title = [c for c in first if c["text"] in "关于做好控辍保学工作的通知" and c["size"] > 20]
    assert title and all(c["size"] == pytest.approx(22, abs=0.1) for c in title)
    assert "bx-song" in title[0]["fontname"]
    body = _lines(long_document[1][2])
    assert all("bx-fang" in c["fontname"] for line in body for c in line)


def test_page_numbers_in_dash_form_outer_side(long_document: Any) -> None:
    for index, (_, _, chars) in enumerate(long_document, start=1):
        numbers = [c for c in chars if abs(c["size"] - 14) < 0.1]
        text = "".join(c["text"] for c in numbers).replace(" ", "")
        assert text == f"—{index}—"
        top = min(c["top"] for c in numbers) * MM
        assert top > L.top_mm + L.area_height_mm  # below the type area
        x = min(c["x0"] for c in numbers) * MM
        if index % 2:  # odd pages right, even pages left (GB/T 9704 7.5)
            assert x > 150
        else:
            assert x < 60
