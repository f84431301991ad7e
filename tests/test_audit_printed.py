"""Records printed to PDF read as the documents they were printed from — the corpus packages'
DOCX and XLSX exported by LibreOffice lost a third of their verdicts before these: a table row
broken across a page (Writer's default), a wrapped cell's line read again as prose
(2025.10.1 / 7 of 2025.10.17), the gap a word processor sets between Chinese and Western
characters (共3 课时，合计 120 分钟), a list printed two up, a form's label longer than its
alias (参加人员及单位), and records told as label：value lines one after another."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fixtures.audited import write
from fixtures.packages import school
from fixtures.packages.docs import Grid, docx
from fixtures.saved import SOFFICE, save_as

from audit.extract.tables import find_header, form_label, records
from audit.readers.model import Block, Table, table_text
from audit.readers.pdf_rows import join_broken_rows
from audit.rules import Period
from audit.run import read_facts

PERIOD = Period(*school.PERIOD)
needs_libreoffice = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is installed by make test"),
]


HEADER = ["次数", "日期", "时间", "送教教师", "课时数", "内容"]


def test_a_row_broken_across_a_page_is_one_row_again() -> None:
    foot = Table(
        rows=[HEADER, ["12", "2026年2月27日", "14:30-16:50", "梁晓燕", "3课时", "生活自理"],
              ["13", "2026年", "14:30-", "梁晓", "3课时", "生活适"]],
        page=1,
    )  # fmt: skip
    head = Table(
        rows=[["", "3月12日", "16:50", "燕、覃丽萍", "", "应：认识钱币"],
              ["14", "2026年3月26日", "14:30-16:50", "梁晓燕", "3课时", "社会适应"]],
        page=2,
    )  # fmt: skip
    items = join_broken_rows([Block("送教记录", 1), foot, head])
    assert foot.rows[-1] == ["13", "2026年3月12日", "14:30-16:50", "梁晓燕、覃丽萍", "3课时",
                             "生活适应：认识钱币"]  # fmt: skip
    assert head.rows == [["14", "2026年3月26日", "14:30-16:50", "梁晓燕", "3课时", "社会适应"]]
    assert len(items) == 3


def test_a_table_whose_first_column_is_often_empty_keeps_its_rows() -> None:
    """A merged first column (a student's name over their rows) is no broken row."""
    foot = Table(rows=[["姓名", "日期"], ["黄思琪", "2026年3月5日"], ["", "2026年3月12日"]], page=1)
    head = Table(rows=[["", "2026年3月19日"], ["", "2026年3月26日"]], page=2)
    join_broken_rows([foot, head])
    assert len(foot.rows) == 3 and len(head.rows) == 2


def test_a_wrapped_cells_line_is_the_tables_not_prose() -> None:
    cells = "\n".join(
        ["2025.10.17", "14:30-16:50", "唐秀云、苏海波", "3", "40分钟", "认识数字1-10"]
    )
    assert table_text("2025.10.1 14:30- 唐秀云、苏 3 40分钟 认识数字 1-", cells)
    assert not table_text("10月9日补送教一次，共3课时", cells)


def test_a_list_printed_two_up_gives_every_name() -> None:
    table = Table(
        rows=[["序号", "姓名", "性别", "序号", "姓名", "性别"],
              ["1", "何梓宁", "男", "3", "韦嘉阳", "男"],
              ["2", "吴春磊", "男", "4", "黄博航", "男"]],
    )  # fmt: skip
    assert [r.get("name") for r in records(table)] == ["何梓宁", "吴春磊", "韦嘉阳", "黄博航"]


def test_a_roll_call_summary_row_is_no_header() -> None:
    """Under 班级 | 班主任 | 应到 | 实到, the row 一年级（1）班 | 蒋丽娟 | 45 is a record: the
    class teacher is never taken for a pupil."""
    table = Table(
        rows=[["班级", "班主任", "学籍在读人数", "应到", "实到", "请假"],
              ["一年级（1）班", "蒋丽娟", "45", "45", "45", "0"],
              ["二年级（1）班", "廖春梅", "46", "46", "46", "0"]],
    )  # fmt: skip
    assert find_header(table, ("name",)) is None
    header = find_header(table)
    assert header is not None and header.index == 0


def test_a_forms_label_may_say_more_than_its_field() -> None:
    assert form_label("参加人员及单位") == "participants"
    assert form_label("送教日期") == "date"
    assert form_label("学生家中") is None  # a value that holds 学生
    assert form_label("一年级（1）班") is None


def test_visits_told_as_labelled_lines_one_after_another_are_a_visit_each(tmp_path: Path) -> None:
    lines: list[str] = ["黎晓丹同学联合劝访记录"]
    for n, day in (("一", "2025年9月17日"), ("二", "2025年10月15日"), ("三", "2025年10月29日")):
        lines += [
            f"第{n}次联合劝访",
            f"时间：{day}（星期三）",
            "地点：新坪镇福塘村黎晓丹家",
            "参加人员：学校：陆振华（政教处主任）；新坪镇人民政府：刘建军（副镇长）；"
            "福塘村村委会：黎宝生（村委会主任）",
            "结果：学生仍未返校，继续劝返。",
        ]
    root = write(tmp_path / "pkg", {"三、政策性休学/黎晓丹/休学前联合劝访记录.docx": docx(lines)})
    visits = read_facts(root, PERIOD).visits
    assert [(v.student, v.date, v.kind) for v in visits] == [
        ("黎晓丹", date(2025, 9, 17), "joint"),
        ("黎晓丹", date(2025, 10, 15), "joint"),
        ("黎晓丹", date(2025, 10, 29), "joint"),
    ]
    assert all(
        {"school", "township", "village"} <= {p.body for p in v.participants} for v in visits
    )


PROSE = [
    "何宇航送教上门记录",
    "2025年10月",
    "10月14日上午，特教教师李静与语文教师王春燕入户送教，共3课时，合计120分钟，内容：语文：认读常用"
    "汉字（家、爸、妈）。何宇航能在老师提示下完成练习，家长在旁陪同并表示满意。",
    "10月28日，送教教师王春燕、李静到何宇航家中开展送教，送教三课时，共计2小时，重点练习康复训练："
    "抓握练习，学生情绪稳定，能配合完成大部分练习内容。",
]
REGISTER = [
    "陈雨欣送教上门记录",
    Grid(
        [["序号", "日期", "时间", "送教教师", "课时数", "每课时时长", "内容"]]
        + [
            [
                str(i + 1),
                f"2025.{9 + i // 2}.{17 if i % 2 else 3}",
                "14:30-16:50",
                "唐秀云、苏海波",
                "3",
                "40分钟",
                "语文：认读常用汉字（家、爸、妈）、数字1-10、生活自理：洗手与刷牙",
            ]
            for i in range(8)
        ]
    ),
]


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is installed by make test")
def test_records_printed_to_pdf_read_as_the_documents_printed(tmp_path: Path) -> None:
    files = {
        "送教上门材料-何宇航/何宇航送教记录.docx": docx(PROSE),
        "送教上门/陈雨欣/送教记录.docx": docx(REGISTER),
    }
    printed = save_as(files, "pdf", tmp_path / "lo")

    def sessions(root: Path) -> list[tuple[str, date, int | None, float | None]]:
        facts = read_facts(root, PERIOD)
        assert not facts.unread, [u.prov.snippet for u in facts.unread]
        return sorted((s.student, s.date, s.periods, s.minutes_per_period) for s in facts.sessions)

    native = sessions(write(tmp_path / "docx", files))
    assert sessions(write(tmp_path / "pdf", printed)) == native
    assert ("何宇航", date(2025, 10, 14), 3, 40.0) in native
    assert len(native) == 10
