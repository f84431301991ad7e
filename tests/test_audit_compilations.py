"""Compilations and forms as schools make them, and what a person saw the audit make of them: a
comparison table's 相符 counted as seven pupils of the 学籍 list; a one-file 迎检资料汇编 whose
目录 lines opened documents of their own, whose form titles (控辍保学联合劝访记录表, 政策性休学申请书)
named students called 控辍保学 and 政策性, and whose joint visits under 欧阳浩宇：5.休学前联合劝访记录
were nobody's; the record of the home visit that checked a long leave read as a second leave; a
visit sheet whose 参加人员 spans 学校 | 乡政府 | 村委会 left unread; a 送教 workbook's 节次 not
read as 课时 and its 寒假 note read as a session on 24 January; a form's 学生姓名莫小芳 taken for a
label. Each test writes a few files to tmp_path (or builds a table) and checks the facts read or a
verdict."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from fixtures.audited import item, read_and_audit, subject
from fixtures.packages import school
from fixtures.packages.docs import Grid, docx, xlsx

from audit.extract.tables import find_header, form_label, records
from audit.readers.model import Table
from forms import names

# ------------------------------------------------------------------ 1. names begin with a surname


@pytest.mark.parametrize("teacher", [True, False], ids=["with-class-teacher", "counts-only"])
def test_a_summary_tables_agreement_column_is_no_column_of_names(teacher: bool) -> None:
    """班级 | (班主任) | 学籍人数 | 实到 | 是否相符, the last column 相符 all down: no pupils."""
    head = ["班级", "班主任", "学籍人数", "实到", "是否相符"]
    body = [
        ["四（1）班", "周美兰", "45", "45", "相符"],
        ["四（2）班", "莫秋菊", "44", "44", "相符"],
        ["五（1）班", "韦春燕", "40", "40", "相符"],
    ]
    keep = [c for c, h in enumerate(head) if teacher or h != "班主任"]
    table = Table(rows=[[row[c] for c in keep] for row in [head, *body]])
    assert find_header(table, ("name",)) is None
    assert records(table) == []


def test_a_status_column_of_two_character_words_is_no_column_of_names() -> None:
    """序号 | 班级 | 状态 with 在读 and 病假 down the last column: nobody is listed."""
    rows = [["序号", "班级", "状态"], ["1", "四（1）班", "在读"], ["2", "四（1）班", "病假"]]
    rows += [["3", "四（2）班", "在读"], ["4", "四（2）班", "休学"]]
    table = Table(rows=rows)
    assert find_header(table, ("name",)) is None
    assert records(table) == []


ROSTERED = ["覃小明", "欧阳浩宇", "阿依古丽·买买提", "禤文"]


@pytest.mark.parametrize(
    ("text", "person"),
    [(n, True) for n in ROSTERED]
    + [(w, False) for w in ["相符", "在读", "病假", "控辍保学", "政策性"]],
)
def test_a_name_begins_with_a_surname_or_joins_its_parts_with_a_dot(
    text: str, person: bool
) -> None:
    """覃 and 禤 (Guangxi), 欧阳 (compound), 阿依古丽·买买提 (a middle dot): persons; 相符, 在读,
    病假, 控辍保学, 政策性 fill registers and titles and are nobody."""
    assert names.looks_like_person(text) is person


def test_the_names_are_read_from_the_column_of_persons_not_the_status_column_before_it() -> None:
    """序号 | 在校情况 | 对象 | 班级, headings no alias knows: the names are 对象's (覃小明, 欧阳浩宇,
    阿依古丽·买买提, 禤文), not 在校情况's 在读 and 病假."""
    rows = [["序号", "在校情况", "对象", "班级"]]
    rows += [
        [str(i + 1), "病假" if i == 1 else "在读", n, "四（1）班"] for i, n in enumerate(ROSTERED)
    ]
    table = Table(rows=rows)
    header = find_header(table, ("name",))
    assert header is not None and header.columns.get(2) == "name"
    assert 1 not in header.columns
    assert [r.get("name") for r in records(table)] == ROSTERED


PUPILS = ["黄子涵", "覃雨轩", "李浩然", "莫欣怡", "韦思远", "陈佳琪", "欧阳浩宇", "禤文"]
CLASSES = ["一年级（1）班", "二年级（1）班", "三年级（1）班", "四年级（1）班", "五年级（1）班",
           "六年级（1）班", "六年级（2）班"]  # fmt: skip


def _class_of(i: int) -> str:
    return CLASSES[max(i - 1, 0)]  # two pupils in the first class, one in each other


def test_a_comparison_tables_agreements_are_no_pupils_on_the_xueji_list(tmp_path: Path) -> None:
    """学籍系统导出学生名单 (8 pupils) beside 学籍人数与实际在校人数比对表 (7 classes, 是否相符 all
    相符): the 学籍 side is the list's 8 pupils, not 7 pupils called 相符, so 2.1 passes against
    a roll call of the same 8."""
    xueji: list[list[object]] = [["序号", "全国学籍号", "姓名", "性别", "班级"]]
    xueji += [[i + 1, f"G4503312012{i:04d}", n, "男", _class_of(i)] for i, n in enumerate(PUPILS)]
    grid = [["班级", "班主任", "学籍人数", "实到", "是否相符"]]
    teachers = ["周美兰", "莫秋菊", "韦春燕", "黄丽", "罗志明", "廖海燕", "陆建平"]
    for c, t in zip(CLASSES, teachers, strict=True):
        count = str(sum(1 for i in range(len(PUPILS)) if _class_of(i) == c))
        grid.append([c, t, count, count, "相符"])
    roll: list[list[object]] = [["班级", "姓名", "到校情况"]]
    roll += [[_class_of(i), n, "到校"] for i, n in enumerate(PUPILS)]
    facts, result = read_and_audit(
        tmp_path,
        {
            "二、防辍学/学籍系统导出学生名单.xlsx": xlsx({"学籍": xueji}),
            "二、防辍学/学籍人数与实际在校人数比对表.docx": docx(
                ["学籍人数与实际在校人数比对表", Grid(grid)]
            ),
            "二、防辍学/在校学生点名册.xlsx": xlsx({"点名": roll}),
        },
    )
    counted = [h for h in facts.headcounts if h.source == "xueji"]
    assert counted and all(h.count == len(PUPILS) for h in counted)
    assert all(h.names in ([], PUPILS) for h in counted)
    assert not [s for s in facts.students if s.name == "相符"]
    assert item(result, "2.1").status == "pass"


# ------------------------------------------------------------------ 2. a one-file binder

OUYANG = "欧阳浩宇"
TEAM = (
    "桥头镇人民政府：周志刚（副镇长）石牛村委会：梁德明（村委主任）桥头镇中心小学：陆建平（校长）"
)
JOINT_VISITS = [
    ("第一次", "2025年9月5日"),
    ("第二次", "2025年9月19日"),
    ("第三次", "2025年10月10日"),
]


def _visit_form(day: str) -> Grid:
    rows = [
        ["劝访时间", day, "劝访地点", "学生家中"],
        ["参加单位及人员", TEAM, "", ""],
        ["劝访情况", "宣传《义务教育法》，劝导学生返校就读", "", ""],
        ["学生及家长态度", "家长表示孩子身体原因暂不能返校，申请休学", "", ""],
        ["家长签名", "欧阳德明", "", ""],
    ]
    return Grid(rows, merges=[(r, 1, 1, 3) for r in range(1, 5)])


def _binder() -> bytes:
    parts: list[str | Grid] = [
        "桥头镇中心小学控辍保学迎检资料汇编",
        "目录",
        "（一）政策性休学学生名册 3",
        f"（二）{OUYANG}政策性休学材料 18",
        f"{OUYANG}：1.政策性休学认定表 18",
        f"{OUYANG}：2.政策性休学申请书 19",
        f"{OUYANG}：5.休学前联合劝访记录 24",
        "（一）政策性休学学生名册",
        Grid(
            [
                ["序号", "姓名", "性别", "年级", "休学时间", "休学原因"],
                ["1", OUYANG, "男", "五年级", "2025年10月20日", "因病"],
            ]
        ),
        f"（二）{OUYANG}政策性休学材料",
        f"{OUYANG}：1.政策性休学认定表",
        "政策性休学认定表",
        Grid(
            [
                ["学生姓名", OUYANG, "性别", "男"],
                ["休学原因", "因病需长期治疗", "", ""],
                ["认定意见", "同意休学", "", ""],
            ]
        ),
        f"{OUYANG}：2.政策性休学申请书",
        "政策性休学申请书",
        f"尊敬的桥头镇中心小学：我是五年级学生{OUYANG}的家长欧阳德明，孩子因病需长期治疗，"
        "特申请政策性休学一年。申请人：欧阳德明 2025年10月15日",
        f"{OUYANG}：5.休学前联合劝访记录",
    ]
    for ordinal, day in JOINT_VISITS:
        parts += [f"控辍保学联合劝访记录表（{ordinal}）", _visit_form(day)]
    return docx(parts)


def test_a_binders_joint_visits_are_the_students_its_heading_names(tmp_path: Path) -> None:
    """迎检资料汇编.docx: a 目录 of lines ending in page numbers, then the 名册 and 欧阳浩宇's
    chapter, whose 5th part holds three 控辍保学联合劝访记录表 naming no student. The three visits
    are 欧阳浩宇's, joint (桥头镇人民政府, 石牛村委会, 桥头镇中心小学), so 3.3 passes; no 目录
    line is a document, and nobody called 控辍保学 or 政策性 appears in the facts or the report."""
    facts, result = read_and_audit(tmp_path, {"迎检资料汇编.docx": _binder()})
    visits = sorted(facts.visits, key=lambda v: v.date)
    assert [(v.student, v.date) for v in visits] == [
        (OUYANG, date(2025, 9, 5)),
        (OUYANG, date(2025, 9, 19)),
        (OUYANG, date(2025, 10, 10)),
    ]
    assert all(v.joint and v.bodies == {"school", "township", "village"} for v in visits)
    (binder,) = facts.files
    titles = [s.title for s in binder.sections]
    assert titles and not [t for t in titles if re.search(r"\s\d{1,3}$", t)]
    named = {v.student for v in facts.visits} | {u.student for u in facts.unread}
    named |= {d.student for d in facts.documents}
    assert named - {None} == {OUYANG}
    subjects = {s.student for i in result.items if i.id.startswith("3") for s in i.subjects}
    assert subjects == {OUYANG}
    assert subject(result, "3.3", OUYANG) == "pass"


# ------------------------------------------------------------------ 3. the check of a long leave

LEAVE_REGISTER = [
    ["序号", "学生姓名", "班级", "请假事由", "请假时间", "天数", "班主任审批", "政教处审批",
     "校长审批", "销假时间", "备注"],
    ["1", "黄子涵", "四年级(1)班", "感冒发烧", "2026年3月9日", "1天", "罗志明", "", "",
     "2026年3月10日", ""],
    ["2", "梁娜彤", "四年级(1)班", "腿部骨折", "2026年4月13日至2026年4月24日", "10天", "罗志明",
     "廖海燕", "黄国平", "2026年4月27日", ""],
]  # fmt: skip
LEAVE_CHECK = Grid(
    [
        ["学生姓名", "梁娜彤", "班级", "四年级(1)班"],
        [
            "请假时间",
            "2026年4月13日至2026年4月24日（共10个上学日）",
            "请假事由",
            "腿部骨折在家休养",
        ],
        ["核实时间", "2026年4月16日下午", "核实人员", "罗志明（班主任）、廖海燕（政教处主任）"],
        ["核实情况", "学生在家休养，腿部打石膏，家长陪护，请假情况属实", "", ""],
        ["家长签名", "梁文军", "", ""],
    ],
    merges=[(3, 1, 1, 3), (4, 1, 1, 3)],
)


def test_the_record_of_a_long_leaves_home_check_marks_that_leave_and_is_no_leave(
    tmp_path: Path,
) -> None:
    """学生请假登记表 (梁娜彤 10天, signed by 班主任, 政教处 and 校长, no 备注), then in the same
    DOCX 连续请假超过7天学生上门核实记录 with its one form: 梁娜彤 has one leave, approved by the
    校长 and checked at home, and 2.4 passes (no second leave of 12 days without approver)."""
    register = docx(
        ["学生请假登记表", Grid(LEAVE_REGISTER), "连续请假超过7天学生上门核实记录", LEAVE_CHECK]
    )
    facts, result = read_and_audit(
        tmp_path, {"二、防辍学/学生请假登记表.docx": register, **school.leave_system()}
    )
    told = [v for v in facts.leaves if v.student == "梁娜彤"]
    assert [(v.start, v.end, v.days, v.approver, v.home_visit) for v in told] == [
        (date(2026, 4, 13), date(2026, 4, 24), 10, "校长", True)
    ]
    assert len(facts.leaves) == 2
    assert facts.unread == []
    assert item(result, "2.4").status == "pass"


# ------------------------------------------------------------------ 4. a two-row visit header

MENG_VISITS: list[list[object]] = [
    ["第1次", "2025.09.12", "学生家中", "邓春梅、韦志刚", "陆海燕", "韦德全", "",
     "宣传义务教育法，劝导返校", "家长表示孩子病重暂不能上学", "蒙国强"],
    ["第2次", "2025.09.26", "学生家中", "邓春梅", "陆海燕", "韦德全", "",
     "了解病情，劝导返校", "家长申请休学", "蒙国强"],
    ["第3次", "2025.10.10", "学生家中", "邓春梅、韦志刚", "陆海燕", "韦德全", "",
     "了解治疗情况，宣传复学政策", "家长坚持申请休学", "蒙国强"],
]  # fmt: skip


def test_a_participants_heading_over_school_township_and_village_gives_each_visits_bodies(
    tmp_path: Path,
) -> None:
    """次数 | 日期 | 地点 | 参加人员 (over 学校 | 乡政府 | 村委会 | 其他) | 劝访情况 | 学生及家长
    态度 | 家长签名, in 三、政策性休学/蒙家豪/: three joint visits of 蒙家豪's, each with the school's,
    the township's and the village's people; no row is left unread and 3.3 passes."""
    rows: list[list[object]] = [
        ["政策性休学前联合劝访记录"],
        ["次数", "日期", "地点", "参加人员", "", "", "", "劝访情况", "学生及家长态度", "家长签名"],
        ["", "", "", "学校", "乡政府", "村委会", "其他", "", "", ""],
        *MENG_VISITS,
    ]
    merges = ["A1:J1", "D2:G2", "A2:A3", "B2:B3", "C2:C3", "H2:H3", "I2:I3", "J2:J3"]
    record = "三、政策性休学/蒙家豪/联合劝访记录.xlsx"
    facts, result = read_and_audit(
        tmp_path,
        {
            **school.suspension_roster([("蒙家豪", date(2025, 10, 20))]),
            record: xlsx({"Sheet1": rows}, merges={"Sheet1": merges}),
        },
    )
    visits = sorted(facts.visits, key=lambda v: v.date)
    assert [(v.student, v.date, v.prov.file) for v in visits] == [
        ("蒙家豪", date(2025, 9, 12), record),
        ("蒙家豪", date(2025, 9, 26), record),
        ("蒙家豪", date(2025, 10, 10), record),
    ]
    assert all(v.joint and v.bodies == {"school", "township", "village"} for v in visits)
    assert {(p.name, p.body) for p in visits[0].participants} == {
        ("邓春梅", "school"),
        ("韦志刚", "school"),
        ("陆海燕", "township"),
        ("韦德全", "village"),
    }
    assert [u.prov.snippet for u in facts.unread if u.prov.file == record] == []
    assert subject(result, "3.3", "蒙家豪") == "pass"


# ------------------------------------------------------------------ 5. a 送教 workbook by month

TEACHING_HEAD: list[object] = ["日期", "时间段", "节次", "每节分钟", "内容", "送教人", "家长签名"]
WINTER_NOTE = "注：1月24日至2月24日寒假，2月25日开学后恢复送教。"
TAUGHT = {
    "1月": [("2026.1.9", "生活语文：认识水果"), ("2026.1.16", "康复训练：手部精细动作")],
    "2月": [("2026.2.27", "生活数学：认识钟表")],
    "3月": [("2026.3.6", "生活适应：整理书包"), ("2026.3.20", "唱游律动")],
}


def _month_sheet(month: str, days: list[tuple[str, str]]) -> list[list[object]]:
    rows: list[list[object]] = [[f"黄雨涵2026年{month}送教上门记录"], TEACHING_HEAD]
    rows += [[d, "9:00-10:20", 2, 40, what, "李春燕、黄志强", "黄德胜"] for d, what in days]
    rows.append(["合计", "", 2 * len(days), "", "", "", ""])
    if month == "2月":
        rows.append([WINTER_NOTE])
    return rows


def test_a_teaching_workbooks_periods_come_from_its_lesson_column_and_its_note_is_no_session(
    tmp_path: Path,
) -> None:
    """A sheet a month, 日期 | 时间段 | 节次 | 每节分钟 | …, a 合计 row, and under February's rows
    注：1月24日至2月24日寒假…: every visit taught 2 课时 (节次), there is no session on 24 January,
    the note waits for no person, and 4.6 (每课时不少于30分钟) passes."""
    workbook = "四、送教上门/黄雨涵/送教上门记录.xlsx"
    sheets: dict[str, Sequence[Sequence[object]]] = {
        month: _month_sheet(month, days) for month, days in TAUGHT.items()
    }
    facts, result = read_and_audit(
        tmp_path,
        {
            **school.home_teaching_roster([("黄雨涵", date(2025, 9, 1))]),
            workbook: xlsx(sheets),
        },
    )
    taught = sorted(facts.sessions, key=lambda s: s.date)
    assert [(s.student, s.date, s.periods, s.minutes_per_period) for s in taught] == [
        ("黄雨涵", date(2026, 1, 9), 2, 40),
        ("黄雨涵", date(2026, 1, 16), 2, 40),
        ("黄雨涵", date(2026, 2, 27), 2, 40),
        ("黄雨涵", date(2026, 3, 6), 2, 40),
        ("黄雨涵", date(2026, 3, 20), 2, 40),
    ]
    assert not [s for s in facts.sessions if s.date == date(2026, 1, 24)]
    assert [u.prov.snippet for u in facts.unread if u.prov.file == workbook] == []
    (read,) = [f for f in facts.files if f.path == workbook]
    assert read.account is not None and read.account.unread == 0
    assert subject(result, "4.6", "黄雨涵") == "pass"


# ------------------------------------------------------------------ 6. form labels


def test_a_form_label_runs_on_with_more_label_not_with_a_name() -> None:
    """学生姓名莫小芳 is a label and its value run together, no label of its own; 参加人员签名
    is the participants' label, 签名 naming it more."""
    assert form_label("学生姓名莫小芳") is None
    assert form_label("参加人员签名") == "participants"


def test_units_and_people_is_the_participants_label() -> None:
    """参加单位及人员, the label a joint-visit form gives its participants."""
    assert form_label("参加单位及人员") == "participants"


def test_a_closing_bracket_ends_one_participant() -> None:
    """桥头镇人民政府：周志刚（副镇长）石牛村委会：梁德明（村委主任）…: no separator between the
    bodies, each person keeps their own (梁德明 was lost, 周志刚石 read as a name)."""
    from audit.extract.bodies import participants

    found = participants(
        "桥头镇人民政府：周志刚（副镇长）石牛村委会：梁德明（村委主任）桥头镇中心小学：陆建平（校长）"
    )
    named = {p.name: p.body for p in found if p.name in {"周志刚", "梁德明", "陆建平"}}
    assert named == {"周志刚": "township", "梁德明": "village", "陆建平": "school"}


def test_a_leave_span_in_boxes_of_its_own_is_read_whole() -> None:
    """请假时间 | 2025年11月10日 | 至 | 2025年11月20日 | 共计（天） | 9: read as one day of its
    nine, the leave needed no home check and 2.4 passed a school that skipped it."""
    from audit.extract.tables import form_values

    table = Table(
        rows=[["学生姓名", "罗婷", "", "", "班级", "九(1)班"],
              ["请假时间", "2025年11月10日", "至", "2025年11月20日", "共计（天）", "9"],
              ["上门核实情况（连续请假超过7天填写）", "", "", "", "", ""],
              ["核实教师", "", "", "核实日期", "", ""]],
    )  # fmt: skip
    record = form_values(table)
    assert record is not None
    assert record.values["date"] == "2025年11月10日至2025年11月20日"
    assert record.values["days"] == "9"
    from audit.extract.source import yes_no

    assert yes_no(record.values.get("home_visit", "")) is not True  # the box is empty


def test_a_date_box_above_the_check_label_is_no_check() -> None:
    """A form's text: the principal's 日期 2025年11月7日, then the empty 上门核实情况 box on the
    next line — no home visit was told."""
    from audit.extract.records import _VISITED

    assert not _VISITED.search(
        "校长意见 同意 签名 黄振东 日期 2025年11月7日\n上门核实情况（连续请假超过7天填写）"
    )
    assert _VISITED.search("3月20日班主任周美兰、政教处主任莫秋菊上门核实")
