"""Packages made by other schools, laid out as their clerks lay them out, and what a person saw
the audit make of them: a class teacher counted as a pupil on the roll call, a guardian listed as
the suspended student, an approver's name where the tier that signed belongs, a second table's
repeated header row or a meeting register's rows left unread (the verdicts then waiting for a
person), a home-teaching compilation read as no sessions because its prose calls the child 小明,
the note of a home visit read as a leave that ends before it starts, a register's 12.10 not read
as a date. Each test writes a few files to tmp_path and checks the facts read or a verdict."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fixtures.audited import PERIOD, item, read_and_audit, subject, write
from fixtures.packages import school
from fixtures.packages.docs import Grid, docx, xlsx

from audit.run import read_facts

LEAVE_SYSTEM = school.leave_system()  # 一天班主任、两天政教处、三天及以上校长


# ------------------------------------------------------------------ 1. 班主任、监护人 columns

PUPILS = ["黄子涵", "覃雨轩", "李浩然", "莫欣怡", "韦思远", "陈佳琪"]
CLASS_TEACHERS = ["周美兰", "莫秋菊"]


def _class(i: int) -> str:
    return "四（1）班" if i < 3 else "四（2）班"


def _xueji() -> bytes:
    rows: list[list[object]] = [["序号", "全国学籍号", "姓名", "性别", "班级"]]
    rows += [
        [i + 1, f"G4503312012{i:04d}", n, "女" if i % 2 else "男", _class(i)]
        for i, n in enumerate(PUPILS)
    ]
    return xlsx({"学籍": rows})


@pytest.mark.parametrize("with_names", [True, False], ids=["summary-and-names", "summary-only"])
def test_a_roll_calls_class_teachers_are_not_counted_as_pupils(
    tmp_path: Path, with_names: bool
) -> None:
    """班级 | 班主任 | 应到 | 实到: the teachers' names beside their classes are no pupils, so
    the roll call counts the six pupils the 学籍 system lists and 2.1 passes."""
    sheets: dict[str, list[list[object]]] = {
        "汇总": [
            ["班级", "班主任", "应到", "实到", "请假"],
            ["四（1）班", CLASS_TEACHERS[0], 3, 3, 0],
            ["四（2）班", CLASS_TEACHERS[1], 3, 3, 0],
        ]
    }
    if with_names:
        sheets["点名"] = [["班级", "姓名", "到校情况"]]
        sheets["点名"] += [[_class(i), n, "到校"] for i, n in enumerate(PUPILS)]
    facts, result = read_and_audit(
        tmp_path,
        {
            "二、防辍学/学籍系统导出学生名单.xlsx": _xueji(),
            "二、防辍学/在校学生点名册.xlsx": xlsx(sheets),
        },
    )
    (roll,) = [h for h in facts.headcounts if h.source == "roll_call"]
    assert roll.count == len(PUPILS)
    assert roll.names == (PUPILS if with_names else [])
    listed = {s.name for s in facts.students if s.roster == "on_roll"}
    assert not listed & set(CLASS_TEACHERS)
    assert item(result, "2.1").status == "pass"


SUSPENDED = [("罗志豪", "罗可英", date(2025, 10, 20)), ("蓝雨萱", "周雨英", date(2025, 11, 28))]


def _guardian_first() -> bytes:
    """监护人姓名 before 学生姓名."""
    rows: list[list[object]] = [["序号", "监护人姓名", "学生姓名", "性别", "休学日期"]]
    rows += [[i + 1, g, n, "男", d] for i, (n, g, d) in enumerate(SUSPENDED)]
    return xlsx({"名册": rows})


def _two_row_header() -> bytes:
    """学生 over 姓名 | 性别 | 年级, 监护人 over 姓名 | 联系电话."""
    rows: list[list[object]] = [
        ["序号", "学生", "", "", "监护人", "", "休学日期"],
        ["", "姓名", "性别", "年级", "姓名", "联系电话", ""],
    ]
    rows += [
        [i + 1, n, "男", "8年级", g, f"1380000000{i}", d] for i, (n, g, d) in enumerate(SUSPENDED)
    ]
    return xlsx({"名册": rows}, merges={"名册": ["B1:D1", "E1:F1", "A1:A2", "G1:G2"]})


@pytest.mark.parametrize(
    "roster", [_guardian_first, _two_row_header], ids=["guardian-first", "two-row-header"]
)
def test_a_suspension_rosters_guardians_are_not_the_suspended_students(
    tmp_path: Path, roster: Callable[[], bytes]
) -> None:
    root = write(tmp_path / "pkg", {"三、政策性休学/政策性休学学生名册.xlsx": roster()})
    facts = read_facts(root, PERIOD)
    suspended = {(s.name, s.since) for s in facts.students if s.roster == "suspension"}
    assert suspended == {(n, d) for n, _, d in SUSPENDED}


# ------------------------------------------------------------------ 2. approvers by tier

# (student, reason, 请假时间, days, the tiers that signed)
LEAVES = [
    ("陆诗彤", "感冒发烧", "2025年10月9日", 1, 1),
    ("黄子涵", "家中有事", "2025年11月3日至11月4日", 2, 2),
    ("覃雨轩", "走亲戚", "2025年12月1日至12月3日", 3, 3),
]
SIGNERS = ["周美兰", "莫秋菊", "李春燕"]  # 班主任, 政教处主任, 校长
TIERS = {"陆诗彤": "班主任", "黄子涵": "政教处", "覃雨轩": "校长"}


def test_an_approver_column_per_tier_gives_the_tier_that_signed_not_the_name(
    tmp_path: Path,
) -> None:
    """班主任审批 | 政教处审批 | 校长审批, each holding the signer's name: the 3-day leave signed
    in all three was approved by the 校长, and 2.4 passes (not a name to check by hand)."""
    rows: list[list[object]] = [
        ["学生请假登记表"],
        ["序号", "学生姓名", "班级", "请假事由", "请假时间", "天数", "班主任审批", "政教处审批",
         "校长审批", "销假时间"],
    ]  # fmt: skip
    for i, (name, why, when, days, signed) in enumerate(LEAVES):
        tiers = [SIGNERS[t] if t < signed else "" for t in range(3)]
        rows.append([i + 1, name, "四（1）班", why, when, days, *tiers, "已销假"])
    facts, result = read_and_audit(
        tmp_path,
        {
            "二、防辍学/学生请假登记表.xlsx": xlsx({"请假": rows}, merges={"请假": ["A1:J1"]}),
            **LEAVE_SYSTEM,
        },
    )
    assert {v.student: v.approver for v in facts.leaves} == TIERS
    assert item(result, "2.4").status == "pass"


def test_a_two_row_opinion_header_over_the_tiers_gives_the_tier_that_signed(
    tmp_path: Path,
) -> None:
    """审批意见及签名 spanning 班主任 | 政教处 | 校长, cells like 同意李春燕: read by tier, and
    no row of the register is left unread."""
    grid = [
        ["序号", "学生姓名", "请假事由", "请假时间", "天数", "审批意见及签名", "", ""],
        ["", "", "", "", "", "班主任", "政教处", "校长"],
    ]
    for i, (name, why, when, days, signed) in enumerate(LEAVES):
        tiers = [f"同意{SIGNERS[t]}" if t < signed else "" for t in range(3)]
        grid.append([str(i + 1), name, why, when, str(days), *tiers])
    merges = [(0, 5, 1, 3), *[(0, c, 2, 1) for c in range(5)]]
    facts, result = read_and_audit(
        tmp_path,
        {
            "二、防辍学/学生请假登记表.docx": docx(["学生请假登记表", Grid(grid, merges=merges)]),
            **LEAVE_SYSTEM,
        },
    )
    assert {v.student: v.approver for v in facts.leaves} == TIERS
    assert facts.unread == []
    assert item(result, "2.4").status == "pass"


# ------------------------------------------------------------------ 3. two tables in one sheet

VISIT_HEADER = ["序号", "日期", "参加人员（单位、职务）", "劝访内容", "学生及家长态度", "家长签名",
                "备注"]  # fmt: skip
JOINT = "镇政府副镇长王明、村委会主任李强、班主任黄丽"
AFTER = "班主任黄丽、村委会主任李强"
BEFORE_VISITS = ["2025.10.14", "2025.10.28", "2025.11.11"]
AFTER_VISITS = ["2025.12.18", "2026.1.15", "2026.3.19", "2026.5.14", "2026.6.25"]


def test_two_visit_tables_stacked_in_one_sheet_are_read_whole(tmp_path: Path) -> None:
    """一、办理政策性休学前联合劝访, its header and rows; a blank row; 二、办理政策性休学后劝返,
    the header again and its rows: every visit is 莫凡's, the repeated header is no unread
    record, and 3.4 (a visit at least every three months) is decided, not left to a person."""
    rows: list[list[object]] = [["莫凡联合劝访及劝返记录"], ["一、办理政策性休学前联合劝访"]]
    rows += [VISIT_HEADER]
    rows += [
        [i + 1, d, JOINT, "宣传义务教育法，劝导返校", "家长坚持申请休学", "莫大勇", ""]
        for i, d in enumerate(BEFORE_VISITS)
    ]
    rows += [[], ["二、办理政策性休学后劝返"], VISIT_HEADER]
    rows += [
        [i + 1, d, AFTER, "了解身体恢复情况，劝导复学", "家长表示病好后复学", "莫大勇", ""]
        for i, d in enumerate(AFTER_VISITS)
    ]
    record = "三、政策性休学/莫凡/联合劝访记录.xlsx"
    facts, result = read_and_audit(
        tmp_path,
        {
            **school.suspension_roster([("莫凡", date(2025, 11, 24))]),
            record: xlsx({"Sheet1": rows}),
        },
    )
    expected = [date(*map(int, d.split("."))) for d in BEFORE_VISITS + AFTER_VISITS]
    assert sorted(v.date for v in facts.visits if v.student == "莫凡") == expected
    assert [u.prov.snippet for u in facts.unread if u.prov.file == record] == []
    (read,) = [f for f in facts.files if f.path == record]
    assert read.account is not None and read.account.unread == 0
    assert subject(result, "3.4", "莫凡") == "pass"


# ------------------------------------------------------------------ 4. a workbook of several kinds

MEETING_DAYS = [date(2025, 9, 5), date(2025, 11, 14), date(2026, 3, 6)]


def test_a_meeting_register_in_a_compiled_workbook_is_no_leave(tmp_path: Path) -> None:
    """会议登记 | 请假登记 | 送教 sheets in one 台账: the meetings (one about 送教上门) make no
    leave — none from 9月5日 to 11月14日 — and their rows are no unread pieces."""
    meetings = [
        ["序号", "会议日期", "会议名称", "参会人员", "会议内容"],
        [1, "2025年9月5日", "2025年秋季学期控辍保学工作会议", "全体教师", "部署控辍保学、送教上门工作"],
        [2, "2025年11月14日", "送教上门工作推进会", "送教教师", "总结送教上门工作，安排下阶段送教"],
        [3, "2026年3月6日", "2026年春季学期控辍保学工作推进会", "全体班主任", "部署劝返和送教上门工作"],
    ]  # fmt: skip
    leaves = [
        ["学生请假登记表"],
        ["序号", "学生姓名", "班级", "请假原因", "请假时间", "天数", "审批人", "销假时间"],
        [1, "陆诗彤", "四（1）班", "感冒发烧", "2025年10月9日", 1, "班主任", "2025年10月10日"],
        [2, "黄子涵", "四（1）班", "家中有事", "2025年12月1日至12月2日", 2, "政教处", "2025年12月3日"],
    ]  # fmt: skip
    teaching = [
        ["2025-2026学年送教上门工作记录表"],
        ["送教日期", "起止时间", "课时数", "每课时时长（分钟）", "送教教师", "学生姓名", "送教内容"],
        ["2025年10月8日", "9:00-11:00", 3, 40, "李老师", "覃小明", "生活语文"],
        ["2025年10月22日", "9:00-11:00", 3, 40, "李老师", "覃小明", "康复训练"],
    ]  # fmt: skip
    workbook = "控辍保学工作台账.xlsx"
    facts, result = read_and_audit(
        tmp_path,
        {
            **school.home_teaching_roster([("覃小明", date(2025, 9, 1))]),
            workbook: xlsx({"会议登记": meetings, "请假登记": leaves, "送教": teaching}),
            **LEAVE_SYSTEM,
        },
    )
    assert sorted((v.student, v.start, v.end) for v in facts.leaves) == [
        ("陆诗彤", date(2025, 10, 9), date(2025, 10, 9)),
        ("黄子涵", date(2025, 12, 1), date(2025, 12, 2)),
    ]
    assert not [v for v in facts.leaves if {v.start, v.end} & set(MEETING_DAYS)]
    assert [(u.prov.sheet, u.prov.snippet) for u in facts.unread] == []
    assert sorted(s.date for s in facts.sessions if s.student == "覃小明") == [
        date(2025, 10, 8),
        date(2025, 10, 22),
    ]
    assert item(result, "2.4").status == "pass"


# ------------------------------------------------------------------ 5. a compiled DOCX of prose

XIAOMING = ["9月11日", "9月25日", "10月16日", "10月30日"]


def test_a_compilation_calling_the_child_by_the_given_name_gives_the_rostered_pupils_sessions(
    tmp_path: Path,
) -> None:
    """一、覃小明（三年级）送教记录, then 2025年9月覃小明送教记录 and prose of 小明's home; the
    closing 汇编：罗晓燕审核：黄志强 2026年7月15日 is the compiler's line, no session."""
    parts: list[str] = ["送教上门过程性材料汇编", "一、覃小明（三年级）送教记录"]
    for month in (9, 10):
        parts.append(f"2025年{month}月覃小明送教记录")
        parts += [
            f"{day}下午，到小明家送教三节课（2:30到4:50，每节40分钟）。"
            for day in XIAOMING
            if day.startswith(f"{month}月")
        ]
    parts += [
        "二、黄雨涵（五年级）送教记录",
        "2025年9月黄雨涵送教记录",
        "9月12日上午，到雨涵家送教三节课（9:00到11:20，每节40分钟）。",
        "汇编：罗晓燕审核：黄志强 2026年7月15日",
    ]
    compiled = "四、送教上门/送教上门过程性材料汇编.docx"
    roster = school.home_teaching_roster(
        [("覃小明", date(2025, 9, 1)), ("黄雨涵", date(2025, 9, 1))]
    )
    facts, result = read_and_audit(tmp_path, {**roster, compiled: docx(parts)})
    mine = [s for s in facts.sessions if s.student == "覃小明"]
    assert sorted(s.date for s in mine) == [
        date(2025, 9, 11),
        date(2025, 9, 25),
        date(2025, 10, 16),
        date(2025, 10, 30),
    ]
    assert all((s.periods, s.minutes_per_period) == (3, 40) for s in mine)
    assert [s.date for s in facts.sessions if s.student == "黄雨涵"] == [date(2025, 9, 12)]
    assert not [s for s in facts.sessions if s.date == date(2026, 7, 15)]
    assert [u.prov.snippet for u in facts.unread] == []
    for rid in ("4.5", "4.6"):  # 课时 a visit, minutes a 课时: read, so decided
        assert subject(result, rid, "覃小明") == "pass", rid


# ------------------------------------------------------------------ 6. the note of a home visit

CHECKED = (
    "2026年3月20日下午，班主任周美兰、政教处主任莫秋菊到四年级学生陆诗彤家中核实请假情况。"
    "该生3月14日在家中摔伤右腿，经医院诊断需在家休养，家长已按规定办理请假手续，请假情况属实。"
)


@pytest.mark.parametrize("heading", [True, False], ids=["own-heading", "right-under"])
def test_the_note_of_the_home_visit_after_a_register_checks_its_long_leave(
    tmp_path: Path, heading: bool
) -> None:
    """The register's 10-day leave (备注: 3月20日…上门核实) and, under it, the visit told in a
    paragraph (under a heading of its own, a section of the file, or right under the table):
    the leave was checked at home, the paragraph is no leave of its own (20 March to 14 March)
    and nothing is left unread — 2.4 passes."""
    grid = [
        ["序号", "学生姓名", "班级", "请假事由", "请假时间", "天数", "审批人", "销假时间", "备注"],
        ["1", "黄子涵", "四年级", "感冒发烧", "2025年10月9日", "1", "班主任", "2025年10月10日", ""],
        ["2", "陆诗彤", "四年级", "摔伤", "2026年3月14日至3月23日", "10", "校长", "2026年3月24日",
         "连续请假超过7天，3月20日班主任周美兰、政教处主任莫秋菊上门核实"],
    ]  # fmt: skip
    note = ["请假学生家访核实记录", CHECKED] if heading else [CHECKED]
    register = docx(["学生请假登记表", Grid(grid), *note])
    facts, result = read_and_audit(
        tmp_path, {"二、防辍学/学生请假登记表.docx": register, **LEAVE_SYSTEM}
    )
    told = [v for v in facts.leaves if v.student == "陆诗彤"]
    assert [(v.start, v.end, v.days, v.home_visit) for v in told] == [
        (date(2026, 3, 14), date(2026, 3, 23), 10, True)
    ]
    assert not [v for v in facts.leaves if v.end < v.start]
    assert facts.unread == []
    assert item(result, "2.4").status == "pass"


# ------------------------------------------------------------------ 7. 12.10 in a year's register


def test_a_month_dot_day_leave_date_is_read_in_the_school_year_the_title_names(
    tmp_path: Path,
) -> None:
    """请假时间 12.10 and 3.16 under 2025—2026学年…请假登记表: 10 December 2025, 16 March 2026."""
    rows: list[list[object]] = [
        ["东昌镇中心小学2025—2026学年学生请假登记表"],
        ["序号", "学生姓名", "班级", "请假事由", "请假时间", "天数", "审批人", "销假情况"],
        [1, "黄子涵", "四（1）班", "感冒发烧", "12.10", 1, "班主任", "已销假"],
        [2, "陆诗彤", "四（1）班", "家中有事", "3.16", 2, "政教处", "已销假"],
    ]
    facts, result = read_and_audit(
        tmp_path,
        {
            "二、防辍学/学生请假登记表.xlsx": xlsx({"请假": rows}, merges={"请假": ["A1:H1"]}),
            **LEAVE_SYSTEM,
        },
    )
    assert sorted((v.student, v.start, v.end) for v in facts.leaves) == [
        ("陆诗彤", date(2026, 3, 16), date(2026, 3, 17)),
        ("黄子涵", date(2025, 12, 10), date(2025, 12, 10)),
    ]
    assert facts.unread == []
    assert item(result, "2.4").status == "pass"
