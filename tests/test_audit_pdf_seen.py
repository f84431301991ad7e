"""Text a PDF viewer does not show is not read; text it shows in an unusual way still is
(issue 20 §3: read what a person sees — audit/readers/pdf_seen.py)."""

from __future__ import annotations

import pytest
from fixtures.packages.unseen import EXTRA, SEEN, SHOWN, UNSEEN, draw

from audit.readers.pdf import read_pdf


def _text(construct: str) -> str:
    result = read_pdf(draw(construct))
    assert result.status == "ok", result.reason
    return "\n".join(item.text for item in result.items)


@pytest.mark.parametrize("construct", UNSEEN)
def test_a_visit_a_person_cannot_see_is_not_read(construct: str) -> None:
    text = _text(construct)
    assert "9月15日" not in text
    assert SHOWN[0] in text
    assert "2025年9月8日" in text  # the visible visit is read all the same
    result = read_pdf(draw(construct))  # and what was left is said, with its page
    assert [(u.text, u.page) for u in result.unseen] == [(EXTRA, 1)]
    assert "未读取不显示、不打印的内容" in (result.reason or "")


@pytest.mark.parametrize("construct", SEEN)
def test_a_visit_a_person_sees_is_read(construct: str) -> None:
    text = _text(construct)
    assert "2025年9月15日" in text, text
    assert "2025年9月8日" in text


def test_an_ocr_layer_over_a_scan_is_its_words() -> None:
    """Render mode 3 is what OCR puts over a scanned picture: read, and the page is not sent
    to OCR again as a page without text."""
    result = read_pdf(draw("ocr-layer"))
    assert any(EXTRA.split()[0] in item.text for item in result.items)
    assert result.scanned_pages == []
