"""Ledgers (台账) XLSX: column sets from the seeds, print set-up, every child kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from fixtures import rosters
from openpyxl import load_workbook

from forms.ledgers import HEADER_ROW, LEDGERS_FILE, build_ledger, ledger_specs
from forms.profiles import get_profile

KINDS = ("roster_ledger", "risk_ledger", "dropout_register", "master_ledger")
# MoE 2024's three ledgers, filled from cases (cases/report.py; tests/test_cases_report.py)
CASE_KINDS = ("children_ledger", "suspected_ledger", "dropout_ledger")


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("ledgers") / "花名册.xlsx"
    return path, rosters.bad_rows_xlsx(path)


def test_every_column_set_is_cited() -> None:
    data = yaml.safe_load(LEDGERS_FILE.read_text(encoding="utf-8"))
    assert set(data["ledgers"]) == set(KINDS) | set(CASE_KINDS)
    for ledger_id, ledger in data["ledgers"].items():
        if ledger_id in CASE_KINDS:  # not among the seeds: says so
            assert "教育部2024" in ledger["source"] and "原文未收入各地方案" in ledger["source"]
        else:
            assert ledger["source"].startswith(("003 §", "004 §"))
        assert ledger["cadence"]["source"]
        # Every status column (what the seed asks to mark) names its source.
        for column in ledger["columns"]:
            if str(column.get("key", "")).startswith("status."):
                assert column.get("source"), column["header"]


@pytest.mark.parametrize("kind", KINDS)
def test_ledger_layout(kind: str, roster: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    path, expected = roster
    out = tmp_path / f"{kind}.xlsx"
    result = build_ledger(kind, path, out, get_profile("jiaotan-2025"), "蛟潭镇", date(2026, 9, 20))
    spec = ledger_specs()[kind]
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    assert ws["A1"].value == f"蛟潭镇{spec.title}"
    assert "A1" in {str(r).split(":")[0] for r in ws.merged_cells.ranges}
    assert "统计日期：2026年9月20日" in ws["A2"].value
    headers = [c.value for c in ws[HEADER_ROW]]
    assert headers == [c.header for c in spec.columns]
    assert ws.freeze_panes == f"C{HEADER_ROW + 1}"
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"  # repeated on every page
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 == "9"  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # Every roster row is kept — bad ones too, flagged rather than dropped.
    first = HEADER_ROW + 1
    names = [ws.cell(first + i, headers.index("姓名") + 1).value for i in range(8)]
    assert names == expected["names"]
    assert ws.cell(first + result.rows - 1, 1).value == result.rows == 13
    assert "说明" in wb.sheetnames
    assert wb["说明"]["C2"].value == spec.source


def test_roster_ledger_values_and_checks(
    roster: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, expected = roster
    out = tmp_path / "roster_ledger.xlsx"
    result = build_ledger(
        "roster_ledger", path, out, get_profile("jiaotan-2025"), as_of=date(2026, 9, 20)
    )
    ws = load_workbook(out).worksheets[0]
    headers = [c.value for c in ws[HEADER_ROW]]
    col = {h: headers.index(h) + 1 for h in headers}
    first = HEADER_ROW + 1
    # Gender and birth date come from the ID; age at the ledger date.
    id_number = ws.cell(first, col["身份证号"]).value
    assert isinstance(id_number, str) and len(id_number) == 18
    assert ws.cell(first, col["身份证号"]).number_format == "@"
    birth = ws.cell(first, col["出生日期"]).value
    assert birth.date() == date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    assert ws.cell(first, col["年龄（周岁）"]).value == 2026 - birth.year - (
        (birth.month, birth.day) > (9, 20)
    )
    assert ws.cell(first, col["年级"]).value == "七年级"
    # The bad rows are flagged in 数据核对, with the Excel row numbers of the roster.
    flagged = {
        line: ws.cell(first + i, col["数据核对"]).value for i, line in enumerate(range(5, 18))
    }
    assert "校验码错误" in flagged[13]
    assert "必须填写" in flagged[14]
    assert "不认识的年级" in flagged[15]
    assert "与第5行是同一人" in flagged[16]
    assert "文本" in flagged[17]
    assert all(flagged[line] is None for line in expected["good"])
    assert {p.line for p in result.problems} == {13, 14, 15, 16, 17}
    # Drop-down lists for the marks the seed asks for.
    validations = {dv.prompt for dv in ws.data_validations.dataValidation}
    assert any("未入学" in (p or "") and "已辍学" in (p or "") for p in validations)


def test_age_range_from_profile(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "入学状态"])
    ws.append(["韦堃", rosters.make_id(date(2009, 1, 1), 11), "已辍学"])  # 17 in 2026
    ws.append(["莫丽", rosters.make_id(date(2015, 1, 1), 12), "在校"])
    path = tmp_path / "ages.xlsx"
    wb.save(path)
    result = build_ledger(
        "roster_ledger",
        path,
        tmp_path / "out.xlsx",
        get_profile("jiaotan-2025"),
        as_of=date(2026, 9, 20),
    )
    assert [p.line for p in result.problems] == [2]
    assert "不在适龄范围6-15周岁" in result.problems[0].message


def test_cli(cli: Callable[..., Any], roster: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    path, _ = roster
    out = tmp_path / "master.xlsx"
    result = cli(
        "ledger",
        "master_ledger",
        path,
        "--profile",
        "jiaotan-2025",
        "-o",
        out,
        "--date",
        "2026-09-25",
    )
    assert result.exit_code == 1  # written, but 5 rows need checking
    assert out.is_file() and "5行需要核对" in result.output
    gbk = tmp_path / "gbk.csv"
    rosters.gbk_csv(gbk)
    result = cli("ledger", "risk_ledger", gbk, "-o", tmp_path / "risk.xlsx")
    assert result.exit_code == 0, result.output
    result = cli("ledger", "nonsense", gbk, "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "roster_ledger" in result.output
