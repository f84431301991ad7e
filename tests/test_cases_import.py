"""Opening cases from a daily attendance sheet: absent without leave opens a case; leave,
no date, another school's student, a bad 身份证号 or an already open case are listed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from cases.importing import import_absences
from cases.store import CaseStore

HEADER = [
    "姓名",
    "身份证号",
    "班级",
    "监护人",
    "联系电话",
    "未到校日期",
    "是否请假",
    "原因",
    "学校名称",
]
SCHOOL = "荔浦市第二初级中学"


def _sheet(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["荔浦市第二初级中学未按时返校学生日报表"])
    ws.append(HEADER)
    ws.append(
        [
            "韦堃",
            "450331201203150013",
            "3班",
            "韦建国",
            "13800771234",
            date(2026, 3, 2),
            "否",
            "外出务工",
            SCHOOL,
        ]
    )
    ws.append(["李红", None, "2班", "李强", None, date(2026, 3, 2), "病假", None, SCHOOL])
    ws.append(["王五", None, "1班", "王六", None, None, None, None, SCHOOL])
    ws.append(["赵七", None, "1班", "赵八", None, "2026-03-03", None, None, "修仁镇中心小学"])
    ws.append(["钱九", "450331201203150014", "1班", "钱十", None, "2026-03-03", None, None, SCHOOL])
    ws.append(["孙一", None, "4班", "孙二", None, "2026年3月4日", "旷课", "厌学", SCHOOL])
    wb.save(path)
    return path


def test_import_opens_cases_for_absence_without_leave(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "store")
    sheet = _sheet(tmp_path / "日报.xlsx")
    seen: list[tuple[int, int]] = []
    result = import_absences(
        store, sheet, "liupu-2026", {"name": SCHOOL, "township": "修仁镇"}, "文员", date(2026, 3, 31),
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    assert [c.student.name for c in result.opened] == ["韦堃", "孙一"]
    assert result.opened[0].opened == date(2026, 3, 2) and result.opened[0].reason == "外出务工"
    assert result.opened[0].school.township == "修仁镇"
    why = {name: reason for _, name, reason in result.skipped}
    assert why["李红"] == "已请假（病假），不开案"
    assert why["王五"] == "没有未到校起始日期，不开案"
    assert "不是荔浦市第二初级中学的学生" in why["赵七"]
    assert "钱九" not in why  # refused, not skipped: its ID number is wrong
    assert [(name, "校验码错误" in reason) for _, name, reason in result.refused] == [
        ("钱九", True)
    ]
    assert seen[-1] == (6, 6) and result.rows == 6
    assert len(store.all()) == 2
    again = import_absences(store, sheet, "liupu-2026", {"name": SCHOOL}, "文员", date(2026, 3, 31))
    assert (
        not again.opened and "已有未销号的个案" in dict((n, r) for _, n, r in again.skipped)["韦堃"]
    )


def test_import_from_the_command_line(cli: Callable[..., Any], tmp_path: Path) -> None:
    sheet = _sheet(tmp_path / "日报.xlsx")
    result = cli(
        "cases", "import", sheet, "--profile", "liupu-2026", "--school", SCHOOL,
        "--store", tmp_path / "store", "--today", "2026-03-31",
    )  # fmt: skip
    assert result.exit_code == 1, result.output  # 钱九's row is refused: input refused in part
    assert "开案2个，未开案3行，拒绝1行" in result.output and "已请假（病假）" in result.output
    assert "第7行 钱九：拒绝开案" in result.output


def test_a_daily_sheet_whose_date_column_is_headed_日期_opens_cases(tmp_path: Path) -> None:
    """A 未按时返校学生日报 headed 日期 | 姓名 | 班级 | 是否请假 (as schools head it) opened no
    case at all: no column was the absence date. The sheet's date column is, by its values;
    a 出生日期 column is not."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["日期", "姓名", "出生日期", "班级", "监护人", "是否请假", "未到校原因"])
    ws.append([date(2026, 3, 2), "韦堃", date(2012, 3, 15), "3班", "韦建国", "否", "外出务工"])
    ws.append(["2026-03-03", "李红", date(2012, 5, 1), "2班", "李强", "病假", ""])
    ws.append(["2026年3月4日", "孙一", date(2012, 7, 9), "4班", "孙二", "旷课", "厌学"])
    wb.save(tmp_path / "日报.xlsx")
    store = CaseStore(tmp_path / "store")
    result = import_absences(
        store, tmp_path / "日报.xlsx", "liupu-2026", {"name": SCHOOL}, "文员", date(2026, 3, 31)
    )
    assert [(c.student.name, c.opened) for c in result.opened] == [
        ("韦堃", date(2026, 3, 2)),
        ("孙一", date(2026, 3, 4)),
    ]
