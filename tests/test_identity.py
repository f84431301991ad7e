"""Every generated document identifies itself: metadata in PDF and DOCX, a QR code on paper."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pdfplumber
import pypdfium2
import pytest
import zxingcpp
from docx import Document

from conftest import docx_text, pdf_text, squash
from forms.identity import KEYS, parse_qr_payload, qr_payload, read_identity
from forms.layout import GBT9704
from forms.profiles import get_profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record
from forms.render.html import record_sha256, template_sha256
from forms.render.pdf import html_to_pdf

KIND = get_form("return_notice")
MM = 72 / 25.4


@pytest.fixture(scope="module")
def made(sample_module: Callable[[str, str], dict[str, Any]]) -> tuple[Any, dict[str, bytes]]:
    record = validate_record(KIND, sample_module("return_notice", "liupu-2026"))
    return record, render_record(KIND, record, get_profile("liupu-2026"), ("pdf", "docx"))


@pytest.fixture(scope="module")
def sample_module() -> Callable[[str, str], dict[str, Any]]:
    import yaml

    from forms.samples import sample_path

    def load(form_id: str, profile_id: str) -> dict[str, Any]:
        path = sample_path(form_id, profile_id)
        assert path is not None
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict)
        return data

    return load


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_identity_round_trip(made: tuple[Any, dict[str, bytes]], fmt: str) -> None:
    record, files = made
    identity = read_identity(files[fmt])
    assert identity is not None
    assert set(identity) == set(KEYS)
    assert identity["form_id"] == "return_notice"
    assert identity["template_version"] == KIND.version
    assert identity["template_sha256"] == template_sha256(KIND.template)
    assert identity["record_sha256"] == record_sha256(record)
    assert identity["document_number"] == record.number == "荔浦二中劝返〔2026〕第001号"
    assert identity["profile"] == "liupu-2026"


def test_identity_from_a_path(made: tuple[Any, dict[str, bytes]], tmp_path: Any) -> None:
    path = tmp_path / "通知书.docx"
    path.write_bytes(made[1]["docx"])
    assert read_identity(path) == read_identity(str(path)) == read_identity(made[1]["pdf"])


def test_a_changed_record_has_another_hash(
    sample_module: Callable[[str, str], dict[str, Any]],
) -> None:
    data = sample_module("return_notice", "liupu-2026")
    first = record_sha256(validate_record(KIND, data))
    data["guardian"]["phone"] = "13800771235"
    assert record_sha256(validate_record(KIND, data)) != first


def test_pdf_identity_is_the_info_dictionary_as_pypdf_reads_it(
    made: tuple[Any, dict[str, bytes]],
) -> None:
    """pdfium reads the info entries (fast); they are the entries pypdf sees, Chinese included,
    and a file saved again by another program (pypdf, with an xref table) keeps them."""
    from pypdf import PdfReader, PdfWriter

    data = made[1]["pdf"]
    info = PdfReader(io.BytesIO(data)).metadata or {}
    identity = read_identity(data)
    assert identity == {key: str(info["/baoxue" + key.replace("_", "")]) for key in KEYS}
    resaved = io.BytesIO()
    PdfWriter(clone_from=PdfReader(io.BytesIO(data))).write(resaved)
    assert read_identity(resaved.getvalue()) == identity
    encrypted = io.BytesIO()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password="1234")
    writer.write(encrypted)
    assert read_identity(encrypted.getvalue()) is None  # cannot be opened: not recognised


def test_foreign_files_are_not_recognised(made: tuple[Any, dict[str, bytes]]) -> None:
    plain_pdf = html_to_pdf("<html><body><p>学校自制的通知书</p></body></html>")
    plain_docx = io.BytesIO()
    Document().save(plain_docx)
    for data in (plain_pdf, plain_docx.getvalue(), b"", b"PK\x03\x04broken", b"%PDF-1.7 broken"):
        assert read_identity(data) is None
    # a DOCX whose custom properties are someone else's
    broken = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(made[1]["docx"])) as src,
        zipfile.ZipFile(broken, "w") as dst,
    ):
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/custom.xml":
                data = data.replace(b'name="baoxue_', b'name="other_')
            dst.writestr(item, data)
    assert read_identity(broken.getvalue()) is None


def test_docx_custom_properties_part_is_declared(made: tuple[Any, dict[str, bytes]]) -> None:
    with zipfile.ZipFile(io.BytesIO(made[1]["docx"])) as archive:
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("_rels/.rels").decode()
        custom = archive.read("docProps/custom.xml").decode()
    assert 'PartName="/docProps/custom.xml"' in types
    assert "custom-properties+xml" in types
    assert "relationships/custom-properties" in rels
    assert 'pid="2" name="baoxue_form_id"' in custom


def _qr_codes(pdf: bytes, page: int = 0) -> list[str]:
    image = pypdfium2.PdfDocument(pdf)[page].render(scale=200 / 72).to_pil()
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_printed_qr_code_decodes_to_number_and_record_hash(
    made: tuple[Any, dict[str, bytes]],
) -> None:
    record, files = made
    codes = _qr_codes(files["pdf"])
    assert len(codes) == 1
    assert parse_qr_payload(codes[0]) == {
        "record_sha256": record_sha256(record),
        "document_number": record.number,
    }


def test_qr_code_sits_in_the_bottom_left_margin(made: tuple[Any, dict[str, bytes]]) -> None:
    with pdfplumber.open(io.BytesIO(made[1]["pdf"])) as pdf:
        page = pdf.pages[0]
        (image,) = page.images
        area_bottom = (GBT9704.top_mm + GBT9704.area_height_mm) * MM
        # left of the type area and below it: the official layout is untouched
        assert image["x1"] <= GBT9704.left_mm * MM
        assert image["top"] >= area_bottom
        assert image["bottom"] <= page.height
        assert image["x1"] - image["x0"] == pytest.approx(GBT9704.qr_size_mm * MM, abs=0.5)
        # no character lies over the code
        assert not [c for c in page.chars if c["x0"] < image["x1"] and c["bottom"] > image["top"]]


def test_docx_qr_code_floats_at_the_same_place(made: tuple[Any, dict[str, bytes]]) -> None:
    doc = Document(io.BytesIO(made[1]["docx"]))
    xml = doc.element.body.xml
    assert xml.count("<wp:anchor") == 1 and "<wp:inline" not in xml
    assert "<wp:wrapNone/>" in xml
    assert f"<wp:posOffset>{int(GBT9704.qr_left_mm * 36000)}</wp:posOffset>" in xml
    assert f"<wp:posOffset>{int(GBT9704.qr_top_mm * 36000)}</wp:posOffset>" in xml
    # the picture carries no text: both formats still read the same
    assert squash(docx_text(made[1]["docx"])) == squash(pdf_text(made[1]["pdf"]))


def test_qr_payload_parsing_rejects_other_codes() -> None:
    good = qr_payload({"record_sha256": "ab" * 32, "document_number": "第1号:甲"})
    assert parse_qr_payload(good) == {"record_sha256": "ab" * 32, "document_number": "第1号:甲"}
    for text in ("https://example.org", "BAOXUE:xyz:1", "BAOXUE:" + "g" * 64 + ":1", "BAOXUE"):
        assert parse_qr_payload(text) is None
