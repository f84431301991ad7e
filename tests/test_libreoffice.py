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

from audit.readers import read_bytes
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
    header = "序号姓名单位及职务电话签名"
    if header in ours:
        first = theirs.index(header) + len(header)
        theirs = theirs[:first] + theirs[first:].replace(header, "")
    assert theirs == ours
    resaved = soffice_convert(docx, "docx:MS Word 2007 XML", tmp_path)
    assert read_identity(resaved) == read_identity(files["docx"])


@pytest.mark.parametrize(
    ("form_id", "pid"),
    [
        ("home_teaching_record", "liupu-2026"),  # label | value form with cells merged across
        ("home_visit_record", "jiaotan-2025"),  # participants merged down, long cell text
        ("meeting_minutes", "xiuyan-2024"),  # cells of several paragraphs
        ("home_teaching_tally", "jiaotan-2025"),  # record table with a repeated header row
    ],
)
def test_a_word_97_doc_reads_like_the_docx_it_was_saved_from(
    sample: Callable[[str, str], dict[str, Any]], tmp_path: Path, form_id: str, pid: str
) -> None:
    """Schools still save .doc: LibreOffice writes a genuine Word 97 file from our DOCX, and
    the audit reads it with the same paragraphs and the same table grid."""
    files, docx = render_sample(sample, form_id, pid, tmp_path)
    doc = soffice_convert(docx, "doc:MS Word 97", tmp_path)
    assert doc.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    from_doc = read_bytes(f"{form_id}.doc", doc.read_bytes())
    from_docx = read_bytes(f"{form_id}.docx", files["docx"])
    assert from_doc.status == "ok", from_doc.reason
    assert [t.rows for t in from_doc.tables()] == [t.rows for t in from_docx.tables()]
    assert from_doc.text() == from_docx.text()
    # the same file under WPS's name (WPS saves .wps in the Word 97 format)
    assert read_bytes(f"{form_id}.wps", doc.read_bytes()).text() == from_docx.text()


def test_word_exports_that_are_rtf_or_html_and_broken_docs() -> None:
    html = (
        '<html><head><meta charset="utf-8"></head><body><h1>送教上门记录表</h1>'
        "<table><tr><td>学生姓名</td><td>覃小雨</td></tr>"
        "<tr><td>送教日期</td><td>2025年10月15日</td></tr></table></body></html>"
    ).encode()
    web = read_bytes("导出.doc", html)
    assert web.status == "ok"
    assert [t.rows for t in web.tables()] == [
        [["学生姓名", "覃小雨"], ["送教日期", "2025年10月15日"]]
    ]
    rtf = (
        rb"{\rtf1\ansi {\fonttbl{\f0 SimSun;}}\f0 \u36865?\u25945?\u35760?\u24405?\par "
        rb"2025\u24180?10\u26376?15\u26085?\par}"
    )
    assert read_bytes("记录.doc", rtf).text() == "送教记录\n2025年10月15日"
    broken = read_bytes("方案.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    assert broken.status == "error"
    assert broken.reason == "旧版 Office 格式（.doc），请另存为 docx（文件已损坏或加密，无法转换）"


def test_a_package_of_doc_files_gives_the_facts_of_its_docx(tmp_path: Path) -> None:
    """The meeting papers and the home-teaching folder of the compliant package saved as .doc:
    the audit reads the same meetings, students, sessions … from them."""
    from fixtures.packages.build import PERIOD, package_path

    from audit.ingest import read_package

    source = package_path("compliant")
    package = tmp_path / "compliant-doc"
    shutil.copytree(source, package)
    # Not the sign-in sheets: LibreOffice does not read back as a table the .doc table it
    # writes from their python-docx table (auto width) — antiword does see it. Real .doc files
    # come from Word or WPS; see docs/evidence-packages.md § Accepted files.
    chosen = [
        *(p for p in sorted(package.glob("一、部署/*/*.docx")) if "签到" not in p.name),
        *sorted(package.glob("四、送教上门/*/*.docx")),
    ]
    assert len(chosen) == 8
    out = tmp_path / "converted"
    subprocess.run(
        [str(SOFFICE), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "doc:MS Word 97", "--outdir", str(out), *map(str, chosen)],
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    for docx in chosen:
        shutil.move(out / f"{docx.stem}.doc", docx.with_suffix(".doc"))
        docx.unlink()
    original, saved_as_doc = (read_package(p, period=PERIOD) for p in (source, package))
    assert {f.path for f in saved_as_doc.files if f.path.endswith(".doc")} == {
        str(d.relative_to(package).with_suffix(".doc")) for d in chosen
    }
    assert [(f.status, f.kind) for f in saved_as_doc.files] == [
        (f.status, f.kind) for f in original.files
    ]
    for name in ("documents", "meetings", "headcounts", "students", "attendance", "leaves",
                 "visits", "sessions"):  # fmt: skip
        facts = [
            [fact.model_dump(exclude={"prov"}) for fact in getattr(result, name)]
            for result in (original, saved_as_doc)
        ]
        assert facts[0] == facts[1], name
