"""The DOCX opens in LibreOffice (Debian libreoffice-writer-nogui) and keeps its text."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
import zxingcpp

from conftest import pdf_text, squash
from forms.identity import parse_qr_payload, read_identity
from forms.profiles import get_profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is installed by make test"),
]


def soffice_convert(source: Path, target: str, tmp_path: Path) -> Path:
    """Convert with LibreOffice; `target` is a filter such as "pdf" or "docx:MS Word 2007 XML"."""
    out_dir = tmp_path / f"out-{target.split(':')[0]}"
    result = subprocess.run(
        [
            str(SOFFICE),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    converted = out_dir / f"{source.stem}.{target.split(':')[0]}"
    assert result.returncode == 0 and converted.is_file(), result.stderr
    assert "Error" not in result.stderr
    return converted


def render_sample(
    sample: Callable[[str, str], dict[str, Any]], form_id: str, pid: str, tmp_path: Path
) -> tuple[dict[str, bytes], Path]:
    kind = get_form(form_id)
    record = validate_record(kind, sample(form_id, pid))
    files = render_record(kind, record, get_profile(pid), ("pdf", "docx"))
    docx = tmp_path / f"{form_id}.docx"
    docx.write_bytes(files["docx"])
    return files, docx


@pytest.mark.parametrize("pid", ["liupu-2026", "xiuyan-2024"])
def test_libreoffice_converts_the_docx_and_the_text_matches(
    sample: Callable[[str, str], dict[str, Any]], tmp_path: Path, pid: str
) -> None:
    files, docx = render_sample(sample, "return_notice", pid, tmp_path)
    converted = soffice_convert(docx, "pdf", tmp_path)
    assert squash(pdf_text(converted.read_bytes())) == squash(pdf_text(files["pdf"]))


def test_libreoffice_keeps_the_identity_and_shows_the_qr_code(
    sample: Callable[[str, str], dict[str, Any]], tmp_path: Path
) -> None:
    files, docx = render_sample(sample, "return_notice", "liupu-2026", tmp_path)
    identity = read_identity(files["docx"])
    assert identity is not None
    # saved again by LibreOffice (what a clerk does after editing): custom properties stay
    resaved = soffice_convert(docx, "docx:MS Word 2007 XML", tmp_path)
    assert read_identity(resaved) == identity
    # and the floating QR code prints on LibreOffice's page too
    pdf = soffice_convert(docx, "pdf", tmp_path)
    image = pypdfium2.PdfDocument(pdf.read_bytes())[0].render(scale=200 / 72).to_pil()
    codes = [parse_qr_payload(r.text) for r in zxingcpp.read_barcodes(image)]
    assert codes == [
        {"record_sha256": identity["record_sha256"], "document_number": identity["document_number"]}
    ]


@pytest.mark.parametrize(
    ("form_id", "pid"),
    [
        ("leave_approval", "liupu-2026"),  # form table with paragraphs inside cells
        ("home_teaching_tally", "jiaotan-2025"),  # 14-row table, fixed column widths
        ("responsibility_letter", "jiaotan-2025"),  # headings, two pages, borderless sign table
        ("sign_in_sheet", "xiuyan-2024"),  # repeated header row, row heights
    ],
)
def test_libreoffice_opens_the_forms_and_keeps_their_text(
    sample: Callable[[str, str], dict[str, Any]], tmp_path: Path, form_id: str, pid: str
) -> None:
    files, docx = render_sample(sample, form_id, pid, tmp_path)
    converted = soffice_convert(docx, "pdf", tmp_path)
    ours, theirs = squash(pdf_text(files["pdf"])), squash(pdf_text(converted.read_bytes()))
    # LibreOffice substitutes its own fonts for 仿宋/宋体, so its pages may break elsewhere; a
    # table's header row then repeats on its next page (w:tblHeader). Same text otherwise.
    header = "序号姓名单位及职务签名"
    if header in ours:
        first = theirs.index(header) + len(header)
        theirs = theirs[:first] + theirs[first:].replace(header, "")
    assert theirs == ours
    resaved = soffice_convert(docx, "docx:MS Word 2007 XML", tmp_path)
    assert read_identity(resaved) == read_identity(files["docx"])
