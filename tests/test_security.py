"""Rendering is safe: values are escaped, WeasyPrint fetches only our own assets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import pdf_text, squash
from forms.fonts import font_files
from forms.paths import ASSETS_DIR
from forms.profiles import get_profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record
from forms.render.html import DocumentHtml, page_html
from forms.render.pdf import RefusedFetch, SafeFetcher, html_to_pdf

KIND = get_form("return_notice")
HOSTILE = ['<img src="file:///etc/passwd">', '<link href="http://example.com/x.css">']


@pytest.mark.parametrize("payload", HOSTILE)
def test_markup_in_a_field_renders_as_text(
    sample: Callable[[str, str], dict[str, Any]], payload: str
) -> None:
    data = sample("return_notice", "liupu-2026")
    data["school"]["address"] = payload
    data["school"]["contact"] = payload
    record = validate_record(KIND, data)
    files = render_record(KIND, record, get_profile("liupu-2026"), ("html", "pdf", "docx"))
    html = files["html"].decode()
    assert payload not in html
    assert "&lt;" in html
    assert squash(payload) in squash(pdf_text(files["pdf"]))


def test_fetcher_refuses_everything_outside_the_project() -> None:
    fetcher = SafeFetcher()
    for url in (
        "file:///etc/passwd",
        "http://example.com/x.css",
        "https://example.com/a.png",
        "ftp://example.com/a",
        f"file://{ASSETS_DIR}/../../pyproject.toml",
    ):
        with pytest.raises(RefusedFetch):
            fetcher(url)
    assert len(fetcher.refused) == 5


def test_fetcher_serves_our_fonts_and_data_uris() -> None:
    fetcher = SafeFetcher()
    font = next(iter(font_files()))
    assert fetcher(font.as_uri()).read(4) in (b"OTTO", b"\x00\x01\x00\x00")
    assert fetcher("data:text/plain,hi").read() == b"hi"
    assert fetcher.refused == []


def test_a_template_cannot_make_weasyprint_read_local_files() -> None:
    """Even markup that reaches the page unescaped (a template bug) loads nothing."""
    body = '<p>正文</p><img src="file:///etc/passwd"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
    fetcher = SafeFetcher()
    pdf = html_to_pdf(page_html([DocumentHtml("t", "t", "", "", body)]), fetcher)
    assert pdf.startswith(b"%PDF")
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://127.0.0.1:9/x.css" in fetcher.refused
