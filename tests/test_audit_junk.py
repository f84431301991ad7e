"""Junk is refused, not audited (issue 23 § 2): an Office file is a zip of XML parts, not an
evidence package; a zip or folder with nothing but litter (or nothing) has no file to check.
Library (audit.package.check_package, audit.run.run_audit) and CLI (exit 2)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from fixtures.packages.build import PERIOD
from fixtures.packages.zips import make_zip
from openpyxl import Workbook

from audit.package import (
    NOT_A_PACKAGE,
    NOTHING_TO_CHECK,
    PackageError,
    check_package,
    office_kind,
)
from audit.run import AuditError, run_audit

CHECKLIST = "liupu-supervision-2024"


def xlsx_bytes() -> bytes:
    book = Workbook()
    book.active.append(["姓名", "身份证号"])
    book.active.append(["韦堃", "450331201203150013"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    doc = Document()
    doc.add_paragraph("控辍保学工作方案")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def folder(tmp: Path, files: dict[str, bytes]) -> Path:
    root = tmp / "迎检材料"
    root.mkdir()
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


OFFICE: list[tuple[Callable[[Path], Path], str]] = [
    (lambda t: write(t, "学生名单.xlsx", xlsx_bytes()), "Excel 表格"),
    (lambda t: write(t, "工作方案.docx", docx_bytes()), "Word 文档"),
    # renamed: the content says what it is
    (lambda t: write(t, "迎检材料.zip", xlsx_bytes()), "Excel 表格"),
    (lambda t: write(t, "迎检材料.zip", docx_bytes()), "Word 文档"),
]
EMPTY: list[Callable[[Path], Path]] = [
    lambda t: write(t, "空.zip", make_zip([])),
    lambda t: folder(t, {}),
    lambda t: write(
        t,
        "垃圾.zip",
        make_zip(
            [
                ("Thumbs.db", b"x"),
                ("__MACOSX/._方案.docx", b"x"),
                ("迎检/.DS_Store", b"x"),
                ("迎检/~$方案.docx", b"x"),
            ]
        ),
    ),
    lambda t: folder(t, {"Thumbs.db": b"x", "desktop.ini": b"x", "__MACOSX/._a.pdf": b"x"}),
    # a zip inside holding nothing: only reading it shows there is nothing to check
    lambda t: write(t, "套娃.zip", make_zip([("四、送教上门.zip", make_zip([]))])),
]


@pytest.mark.parametrize(("make", "kind"), OFFICE)
def test_office_file_is_refused_as_a_package(tmp_path: Path, make, kind: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    with pytest.raises(PackageError) as err:
        check_package(path)
    assert kind in str(err.value) and NOT_A_PACKAGE in str(err.value)
    assert "请上传 zip 压缩包或文件夹" in str(err.value)
    with pytest.raises(AuditError, match="请上传 zip 压缩包或文件夹"):
        run_audit(path, CHECKLIST, period=PERIOD)


@pytest.mark.parametrize("make", EMPTY)
def test_nothing_to_check_is_refused(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    with pytest.raises(AuditError, match=NOTHING_TO_CHECK):
        run_audit(path, CHECKLIST, period=PERIOD)


def test_a_package_with_one_evidence_file_is_audited(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "迎检材料.zip",
        make_zip([("Thumbs.db", b"x"), ("一、部署/会议签到表.txt", "签到".encode())]),
    )
    check_package(path)
    result = run_audit(path, CHECKLIST, period=PERIOD)
    assert result.items


def test_office_kind_reads_the_parts_not_only_the_name() -> None:
    assert office_kind("a.zip", ["[Content_Types].xml", "xl/workbook.xml"]) == "Excel 表格"
    assert office_kind("a.zip", ["mimetype", "content.xml"]) == "OpenDocument 文件"
    assert office_kind("a.zip", ["一、部署/方案.docx", "二、台账/名单.xlsx"]) is None
    assert office_kind("a.ODS", []) == "OpenDocument 表格"


def test_cli_refuses_junk_with_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for path, message in (
        (write(tmp_path, "名单.xlsx", xlsx_bytes()), "请上传 zip 压缩包或文件夹"),
        (write(tmp_path, "空.zip", make_zip([])), NOTHING_TO_CHECK),
        (folder(tmp_path, {"Thumbs.db": b"x"}), NOTHING_TO_CHECK),
    ):
        out = tmp_path / "r.json"
        res = cli("audit", path, "--checklist", CHECKLIST,
                  "--period", "2025-09-01..2026-07-15", "-o", out)  # fmt: skip
        assert res.exit_code == 2, res.output
        assert message in res.output and "不合格" not in res.output
        assert not out.exists()
