"""A register too wide for its paper, exported to PDF as it is: its further columns come on
later pages (column bands). Read as a person lays the pages side by side — one row a record,
the student's name from the first band, the dates and approvals from the others."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from fixtures.packages import school
from fixtures.saved import SOFFICE, save_as
from openpyxl.styles import Border, Side

from audit.readers import read_bytes
from audit.readers.model import Block, Table
from audit.rules import Period
from audit.run import read_facts

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is installed by make test"),
]

LEAVE_HEADER = ["序号", "学生姓名", "班级", "类别", "事由", "请假时间", "天数",
                "班主任意见", "政教处意见", "校长意见", "销假情况"]  # fmt: skip
STUDENTS = ["韦小敏", "覃海燕", "欧阳明轩", "黄思琪"]
ROSTER_HEADER = [
    "序号",
    "姓名",
    "性别",
    "年级班级",
    "休学原因",
    "休学开始时间",
    "监护人",
    "家庭住址",
]
SUSPENDED = [("罗志豪", "罗可英", date(2025, 10, 20)), ("蓝雨萱", "周雨英", date(2025, 11, 28))]


def _workbook(header: list[str], rows: list[list[object]], width: float) -> bytes:
    """A sheet printed as it is, every column `width` characters wide: A4 holds a few."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "登记"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for col in range(1, len(header) + 1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(col)].width = width
    thin = Side(style="thin")
    for line in sheet.iter_rows():
        for cell in line:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)  # a ruled register
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _leave_rows(count: int) -> list[list[object]]:
    rows: list[list[object]] = []
    for i in range(count):
        day = date(2025, 9 + i % 4, 3 + i % 20)
        rows.append([i + 1, STUDENTS[i % 4], "五年级（1）班", "病假", "发烧", f"{day:%Y.%-m.%-d}",
                     1, "同意。李老师", "", "", "已销假"])  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    work = tmp_path_factory.mktemp("bands")
    suspended = [[i + 1, name, "男", "六年级（1）班", "厌学", day, guardian, "石岭村下寨屯12号"]
                 for i, (name, guardian, day) in enumerate(SUSPENDED)]  # fmt: skip
    return save_as(
        {
            "请销假登记册.xlsx": _workbook(LEAVE_HEADER, _leave_rows(6), 18),
            "长登记册.xlsx": _workbook(LEAVE_HEADER, _leave_rows(90), 18),
            "政策性休学学生名册.xlsx": _workbook(ROSTER_HEADER, suspended, 22),
        },
        "pdf",
        work,
    )


def _tables(data: bytes) -> list[Table]:
    result = read_bytes("f.pdf", data)
    assert result.status == "ok", result.reason
    return [t for t in result.items if isinstance(t, Table)]


def test_a_wide_register_printed_in_bands_reads_one_row_a_record(
    printed: dict[str, bytes],
) -> None:
    result = read_bytes("f.pdf", printed["请销假登记册.pdf"])
    assert result.pages is not None and result.pages >= 2  # the sheet did not fit the paper
    (table,) = [t for t in result.items if isinstance(t, Table)]
    assert table.page == 1
    assert table.rows[0] == LEAVE_HEADER
    assert [r[1] for r in table.rows[1:]] == [STUDENTS[i % 4] for i in range(6)]
    assert table.rows[1][5:8] == ["2025.9.3", "1", "同意。李老师"]
    # the later bands' lines went with their tables: no line of them is read twice as prose
    later = [b.text for b in result.items if isinstance(b, Block) and b.page != 1]
    assert not any("同意。李老师" in text for text in later)


def test_a_long_wide_register_printed_down_then_over_joins_page_to_page(
    printed: dict[str, bytes],
) -> None:
    tables = _tables(printed["长登记册.pdf"])
    rows = [row for t in tables for row in t.rows if row[0].isdigit()]
    assert len(rows) == 90
    assert all(len(row) == len(LEAVE_HEADER) for row in rows)
    assert [r[1] for r in rows] == [STUDENTS[i % 4] for i in range(90)]
    assert all(r[7] == "同意。李老师" for r in rows)


def test_the_bands_make_the_leave_records_and_the_roster_names_the_students(
    printed: dict[str, bytes], tmp_path: Path
) -> None:
    root = tmp_path / "pkg"
    for name, data in printed.items():
        (root / "资料").mkdir(parents=True, exist_ok=True)
        (root / "资料" / name).write_bytes(data)
    facts = read_facts(root, Period(*school.PERIOD))
    leaves = [leave for leave in facts.leaves if "请销假登记册" in leave.prov.file]
    assert sorted((v.student, v.start) for v in leaves) == sorted(
        (STUDENTS[i % 4], date(2025, 9 + i % 4, 3 + i % 20)) for i in range(6)
    )
    assert all(v.approver for v in leaves)
    suspended = {(s.name, s.since) for s in facts.students if s.roster == "suspension"}
    assert suspended == {(name, day) for name, _, day in SUSPENDED}  # not the 监护人
