"""The DOCX opens in LibreOffice (Debian libreoffice-writer-nogui) and keeps its text."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import pdf_text, squash
from forms.profiles import get_profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.libreoffice


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is installed by make test")
@pytest.mark.parametrize("pid", ["liupu-2026", "xiuyan-2024"])
def test_libreoffice_converts_the_docx_and_the_text_matches(
    sample: Callable[[str, str], dict[str, Any]], tmp_path: Path, pid: str
) -> None:
    kind = get_form("return_notice")
    record = validate_record(kind, sample("return_notice", pid))
    files = render_record(kind, record, get_profile(pid), ("pdf", "docx"))
    docx = tmp_path / "notice.docx"
    docx.write_bytes(files["docx"])
    result = subprocess.run(
        [
            str(SOFFICE),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "out"),
            str(docx),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    converted = tmp_path / "out" / "notice.pdf"
    assert result.returncode == 0 and converted.is_file(), result.stderr
    assert "Error" not in result.stderr
    assert squash(pdf_text(converted.read_bytes())) == squash(pdf_text(files["pdf"]))
