"""The monthly report (一月一报告) and the ledgers written from cases; Xiuyan's "0"."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cases_helpers import new_case, shut, step
from openpyxl import load_workbook

from cases.model import Case, CaseError
from cases.report import monthly_report, write_school_month
from conftest import pdf_text, squash
from forms.ledgers import HEADER_ROW
from forms.profiles import get_profile


def _cases() -> list[Case]:
    """Jiaotan school, March: one case reported and returned, one opened late in March and
    still open in April, one from February closed in March by transfer."""
    a = new_case("jiaotan-2025", case_id="A")
    for kind, day in (("phone_call", 2), ("home_visit", 4), ("joint_visit", 5), ("report_sent", 6)):
        a = step(a, kind, date(2026, 3, day))
    a = shut(a, "returned", date(2026, 3, 12), "朱")
    b = step(
        new_case("jiaotan-2025", opened=date(2026, 3, 23), case_id="B"),
        "phone_call",
        date(2026, 3, 23),
    )
    b = b.model_copy(
        update={"student": b.student.model_copy(update={"name": "李小红", "id_number": None})}
    )
    c = new_case("jiaotan-2025", opened=date(2026, 2, 23), case_id="C")
    c = c.model_copy(
        update={"student": c.student.model_copy(update={"name": "张三", "id_number": None})}
    )
    c = shut(c, "transferred", date(2026, 3, 2), "朱", receiving_school="景德镇市某中学")
    return [a, b, c]


def test_monthly_counts_and_rows() -> None:
    cases = _cases()
    school = cases[0].school
    march = monthly_report(cases, school, "2026-03", get_profile("jiaotan-2025"))
    assert (march.new_cases, march.returned, march.transferred, march.suspended) == (2, 1, 1, 0)
    assert (march.open_suspected, march.open_dropout) == (1, 0)
    rows = {r.case_id: r for r in march.rows}
    assert set(rows) == {"A", "B", "C"}
    assert rows["A"].kind == "辍学" and rows["A"].status == "已销号（3月12日复学）"
    assert rows["A"].id_masked == "360222********0231"  # masked where displayed
    assert rows["C"].status == "已销号（3月2日转学，转入景德镇市某中学）"
    assert rows["B"].status == "未销号" and "第1步" in rows["B"].progress
    april = monthly_report(cases, school, "2026-04", get_profile("jiaotan-2025"))
    assert (
        [r.case_id for r in april.rows] == ["B"]
        and april.new_cases == 0
        and april.open_suspected == 1
    )
    feb = monthly_report(cases, school, "2026-02", get_profile("jiaotan-2025"))
    assert [r.case_id for r in feb.rows] == ["C"]


def test_report_files_pdf_docx_xlsx_and_ledgers(tmp_path: Path) -> None:
    written = write_school_month(_cases(), "浮梁县蛟潭第二中学", "2026-03", tmp_path)
    suffixes = sorted(p.suffix for p in written)
    assert suffixes.count(".xlsx") == 7 and ".pdf" in suffixes and ".docx" in suffixes
    pdf = squash(pdf_text(next(p for p in written if p.suffix == ".pdf").read_bytes()))
    assert "控辍保学工作月报表" in pdf and "蛟潭镇民生服务办（文化教育）" in pdf
    assert "本月新增未到校个案2人" in pdf and "劝返复学1人、转学1人" in pdf and "汪志强" in pdf
    xlsx = load_workbook(next(p for p in written if p.name.endswith("月报.xlsx"))).active
    values = [c.value for row in xlsx.iter_rows() for c in row]
    assert "汪志强" in values and "李小红" in values
    dropouts = load_workbook(
        next(p for p in written if p.name.endswith("-辍学学生台账.xlsx"))
    ).active
    headers = [c.value for c in dropouts[HEADER_ROW]]
    first = [c.value for c in dropouts[HEADER_ROW + 1]]
    assert first[headers.index("姓名")] == "汪志强"
    assert first[headers.index("报告日期")] == "2026年3月6日"
    assert first[headers.index("是否复学")] == "是"
    assert (
        dropouts.cell(HEADER_ROW + 2, headers.index("姓名") + 1).value != "李小红"
    )  # not reported
    suspected = load_workbook(next(p for p in written if "疑似辍学学生台账" in p.name)).active
    names = [suspected.cell(r, 3).value for r in range(HEADER_ROW + 1, HEADER_ROW + 4)]
    assert names == ["张三", "汪志强", "李小红"]


def _children(path: Path) -> list[list[Any]]:
    ws = load_workbook(path).active
    return [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW + 1) if row[1].value]


def test_children_ledger_status_from_cases(tmp_path: Path) -> None:
    written = write_school_month(_cases(), "浮梁县蛟潭第二中学", "2026-03", tmp_path)
    rows = _children(next(p for p in written if "适龄儿童台账" in p.name))
    status = {r[1]: r[12] for r in rows}
    assert status == {"张三": "转出", "汪志强": "在校", "李小红": "疑似辍学"}


def test_xiuyan_with_no_case_reports_zero(tmp_path: Path) -> None:
    written = write_school_month(
        [], "岫岩满族自治县某镇初级中学", "2026-03", tmp_path, "xiuyan-2024", "某镇"
    )
    pdf = squash(pdf_text(next(p for p in written if p.suffix == ".pdf").read_bytes()))
    assert "辍学情况月报表" in pdf and "岫岩满族自治县教育局普教科" in pdf
    assert "本月本校辍学人数为“0”" in pdf and "辍学0人" in pdf
    xlsx = load_workbook(next(p for p in written if p.name.endswith("月报.xlsx"))).active
    assert "本月本校辍学人数为“0”。" in [c.value for row in xlsx.iter_rows() for c in row]


def test_no_case_and_no_profile_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="请用 --profile 指明辖区规定"):
        write_school_month([], "某校", "2026-03", tmp_path)
    with pytest.raises(CaseError, match="应写成“2026-03”"):
        write_school_month([], "某校", "2026-13", tmp_path, "xiuyan-2024")


def test_township_master_ledger_from_every_school(tmp_path: Path) -> None:
    from cases.report import write_township_month

    path = write_township_month(_cases(), "蛟潭镇", "2026-03", tmp_path)
    ws = load_workbook(path).active
    assert ws["A1"].value == "蛟潭镇控辍保学总台账"
    assert "每月25日前报县教育局备案（004 § 四(一)2）" in ws["A2"].value
    headers = [c.value for c in ws[HEADER_ROW]]
    rows = {
        ws.cell(r, headers.index("姓名") + 1).value: ws.cell(r, headers.index("销号情况") + 1).value
        for r in range(HEADER_ROW + 1, HEADER_ROW + 4)
    }
    assert rows == {"张三": "已销号", "汪志强": "已销号", "李小红": "未销号"}
    with pytest.raises(CaseError, match="东昌镇没有个案"):
        write_township_month(_cases(), "东昌镇", "2026-03", tmp_path)
