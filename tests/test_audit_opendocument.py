"""Evidence saved by WPS or LibreOffice as OpenDocument (.odt .fodt .ods .fods), as RTF, or as a
Word/Excel template (.dotx .xltx) is read like the DOCX/XLSX it was saved from; until now it was
skipped as 不支持的文件类型. The fixtures are real files: DOCX/XLSX written by python-docx and
openpyxl, saved in the other format by LibreOffice headless, as a clerk's “另存为” would."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from fixtures.packages import school
from fixtures.packages.docs import Grid, docx, xlsx
from fixtures.saved import SOFFICE, save_as

from audit.binder.convert import Converter, stage
from audit.package import PackageError, check_package, iter_package
from audit.readers import read_bytes
from audit.rules import Period
from audit.run import read_facts, run_audit

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is installed by make test"),
]

PERIOD = Period(*school.PERIOD)
STUDENT = "李小华"
ITEMS = ("4.4", "4.5", "4.6", "4.7")  # visits a month, 课时 a visit, minutes a 课时, 课时 a year

RECORD = docx(
    [
        "送教上门记录表",
        Grid(
            [
                ["学生姓名", "覃小雨", "送教日期", "2025年10月15日"],
                ["起止时间", "9:00-11:00", "课时数", "3节"],
                ["送教内容", "生活语文\n康复训练", "", ""],
            ],
            merges=[(2, 1, 1, 3)],
        ),
        "送教教师：李老师、王老师",
    ]
)
ROSTER = xlsx(
    {
        "花名册": [
            ["送教上门学生花名册"],
            ["序号", "姓名", "残疾类别", "开始送教时间"],
            [1, "覃小雨", "肢体残疾", date(2025, 9, 1)],
            [2, "莫小芳", "智力残疾", date(2025, 10, 8)],
        ]
    },
    merges={"花名册": ["A1:D1"]},
)


@pytest.mark.parametrize("target", ["odt", "fodt", "rtf", "dotx:MS Word 2007 XML Template"])
def test_a_record_saved_as_odt_rtf_or_template_reads_like_the_docx(
    tmp_path: Path, target: str
) -> None:
    """The 送教 record's paragraphs and its table — merged cell, two-line cell — come back."""
    name, data = next(iter(save_as({"送教上门记录表.docx": RECORD}, target, tmp_path).items()))
    result = read_bytes(name, data)
    original = read_bytes("送教上门记录表.docx", RECORD)
    assert result.status == "ok", result.reason
    assert result.text() == original.text()
    assert [t.rows for t in result.tables()] == [t.rows for t in original.tables()]
    assert result.tables()[0].rows[:2] == [
        ["学生姓名", "覃小雨", "送教日期", "2025年10月15日"],
        ["起止时间", "9:00-11:00", "课时数", "3节"],
    ]
    assert "送教教师：李老师、王老师" in result.text()


@pytest.mark.parametrize("target", ["ods", "fods"])
def test_a_roster_saved_as_ods_reads_like_the_xlsx(tmp_path: Path, target: str) -> None:
    """Sheet name, title row, dates written ISO, numbers as typed."""
    name, data = next(iter(save_as({"送教上门学生花名册.xlsx": ROSTER}, target, tmp_path).items()))
    result = read_bytes(name, data)
    assert result.status == "ok", result.reason
    (table,) = result.tables()
    assert table.sheet == "花名册"
    assert table.rows == read_bytes("花名册.xlsx", ROSTER).tables()[0].rows
    assert table.rows[2] == ["1", "覃小雨", "肢体残疾", "2025-09-01"]


def test_an_excel_template_is_read_as_a_workbook() -> None:
    """openpyxl saves an .xltx with the template content type; it reads like the .xlsx."""
    book = openpyxl.load_workbook(io.BytesIO(ROSTER))
    book.template = True
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        assert b"template.main+xml" in zf.read("[Content_Types].xml")
    for name in ("花名册.xltx", "花名册.xltm"):
        result = read_bytes(name, out.getvalue())
        assert result.status == "ok", result.reason
        assert result.tables()[0].rows[3] == ["2", "莫小芳", "智力残疾", "2025-10-08"]


def test_a_damaged_or_unconvertible_odt_says_what_to_save_it_as(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odt = save_as({"记录.docx": RECORD}, "odt", tmp_path)["记录.odt"]
    cut = read_bytes("记录.odt", odt[: len(odt) // 2])  # an upload broken off half-way
    assert (cut.status, cut.reason) == (
        "error",
        "OpenDocument 文本格式（.odt），请另存为 docx（文件已损坏或加密，无法转换）",
    )
    ods = read_bytes("名单.ods", b"not a spreadsheet at all")
    assert ods.status == "error" and "请另存为 xlsx" in (ods.reason or "")
    import audit.readers.soffice as soffice

    monkeypatch.setattr(soffice.shutil, "which", lambda name: None)
    missing = read_bytes("记录.odt", odt)
    assert (missing.status, missing.reason) == (
        "error",
        "OpenDocument 文本格式（.odt），请另存为 docx",
    )


def test_an_odt_in_a_package_is_one_file_not_a_folder(tmp_path: Path) -> None:
    """An .odt/.ods is a zip of XML parts; in a package it is one document, never unpacked as
    a zip inside the package; uploaded alone it is refused as no package."""
    odt = save_as({"记录.docx": RECORD}, "odt", tmp_path)["记录.odt"]
    ods = save_as({"名单.xlsx": ROSTER}, "ods", tmp_path)["名单.ods"]
    package = tmp_path / "package.zip"
    with zipfile.ZipFile(package, "w") as zf:
        zf.writestr("四、送教上门/送教上门记录表.odt", odt)
        zf.writestr("四、送教上门/花名册.ods", ods)
    members = list(iter_package(package))
    assert [(m.path, m.status, m.data) for m in members] == [
        ("四、送教上门/花名册.ods", "ok", ods),
        ("四、送教上门/送教上门记录表.odt", "ok", odt),
    ]
    alone = tmp_path / "送教上门记录表.odt"
    alone.write_bytes(odt)
    with pytest.raises(PackageError, match="是OpenDocument 文档，不是材料包"):
        check_package(alone)


def _package(root: Path, records: dict[str, bytes]) -> Path:
    return school.home_teaching_package(root, [STUDENT], records)


def _verdicts(root: Path) -> dict[str, str]:
    result = run_audit(root, "liupu-supervision-2024", period=PERIOD)
    return {
        item.id: next(s.status for s in item.subjects if s.student == STUDENT)
        for item in result.items
        if item.id in ITEMS
    }


def test_home_teaching_records_kept_as_odt_and_ods_count_in_the_audit(tmp_path: Path) -> None:
    """A year of 送教 visits written up in an .odt (one paragraph a visit) or kept in an .ods
    register: every visit is read and 4.4–4.7 pass; broken off half-way, the .odt is an error
    that says so, the rosters are still read, and the visits are missing."""
    sessions = school.sessions_for(*school.PERIOD, minutes=40)
    prose = school.home_teaching_files(
        STUDENT, date(2025, 9, 1), sessions, documents=(), style="prose"
    )
    register = school.home_teaching_files(STUDENT, date(2025, 9, 1), sessions, documents=())
    odt = save_as(prose, "odt", tmp_path)
    ods = save_as(register, "ods", tmp_path)
    assert list(odt) == [f"四、送教上门/{STUDENT}/送教上门记录.odt"]
    assert list(ods) == [f"四、送教上门/{STUDENT}/送教上门记录表.ods"]

    for records in (odt, ods):
        root = _package(tmp_path / Path(next(iter(records))).suffix[1:], records)
        facts = read_facts(root, PERIOD)
        got = sorted((s.date, s.periods, s.minutes_per_period) for s in facts.sessions)
        assert got == sorted((d, p, m) for d, _span, p, m in sessions), root.name
        assert _verdicts(root) == dict.fromkeys(ITEMS, "pass"), root.name

    (name, data), = odt.items()  # fmt: skip
    broken = _package(tmp_path / "broken", {name: data[: len(data) // 2]})
    facts = read_facts(broken, PERIOD)
    status = {f.path: (f.status, f.reason) for f in facts.files}
    assert status[name] == (
        "error",
        "OpenDocument 文本格式（.odt），请另存为 docx（文件已损坏或加密，无法转换）",
    )
    assert {p: s for p, (s, _r) in status.items() if p != name} == {
        "四、送教上门/残疾儿童花名册.xlsx": "ok",
        "四、送教上门/送教上门学生花名册.xlsx": "ok",
    }
    assert not facts.sessions and {s.name for s in facts.students} == {STUDENT}
    assert "pass" not in _verdicts(broken).values()


def test_the_binder_prints_opendocument_and_template_files(tmp_path: Path) -> None:
    """迎检资料 prints them too: flat XML and templates were “不是 Office 文件”."""
    files = save_as({"记录.docx": RECORD}, "fodt", tmp_path)
    files |= save_as({"名单.xlsx": ROSTER}, "fods", tmp_path)
    files |= save_as({"记录.docx": RECORD}, "dotx:MS Word 2007 XML Template", tmp_path)
    package = tmp_path / "package"
    for name, data in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_bytes(data)
    docs = stage(package, tmp_path / "work")
    Converter(list(docs.values()), tmp_path / "work").run()
    assert {p: (d.failure, d.span[1] - d.span[0]) for p, d in docs.items()} == {
        "记录.fodt": (None, 1),
        "名单.fods": (None, 1),
        "记录.dotx": (None, 1),
    }
