"""Ledgers per jurisdiction (issue 22): each ledger's keeper and cadence from its own profile,
the registers listing the students they are about, roster values in the ledger's own words."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from forms.ledgers import HEADER_ROW, build_ledger
from forms.profiles import get_profile


def _roster(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(
        ["姓名", "性别", "身份证号", "入学状态", "是否有辍学风险", "是否脱贫户", "辍学时间", "类别"]
    )
    ws.append(["韦小明", "男", "450331201101010116", "在读", "无", "一般户", None, None])
    ws.append(["莫小燕", "女", "450331201205140222", "辍学", "有", "建档立卡户", None, None])
    ws.append(
        ["黄晓峰", "男", "450107200805120019", "在读", "低", "边缘易致贫户", "2026-03-02", None]
    )
    ws.append(["李思雨", "女", "360222201506010025", "失学", "否", "一般户", None, "失学"])
    wb.save(path)
    return path


def _sheet(kind: str, profile_id: str, tmp_path: Path) -> tuple[list[str], list[list[object]], str]:
    out = tmp_path / f"{kind}-{profile_id}.xlsx"
    build_ledger(
        kind, _roster(tmp_path / "r.xlsx"), out, get_profile(profile_id), None, date(2026, 3, 25)
    )
    ws = load_workbook(out).worksheets[0]
    headers = [str(c.value) for c in ws[HEADER_ROW]]
    rows = [
        list(r)
        for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
        if isinstance(r[0], int)
    ]
    return headers, rows, str(ws["A2"].value)


@pytest.mark.parametrize("profile_id", ["liupu-2026", "xiuyan-2024", "xixiangtang-2020"])
def test_a_master_ledger_prints_its_own_jurisdictions_rule(profile_id: str, tmp_path: Path) -> None:
    _, _, info = _sheet("master_ledger", profile_id, tmp_path)
    assert "每月25日前" not in info and "县教育局备案" not in info and "镇民生服务办" not in info
    own = get_profile(profile_id).ledgers["master_ledger"]
    assert own.cadence is not None and own.cadence.source in info


def test_jiaotan_keeps_its_25th(tmp_path: Path) -> None:
    _, _, info = _sheet("master_ledger", "jiaotan-2025", tmp_path)
    assert "每月25日前报县教育局备案（004 § 四(一)2）" in info
    assert "镇民生服务办（文化教育）" in info


def test_a_profile_without_its_own_words_prints_no_other_seeds_rule(tmp_path: Path) -> None:
    """Xiuyan gives no words for the 底数台账's cadence of 004 — its own (003) are used; a ledger
    a profile says nothing about prints no rule of another seed."""
    _, _, info = _sheet("risk_ledger", "xiuyan-2024", tmp_path)
    assert "004" not in info and "003 § 五1" in info


def test_registers_list_the_students_they_are_about(tmp_path: Path) -> None:
    headers, rows, _ = _sheet("dropout_register", "liupu-2026", tmp_path)
    names = [r[headers.index("姓名")] for r in rows]
    assert names == ["莫小燕", "黄晓峰"]  # 辍学, and a 辍学时间; not the pupils in school
    headers, rows, _ = _sheet("master_ledger", "jiaotan-2025", tmp_path)
    names = [r[headers.index("姓名")] for r in rows]
    assert names == ["莫小燕", "黄晓峰", "李思雨"]
    assert [r[headers.index("类别")] for r in rows] == [None, None, "未入学"]


def test_the_roster_ledger_keeps_everyone_in_the_ledgers_words(tmp_path: Path) -> None:
    headers, rows, _ = _sheet("roster_ledger", "jiaotan-2025", tmp_path)
    assert len(rows) == 4
    assert [r[headers.index("入学状态")] for r in rows] == ["在校", "已辍学", "在校", "未入学"]
    assert [r[headers.index("是否有辍学风险")] for r in rows] == ["否", "是", "否", "否"]
    headers, rows, _ = _sheet("dropout_register", "xiuyan-2024", tmp_path)
    assert [r[headers.index("是否脱贫户")] for r in rows] == ["是", "监测户"]
