"""Regression fixtures named after the misreadings of issue 10, each a class of real input.

Each test writes the smallest package that showed the bug and asserts the facts read from it.
The variant suite (test_audit_variants.py) combines these shapes at random; these pin them.
"""

from __future__ import annotations

import random
from datetime import date, time
from pathlib import Path

from fixtures.packages.docs import docx, xlsx
from fixtures.rosters import make_id
from fixtures.variants.present import forms_files

from audit.extract.lists import headcount
from audit.extract.records import leaves
from audit.extract.source import Source
from audit.facts import PackageFacts
from audit.readers.model import Block, Table
from audit.rules import Period
from audit.run import read_facts

PERIOD = Period(date(2025, 9, 1), date(2026, 7, 15))
NAMES = [f"{s}{g}" for s in "王李张刘陈杨黄赵周吴" for g in ("小明", "思远", "雨涵")]


def _read(tmp_path: Path, files: dict[str, bytes]) -> PackageFacts:
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    return read_facts(tmp_path, PERIOD)


def test_roll_call_one_sheet_per_class_is_summed_and_total_row_not_added(tmp_path: Path) -> None:
    """Was read as its first sheet only (298 vs 49)."""
    classes = {f"七年级{n}班": NAMES[(n - 1) * 10 : n * 10] for n in (1, 2, 3)}
    sheets: dict[str, list[list[object]]] = {
        "汇总": [
            ["2025年秋季学期进班点名汇总"],
            ["班级", "应到人数", "实到人数"],
            *[[c, len(v), len(v)] for c, v in classes.items()],
            ["合计", 30, 30],
        ]
    }
    for cls, names in classes.items():
        sheets[cls] = [
            [f"{cls}进班点名册"],
            ["序号", "姓名", "性别", "到校情况"],
            *[[i + 1, n, "男", "到"] for i, n in enumerate(names)],
        ]
    facts = _read(tmp_path, {"二、防辍学/进班点名册.xlsx": xlsx(sheets)})
    (count,) = [h for h in facts.headcounts if h.source == "roll_call"]
    assert count.count == 30 and len(set(count.names)) == 30
    assert count.stated_total == 30


def test_suspension_date_never_taken_from_inside_an_id_number(tmp_path: Path) -> None:
    """The birth date inside the 身份证号 became the suspension date."""
    rows = [
        ["序号", "姓名", "身份证号", "年级", "休学开始时间", "监护人电话"],
        [1, "黄小明", make_id(date(2012, 5, 17), 1), "八年级", "2025年11月20日", "13977321234"],
        [2, "覃小红", make_id(date(2011, 9, 3), 2), "九年级", "2026.3.10", "13877310001"],
    ]
    facts = _read(
        tmp_path,
        {"三、政策性休学/休学学生名册.xlsx": xlsx({"Sheet1": [["政策性休学学生名册"], *rows]})},
    )
    since = {s.name: s.since for s in facts.students if s.roster == "suspension"}
    assert since == {"黄小明": date(2025, 11, 20), "覃小红": date(2026, 3, 10)}


def _session_form(day: date) -> list[tuple[str, str]]:
    return [
        ("学生姓名", "李小华"),
        ("送教日期", f"{day.year}年{day.month}月{day.day}日"),
        ("送教时间", "9:00-10:30"),
        ("课时数", "3"),
        ("送教教师", "李春梅、王海"),
        ("送教内容", "生活语文：认识常用汉字；康复训练：手部精细动作练习"),
    ]


def test_two_boxed_home_teaching_forms_on_one_pdf_page_are_both_read(tmp_path: Path) -> None:
    """Half the visits were read: only the first form of each page counted."""
    days = [date(2025, 9, 5), date(2025, 9, 19), date(2025, 10, 10), date(2025, 10, 24)]
    files = forms_files(
        random.Random(1),
        "四、送教上门/李小华送教上门记录",
        "送教上门记录表",
        [_session_form(d) for d in days],
        [str(d) for d in days],
        modes=("pdf_two_a_page",),
    )
    facts = _read(tmp_path, files)
    read = sorted((s.date, s.prov.page) for s in facts.sessions if s.student == "李小华")
    assert read == [(days[0], 1), (days[1], 1), (days[2], 2), (days[3], 2)]
    assert {(s.periods, s.minutes_per_period) for s in facts.sessions} == {(3, 30)}


def test_minutes_per_period_stated_once_above_the_table(tmp_path: Path) -> None:
    """“说明：每课时40分钟” above a table of dates and counts gives every row its minutes."""
    sheet = [
        ["莫小芳送教上门记录"],
        ["说明：每课时40分钟。"],
        ["序号", "送教日期", "课时", "送教教师", "内容"],
        [1, "2026-03-06", "三课时", "李春梅", "生活语文"],
        [2, "2026-03-20", "3", "李春梅", "康复训练"],
    ]
    facts = _read(tmp_path, {"四、送教上门/莫小芳/送教记录.xlsx": xlsx({"Sheet1": sheet})})
    got = [(s.student, s.date, s.periods, s.minutes_per_period) for s in facts.sessions]
    assert got == [
        ("莫小芳", date(2026, 3, 6), 3, 40.0),
        ("莫小芳", date(2026, 3, 20), 3, 40.0),
    ]


def test_leave_approvers_one_column_each_and_in_one_opinion_cell(tmp_path: Path) -> None:
    """A 3-day leave signed in a 校长 column (or 校长：同意 in one cell) is the 校长's approval."""
    columns = [
        ["学生请假登记表"],
        ["姓名", "班级", "请假时间", "天数", "事由", "班主任", "政教处", "校长"],
        ["谢婷婷", "七年级2班", "2025年12月8日", 3, "病假", "黄丽", "同意", "✓"],
        ["潘宇航", "八年级1班", "2025年11月3日", 2, "事假", "黄丽", "2025.11.3", ""],
    ]
    opinions = [
        ["学生请假登记表（二）"],
        ["姓名", "请假日期", "请假天数", "审批意见及签名"],
        ["陆文静", "2026-03-09", 3, "班主任：同意 黄丽；德育处：同意 韦强；校长：同意 覃校长"],
        ["韦思远", "2026-03-16", 1, "班主任：同意 黄丽"],
    ]
    facts = _read(
        tmp_path,
        {
            "二、防辍学/请假登记表.xlsx": xlsx({"Sheet1": columns}),
            "二、防辍学/请假登记表二.xlsx": xlsx({"Sheet1": opinions}),
        },
    )
    approver = {leave.student: leave.approver for leave in facts.leaves}
    assert approver == {"谢婷婷": "校长", "潘宇航": "政教处", "陆文静": "校长", "韦思远": "班主任"}


def test_long_leave_home_visit_on_a_second_sheet_is_not_a_leave(tmp_path: Path) -> None:
    """A 超7天家访核实 sheet is the home visit of the long leave, not another leave."""
    book = {
        "请假登记": [
            ["姓名", "请假开始日期", "请假结束日期", "天数", "审批人"],
            ["潘宇航", "2026-03-09", "2026-03-17", 9, "校长"],
        ],
        "超7天家访核实": [
            ["姓名", "家访日期", "家访教师", "核实情况"],
            ["潘宇航", "2026-03-16", "黄丽", "学生在家养病，家长陪护，情况属实"],
        ],
    }
    facts = _read(tmp_path, {"二、防辍学/学生请假台账.xlsx": xlsx(book)})
    assert [(lv.student, lv.days) for lv in facts.leaves] == [("潘宇航", 9)]
    visits = [(v.student, v.date, v.kind) for v in facts.visits]
    assert visits == [("潘宇航", date(2026, 3, 16), "home_visit")]


def test_minutes_stated_in_the_periods_heading(tmp_path: Path) -> None:
    """“课时（每课时40分钟）” was taken for a minutes column: 3 minutes a 课时, no 课时."""
    sheet = [
        ["李小华送教上门记录"],
        ["日期", "课时（每课时40分钟）", "送教老师", "内容"],
        ["2025-09-06", "3", "李春梅", "生活语文"],
        ["2025-09-20", "3节", "李春梅", "康复训练"],
    ]
    facts = _read(tmp_path, {"四、送教上门/李小华/送教记录.xlsx": xlsx({"Sheet1": sheet})})
    assert [(s.date.day, s.periods, s.minutes_per_period) for s in facts.sessions] == [
        (6, 3, 40.0),
        (20, 3, 40.0),
    ]


def test_suspension_roster_named_with_other_words_between(tmp_path: Path) -> None:
    """“休学缓学学生名单” was taken for the on-roll list, so 3.1 saw no roster."""
    rows = [
        ["2025-2026学年休学缓学学生名单"],
        ["统计时间：2026年6月"],
        ["序号", "学生姓名", "身份证号", "就读年级", "休学原因", "起始时间"],
        [1, "黄小明", make_id(date(2012, 5, 17), 1), "八年级", "身体原因", "2025.11.20"],
    ]
    facts = _read(tmp_path, {"三、休学/休学缓学学生名单.xlsx": xlsx({"Sheet1": rows})})
    assert facts.files[0].kind == "suspension_roster"
    assert [(s.name, s.since) for s in facts.students] == [("黄小明", date(2025, 11, 20))]


def test_several_visits_told_in_one_paragraph_are_each_a_visit(tmp_path: Path) -> None:
    """Only the first date of “……；2026年1月15日再次上门劝返；3月19日劝返” was read."""
    from fixtures.packages.docs import docx

    text = [
        "黄小明劝返记录",
        "第二次劝访：2025年10月24日，东昌镇政府冯明、新村村委会李强与班主任黄丽再次上门劝返，"
        "家长表示将于2025年10月30日送孩子复查。",
        "休学后劝返：2025年12月18日，黄丽、冯明上门劝返；2026年1月15日，黄丽再次上门劝返；"
        "3月19日，黄丽到黄小明家中劝返。家长均表示配合。",
    ]
    facts = _read(tmp_path, {"三、休学/黄小明/劝返记录.docx": docx(text)})
    got = [(v.date, [(p.name, p.body) for p in v.participants]) for v in facts.visits]
    assert got == [
        (date(2025, 10, 24), [("冯明", "township"), ("李强", "village"), ("黄丽", "school")]),
        (date(2025, 12, 18), [("黄丽", "other"), ("冯明", "other")]),
        (date(2026, 1, 15), [("黄丽", "other")]),
        (date(2026, 3, 19), [("黄丽", "other")]),
    ]


def test_class_attendance_sheet_with_a_column_per_day(tmp_path: Path) -> None:
    """A 考勤表 (姓名 | 1 | 2 | … | 30, a sheet per month) gave no recorded day at all."""
    sheets: dict[str, list[list[object]]] = {}
    school_days = 0
    for month in (9, 10):
        days = [d for d in range(1, 31) if date(2025, month, d).weekday() < 5]
        school_days += len(days)
        marks = {"王小明": ["√"] * len(days), "李思远": ["√"] * len(days)}
        marks["李思远"][2] = "病"
        sheets[f"{month}月"] = [
            [f"七年级1班{month}月学生考勤表"],
            ["姓名", *[str(d) for d in days], "备注"],
            *[[name, *row, ""] for name, row in marks.items()],
        ]
    facts = _read(tmp_path, {"二、防辍学/班级考勤表.xlsx": xlsx(sheets)})
    recorded = {a.date: a for a in facts.attendance}
    assert len(recorded) == school_days
    sick = recorded[date(2025, 9, 3)]
    assert (sick.absent, sick.names) == (1, ["李思远"])
    assert recorded[date(2025, 10, 1)].absent == 0 and sick.prov.sheet == "9月"


def test_form_cells_where_the_pdf_lost_the_rule_between_label_and_value() -> None:
    """pdfplumber read a boxed form's cells as “学生姓名莫小芳”: the second form of a page lost
    its name, its clock and its teachers."""
    from audit.extract.tables import form_values
    from audit.readers.model import Table

    table = Table(
        rows=[
            ["学生姓名莫小芳", "送教日期", "2026年6月5日"],
            ["送教时间上午9:00至10:30", "课时数", "3节"],
            ["送教教师李春梅、王海", "", ""],
            ["送教内容生活语文：认识常用汉字；康复训练", "", ""],
        ],
        page=3,
    )
    record = form_values(table)
    assert record is not None
    assert record.values == {
        "name": "莫小芳",
        "date": "2026年6月5日",
        "time_range": "上午9:00至10:30",
        "periods": "3节",
        "teachers": "李春梅、王海",
        "content": "生活语文：认识常用汉字；康复训练",
    }


def test_a_second_date_heading_over_clock_times_is_the_time_range(tmp_path: Path) -> None:
    """日期 | 送教时间 (9:00-11:00): the second column was dropped, so no 课时 had its minutes."""
    sheet = [
        ["李小华送教上门记录表"],
        ["日期", "送教对象", "送教时间", "课时", "送教教师"],
        ["2025年9月6日", "李小华", "9:00-11:00", "3节", "李春梅"],
        ["2025年9月20日", "李小华", "9:00-11:00", "3节", "李春梅"],
    ]
    facts = _read(tmp_path, {"四、送教上门/李小华送教上门记录表.xlsx": xlsx({"Sheet1": sheet})})
    assert [(s.date.day, s.minutes_per_period) for s in facts.sessions] == [(6, 40.0), (20, 40.0)]


def test_leave_forms_signed_in_boxes_and_days_told_in_the_time_box(tmp_path: Path) -> None:
    """“班主任签字 | 黄丽 | 政教处签字 | 韦强 / 校长签字 | (blank) | 销假时间”: the approver is the
    highest box signed, not the one whose blank sits before the next label; “12月8日起共3天”
    is three days."""
    from fixtures.packages.docs import PAGE_BREAK, Grid, docx

    def form(name: str, start: str, days: int, signed: list[str]) -> list[object]:
        return [
            "学生请假审批单",
            Grid(
                [
                    ["学生姓名", name, "班级", "七年级2班"],
                    ["请假时间", f"{start}起共{days}天", "请假事由", "病假"],
                    ["班主任签字", signed[0], "政教处签字", signed[1]],
                    ["校长签字", signed[2], "销假时间", ""],
                ]
            ),
            PAGE_BREAK,
        ]

    parts = [
        *form("谢婷婷", "2025年12月8日", 3, ["黄丽", "韦强", "覃山"]),
        *form("潘宇航", "2025年11月3日", 2, ["黄丽", "韦强", ""]),
        *form("陆文静", "2025年10月9日", 1, ["黄丽", "", ""]),
    ]
    facts = _read(tmp_path, {"二、防辍学/请假审批单.docx": docx(parts)})
    got = {lv.student: (lv.days, lv.end.day, lv.approver) for lv in facts.leaves}
    assert got == {
        "谢婷婷": (3, 10, "校长"),
        "潘宇航": (2, 4, "政教处"),
        "陆文静": (1, 9, "班主任"),
    }


def test_pdf_prose_wrapped_mid_sentence_is_read_as_paragraphs(tmp_path: Path) -> None:
    """A PDF gives its text a line at a time: “……到李小华家中送 / 教三课时” lost the 课时 and
    “2025年 / 9月20日” its year."""
    from fixtures.packages.docs import pdf

    paragraphs = [
        f"{'为进一步做好送教上门工作，' * (2 * i + 1)}2025年9月{day}日上午9:00-11:00，李春梅、"
        "王海老师到李小华家中送教三课时，每课时40分钟，内容：生活语文、康复训练，学生情绪稳定，"
        "家长积极配合，效果良好。"
        for i, day in enumerate((6, 20))
    ]
    facts = _read(
        tmp_path, {"四、送教上门/李小华送教上门记录.pdf": pdf("李小华送教上门记录", paragraphs)}
    )
    got = [(s.date, s.periods, s.minutes_per_period) for s in facts.sessions]
    assert got == [(date(2025, 9, 6), 3, 40.0), (date(2025, 9, 20), 3, 40.0)]


def test_table_running_on_to_a_page_whose_first_row_says_sanke(tmp_path: Path) -> None:
    """The first row on page 2 (… | 三课时 | …) was taken for a header: its visit was lost and the
    rows under it lost their clocks and teachers."""
    from datetime import timedelta

    from fixtures.packages.docs import Grid, pdf

    days = [date(2025, 9, 1) + timedelta(days=7 * i) for i in range(40)]
    rows = [["送教日期", "送教对象", "开始时间", "结束时间", "课时", "送教教师"]]
    rows += [
        [f"{d.year}年{d.month}月{d.day}日", "李小华", "9:00", "11:00", "三课时", "李春梅"]
        for d in days
    ]
    facts = _read(
        tmp_path, {"四、送教上门/李小华送教记录.pdf": pdf("李小华送教上门记录表", [Grid(rows)])}
    )
    assert max(s.prov.page or 0 for s in facts.sessions) >= 2  # it does run on
    got = [(s.date, s.start, s.end, s.teachers) for s in facts.sessions]
    assert got == [(d, time(9), time(11), ["李春梅"]) for d in days]


def test_leave_two_row_header_reads_start_and_end_under_one_heading(tmp_path: Path) -> None:
    """请假时间 merged over 起 | 止: 止 was unknown alone, the end became start + days, and the
    tier columns lost their headings when the header moved down a row."""
    rows: list[list[object]] = [
        ["学生请假登记表"],
        [
            "姓名",
            "班级",
            "请假事由",
            "请假时间",
            "",
            "天数",
            "班主任意见",
            "德育处意见",
            "校长意见",
        ],
        ["", "", "", "起", "止", "", "", "", ""],
        ["张三", "七(1)班", "生病", "2025-10-09", "2025-10-10", 2, "同意 王某", "", ""],
        ["王五", "八(1)班", "探亲", "2025-12-01", "2025-12-12", 10, "同意", "同意", "同意 韦某"],
    ]
    sheet = xlsx({"Sheet1": rows}, merges={"Sheet1": ["D2:E2"]})
    facts = _read(tmp_path, {"二、防辍学/请假审批/请假登记表.xlsx": sheet})
    got = {(x.student, x.start, x.end, x.approver) for x in facts.leaves}
    assert got == {
        ("张三", date(2025, 10, 9), date(2025, 10, 10), "班主任"),
        ("王五", date(2025, 12, 1), date(2025, 12, 12), "校长"),
    }


def test_prose_visit_with_our_school_joining_and_a_listed_participants_clause(
    tmp_path: Path,
) -> None:
    """“我校联合镇政府、村委会到…，参加人员：校长韦某、镇干部冯某、村支书李某”: 我校联合 was
    taken for a township person's name and the school was missing."""
    text = [
        "黄小明劝返工作记录",
        "2025年10月8日，我校联合镇政府、村委会到黄小明家开展劝返工作，参加人员：校长韦某、"
        "镇干部冯某、村支书李某。家长表示孩子因病暂不能返校。",
    ]
    facts = _read(tmp_path, {"三、政策性休学/黄小明/劝返记录.docx": docx(text)})
    (visit,) = facts.visits
    assert {(p.name, p.body) for p in visit.participants} == {
        ("韦某", "school"),
        ("冯某", "township"),
        ("李某", "village"),
    }


def test_participants_cell_of_body_colon_name_lines(tmp_path: Path) -> None:
    """A cell “学校：黄某某 / 镇政府：冯某某 / 村委会：李某” on three lines runs together when
    read; only the last body was kept."""
    form = [["劝返对象", "黄小明", "劝返时间", "2025年10月8日"]]
    form += [["劝返人员", "学校：黄某某\n镇政府：冯某某\n村委会：李某", "", ""]]
    form += [["劝返情况", "家长同意配合", "", ""]]
    facts = _read(
        tmp_path, {"三、政策性休学/黄小明/联合劝返记录.docx": docx(["联合劝返记录表", form])}
    )
    (visit,) = facts.visits
    assert visit.bodies == {"school", "township", "village"}


def test_session_sheet_per_month_with_a_shidu_column(tmp_path: Path) -> None:
    """A 时段 column (9:00-10:30) was not known as the time range: minutes unread."""
    sheets: dict[str, list[list[object]]] = {}
    for day in (date(2025, 9, 10), date(2025, 9, 24), date(2025, 10, 15)):
        sheet = sheets.setdefault(
            f"{day.month}月", [["日期", "学生", "时段", "课时数", "送教老师"]]
        )
        sheet.append([day.isoformat(), "李小华", "9:00-10:30", 3, "李春梅"])
    facts = _read(tmp_path, {"四、送教上门/李小华/2025年秋送教台账.xlsx": xlsx(sheets)})
    assert [(s.date.month, s.minutes_per_period) for s in facts.sessions] == [
        (9, 30.0),
        (9, 30.0),
        (10, 30.0),
    ]


def test_session_date_written_as_month_and_day_columns(tmp_path: Path) -> None:
    """月 | 日 columns under a title naming the term: no date column, so no session was read."""
    days = (date(2025, 9, 10), date(2025, 10, 15), date(2026, 3, 4))
    rows: list[list[object]] = [["2025-2026学年李小华送教上门记录"]]
    rows += [["月", "日", "送教时间", "课时", "送教教师", "送教内容"]]
    rows += [[d.month, d.day, "9:00-10:30", 3, "李春梅", "生活语文"] for d in days]
    facts = _read(tmp_path, {"四、送教上门/李小华/送教记录.xlsx": xlsx({"Sheet1": rows})})
    assert sorted((s.student, s.date) for s in facts.sessions) == [("李小华", d) for d in days]


def test_one_sheet_per_student_names_the_sessions(tmp_path: Path) -> None:
    """A workbook of one sheet per student (李小华 | 莫小芳) without a name column: the
    sessions had no student."""
    day = date(2025, 9, 10)
    head = ["日期", "时间", "课时", "教师"]
    sheets: dict[str, list[list[object]]] = {
        "李小华": [head, [day.isoformat(), "9:00-10:30", 3, "李春梅"]],
        "莫小芳": [head, [day.isoformat(), "14:00-15:30", 3, "王海"]],
        "九月份": [head, [day.isoformat(), "16:00-17:30", 3, "王海"]],
    }
    facts = _read(tmp_path, {"四、送教上门/送教上门记录汇总.xlsx": xlsx(sheets)})
    assert sorted(s.student for s in facts.sessions) == ["", "李小华", "莫小芳"]


def test_leaves_told_as_prose_a_paragraph_each(tmp_path: Path) -> None:
    """A 请假登记 written as sentences had no table and no form: no leave was read."""
    text = [
        "请假登记",
        "2025年10月9日，七(1)班张三因病请假2天（10月9日至10月10日），班主任王某批准。",
        "2025年12月1日，八(1)班王五因探亲请假10天（12月1日至12月12日），经班主任、德育处、"
        "校长韦某审批同意，12月5日班主任上门家访核实。",
    ]
    facts = _read(tmp_path, {"二、防辍学/请假审批/请假登记.docx": docx(text)})
    got = {(x.student, x.start, x.end, x.approver, x.home_visit) for x in facts.leaves}
    assert got == {
        ("张三", date(2025, 10, 9), date(2025, 10, 10), "班主任", None),
        ("王五", date(2025, 12, 1), date(2025, 12, 12), "校长", True),
    }


def test_leave_note_read_whole(tmp_path: Path) -> None:
    """A 请假条: the dates in its sentence, the approval on a line of its own."""
    text = [
        "请假条",
        "尊敬的王老师：",
        "我是七(1)班学生张三，因身体不适，需请假2天（2025年10月9日至10月10日），望批准。",
        "请假人：张三",
        "2025年10月8日",
        "班主任意见：同意 王某",
    ]
    facts = _read(tmp_path, {"二、防辍学/请假审批/张三请假条.docx": docx(text)})
    (leave,) = facts.leaves
    assert (leave.student, leave.start, leave.end, leave.days, leave.approver) == (
        "张三",
        date(2025, 10, 9),
        date(2025, 10, 10),
        2.0,
        "班主任",
    )


def test_leave_form_printed_approver_boxes_left_unsigned_are_no_approval(tmp_path: Path) -> None:
    """“审批意见 | 校长（审批）：签字：＿＿ ＿年＿月＿日”: the 审批意见 cell was taken as the
    approver as written, so an unsigned form passed as approved by 校长. A box names its tier;
    the approver is the highest box holding anything but its print."""
    from fixtures.packages.docs import PAGE_BREAK, Grid, docx

    def form(name: str, boxes: tuple[str, str, str]) -> list[object]:
        head, office, principal = boxes
        return [
            "学生请假审批单",
            Grid(
                [
                    ["学生姓名", name, "性别", "女"],
                    ["请假时间", "自2026年4月8日至2026年4月15日，共8天", "", ""],
                    ["审核意见", f"班主任：{head} 签字：＿＿＿ ＿＿年＿月＿日", "", ""],
                    ["审核意见", f"政教处（德育处）：{office} 签字：＿＿＿ ＿＿年＿月＿日", "", ""],
                    ["审批意见", f"校长（审批）：签字：{principal} 年_月_二日", "", ""],
                ]
            ),
            PAGE_BREAK,
        ]

    parts = [
        *form("黄秋菊", ("", "", "")),
        *form("韦小兰", ("同意", "同意 韦强", "")),
        *form("覃小燕", ("同意", "", "〔手写签名〕")),
    ]
    facts = _read(tmp_path, {"二、防辍学/请假审批单.docx": docx(parts)})
    got = {lv.student: lv.approver for lv in facts.leaves}
    assert got == {"黄秋菊": None, "韦小兰": "政教处", "覃小燕": "校长"}


def test_sign_in_sheet_counts_the_rows_signed_not_the_names_printed(tmp_path: Path) -> None:
    """A sign-in sheet printed with the invitees' names counted everyone invited as present: a
    sheet with a 签名 column counts the boxes signed (a name, ✓, a scan's 〔手写签名〕), not
    请假 or a blank; one without lists those present."""
    grid = [
        ["序号", "姓名", "单位及职务", "签名"],
        ["1", "黄志明", "校长", "黄志明"],
        ["2", "韦海燕", "副校长", "〔手写签名〕"],
        ["3", "莫丽", "九（1）班班主任", "请假"],
        ["4", "李强", "九（2）班班主任", ""],
        ["5", "", "", "✓"],
    ]
    present = [["序号", "姓名", "职务"], ["1", "黄志明", "校长"], ["2", "韦海燕", "副校长"]]
    facts = _read(
        tmp_path,
        {
            "一、部署/春季会议/春季学期控辍保学工作会议签到表.docx": docx(
                ["春季学期控辍保学工作会议签到表", grid]
            ),
            "一、部署/秋季会议/秋季学期控辍保学工作会议签到表.docx": docx(
                ["秋季学期控辍保学工作会议签到表", present]
            ),
        },
    )
    got = sorted((m.topic or "", m.attendees) for m in facts.meetings if m.part == "sign_in")
    assert got == [("春季学期控辍保学工作会议", 3), ("秋季学期控辍保学工作会议", 2)]


# ---------------------------------------------------------------- issue 20: who, what, how many


def test_attitude_column_headed_学生_is_not_the_student(tmp_path: Path) -> None:
    """家长及学生态度 (家长支持复学，学生犹豫) was the student column: the suspended student “had
    0 visits” and 3.4 failed an exemplary school. A column is the student's by its values."""
    rows = [
        ["序号", "劝访日期", "地点", "参加人员", "家长及学生态度"],
        [
            1,
            "2025-11-18",
            "学生家中",
            "本校班主任赵文斌、石岭村委会主任赵德明",
            "家长支持复学，学生犹豫",
        ],
        [
            2,
            "2026-01-09",
            "学生家中",
            "本校班主任赵文斌、镇政府干部张建军",
            "家长支持复学，学生犹豫",
        ],
    ]
    roster = [["姓名", "休学日期"], ["罗志豪", "2025-10-20"]]
    facts = _read(
        tmp_path,
        {
            # the visits are read before the roster that names the student (folder order)
            "三、政策性休学/1.罗志豪/休学后劝访记录.xlsx": xlsx({"Sheet1": rows}),
            "三、政策性休学/政策性休学学生名册.xlsx": xlsx({"Sheet1": roster}),
        },
    )
    assert [(v.student, v.date) for v in facts.visits] == [
        ("罗志豪", date(2025, 11, 18)),
        ("罗志豪", date(2026, 1, 9)),
    ]


def test_record_name_not_on_any_roster_is_resolved_by_the_rosters(tmp_path: Path) -> None:
    """A name cell holding words that only look like a name is put right by the package's own
    rosters: a rostered name in the record, else the per-student folder."""
    rows = [["日期", "学生", "课时", "每课时时长"], ["2025-10-09", "学生在家", 3, 40]]
    roster = [["姓名", "送教教师"], ["阿依古丽·买买提", "李春梅"]]
    facts = _read(
        tmp_path,
        {
            "四、送教上门/阿依古丽·买买提/送教记录.xlsx": xlsx({"Sheet1": rows}),
            "四、送教上门/送教上门学生花名册.xlsx": xlsx({"Sheet1": roster}),
        },
    )
    assert [s.student for s in facts.sessions] == ["阿依古丽·买买提"]


def test_periods_written_as_a_sum_are_added_up(tmp_path: Path) -> None:
    """“送教2课时+1课时” was read as 2 课时 (a false fail of 4.5)."""
    text = (
        "2025年11月6日 送教2课时+1课时（每课时45分钟）。上午2课时共90分钟，由李静老师指导数学；"
        "下午1课时由卢海燕老师进行康复训练。"
    )
    facts = _read(tmp_path, {"四、送教上门/覃思雨/覃思雨送教记录.docx": docx([text])})
    (session,) = facts.sessions
    assert (session.periods, session.minutes_per_period) == (3, 45)


def test_leave_system_named_请销假管理制度_is_not_a_leave_record(tmp_path: Path) -> None:
    """学生请销假管理制度.docx was a leave record by “销假” in its name (no system found, and a
    rule in it — “3.请假超过7天的，……填写家访记录。” — read as a title and a leave)."""
    system = docx(
        [
            "石门乡中学学生请销假管理制度",
            "一、请假",
            "3.请假超过7天的，班主任须在请假期间到学生家中家访核实，并填写家访记录。",
            "石门乡中学",
            "二〇二五年九月一日",
        ]
    )
    facts = _read(tmp_path, {"学生请销假管理制度.docx": system})
    assert [f.kind for f in facts.files] == ["leave_system"]
    assert facts.files[0].sections == []
    assert facts.leaves == []


def test_leave_prose_states_school_days_and_a_visit_told_later_in_the_sentence(
    tmp_path: Path,
) -> None:
    """“请假八天（2026年4月7日至4月16日）” was 10 days (calendar), and the home visit “2026年4月10日
    班主任……到学生家中家访核实” was not seen: a false fail of 2.4."""
    text = (
        "2026年4月7日，九年级1班学生周秋航因阑尾炎手术住院，由家长申请请假八天（2026年4月7日至4月16日），"
        "经班主任谢丽娜、政教处主任覃永红签署意见后，报校长邓建平批准。因请假超过7天，2026年4月10日"
        "班主任谢丽娜与政教处主任覃永红到学生家中家访核实，学生在家休养，情况属实。4月17日返校销假。"
    )
    other = "2025年9月24日，七年级1班学生梁语朗因发烧，由家长申请请假一天（2025年9月24日），经班主任黄美华批准。"
    facts = _read(tmp_path, {"学生请假情况记录（2025-2026学年）.docx": docx([text, other])})
    assert facts.files[0].kind == "leave_record"
    first = facts.leaves[0]
    assert (first.student, first.days, first.approver, first.home_visit) == (
        "周秋航",
        8.0,
        "校长",
        True,
    )


# ------------------------------------------ issue 20 §3: found by printing the variant suite


def _pdf_source(kind: str, items: list[Block | Table]) -> Source:
    return Source(
        path="打印件.pdf", sha256="", kind=kind, items=items, period=(PERIOD.start, PERIOD.end)
    )


def test_a_pdf_table_under_its_own_title_is_one_document_not_two() -> None:
    """A PDF gives a table twice — its lines as text, then the table with its title row — and
    the title row opened a second “document”, read as a 请假条 of its own (a false leave
    approved by 校长, since the header says 批准人)."""
    from audit.classify import split_sections
    from audit.readers.model import ReadResult

    title = "学生请假审批登记表"
    head = ["学生姓名", "班级", "请假开始", "请假结束", "天数", "批准人"]
    row = ["罗文博", "7年级1班", "2025-10-09", "2025-10-09", "1天", "班主任"]
    result = ReadResult()
    result.items = [
        Block(title, 1),
        Block(" ".join(head), 1),
        Block(" ".join(row), 1),
        Table(rows=[[title, "", "", "", "", ""], head, row], page=1),
    ]
    assert split_sections(result) == []
    facts = PackageFacts()
    leaves(_pdf_source("leave_record", result.items), facts)
    assert [(lv.student, lv.approver) for lv in facts.leaves] == [("罗文博", "班主任")]


def test_a_printed_sheet_of_leave_visits_is_no_leave_note() -> None:
    """The 超7天家访核实 sheet printed on its own page was read as a whole 请假条."""
    title = "连续请假超过7天学生家访核实记录"
    table = Table(
        rows=[[title, "", "", ""], ["姓名", "家访日期", "家访人员", "核实情况"],
              ["潘宇航", "2026-03-16", "黄丽、罗明", "在家养病，情况属实"]],
        page=2,
    )  # fmt: skip
    facts = PackageFacts()
    line = Block("潘宇航 2026-03-16 黄丽、罗明 在家养病，情况属实", 2)  # the row as text
    leaves(_pdf_source("leave_record", [Block(title, 2), line, table]), facts)
    assert facts.leaves == []
    assert [(v.student, v.date) for v in facts.visits] == [("潘宇航", date(2026, 3, 16))]


def test_a_class_of_one_pupil_and_its_run_on_page_are_read() -> None:
    """A class table cut by the page after its first pupil (header + 1 row), running on over the
    next page without its header: its one row could not say its column held names, so the
    table was no record table and the page after it lost its anchor (99 of 118 counted)."""
    head = ["序号", "姓名", "到校情况"]
    first = Table(rows=[head, ["1", "韦小兵", "到"]], page=2)
    rest = Table(rows=[[str(n), name, "到"] for n, name in enumerate(NAMES[:5], start=2)], page=3)
    facts = PackageFacts()
    headcount(_pdf_source("on_roll_list", [first, rest]), facts)
    (count,) = facts.headcounts
    assert count.count == 6 and count.names[0] == "韦小兵"


def test_an_approver_named_by_person_holds_the_post_the_package_gives_her(tmp_path: Path) -> None:
    """审批人 columns holding names only (韦春梅) failed every leave (“无法确认其为政教处”); the
    package says who she is elsewhere (a visit record's “政教处主任韦春梅”)."""
    head = ["姓名", "请假开始", "请假结束", "天数", "审批人"]
    rows = [
        ["王小明", "2025-10-09", "2025-10-09", 1, "王丽华"],
        ["李思远", "2025-11-03", "2025-11-04", 2, "韦春梅"],
    ]
    visit = "2025年10月20日，班主任王丽华、政教处主任韦春梅到学生家中家访。"
    base = {
        "二、防辍学/学生请假制度.docx": docx(["学生请假制度", "一、学生请假须由家长申请。"]),
        "二、防辍学/请假登记表.xlsx": xlsx({"Sheet1": [head, *rows]}),
    }
    from audit.run import run_audit

    def leave_status(files: dict[str, bytes], where: Path) -> str:
        for rel, data in files.items():
            (where / rel).parent.mkdir(parents=True, exist_ok=True)
            (where / rel).write_bytes(data)
        result = run_audit(where, "liupu-supervision-2024", period=PERIOD)
        return next(i.status for i in result.items if i.id == "2.4")

    # nobody says who 韦春梅 is: not a breach, left to a person
    assert leave_status(base, tmp_path / "a") == "not_reviewed"
    told = {**base, "二、防辍学/家访记录.docx": docx(["家访记录", visit])}
    assert leave_status(told, tmp_path / "b") == "pass"
    # told, and 王丽华 (班主任) approved a 2-day leave: a breach the package shows
    rows[1][4] = "王丽华"
    wrong = {**told, "二、防辍学/请假登记表.xlsx": xlsx({"Sheet1": [head, *rows]})}
    assert leave_status(wrong, tmp_path / "c") in ("partial", "fail")


def test_participants_in_a_column_per_body_are_all_read(tmp_path: Path) -> None:
    """学校参加人员 | 镇政府参加人员 | 村委参加人员: only the first column was read, so three joint
    visits were “school only” and 3.3 failed. Each column's heading names its body."""
    rows = [
        ["序号", "日期", "学校参加人员", "镇政府参加人员", "村委参加人员", "劝访情况"],
        [1, "2025-09-10", "班主任赵文斌", "干部张建军", "主任赵德明", "家长不同意返校"],
        [2, "2025-10-11", "政教处主任韦春梅", "司法所所长卢志刚", "", "家长不同意返校"],
    ]
    facts = _read(
        tmp_path,
        {
            "三、政策性休学/罗志豪/休学前联合劝访记录.xlsx": xlsx({"Sheet1": rows}),
            "三、政策性休学/政策性休学学生名册.xlsx": xlsx(
                {"S": [["姓名", "休学日期"], ["罗志豪", "2025-10-20"]]}
            ),
        },
    )
    assert [sorted(v.bodies) for v in facts.visits] == [
        ["school", "township", "village"],
        ["justice", "school"],
    ]


def test_the_first_row_of_a_class_list_running_on_over_a_page_is_read() -> None:
    """A printed roll call (班级 | 姓名 | 到校情况) running on over pages: each page's first row
    (9年级1班 | 梁宇航 | 到) was taken for a header — its class cell reads as 年级, its name
    column agrees — and the pupil was lost (117 of 120). A heading is never one of the names
    below it."""
    head = ["班级", "姓名", "到校情况"]
    page1 = Table(rows=[head, *[["8年级2班", n, "到"] for n in NAMES[:4]]], page=1)
    page2 = Table(rows=[["9年级1班", n, "到"] for n in NAMES[4:9]], page=2)
    facts = PackageFacts()
    headcount(_pdf_source("on_roll_list", [page1, page2]), facts)
    assert facts.headcounts[0].names == NAMES[:9]


def test_a_printed_meeting_topic_has_no_printers_gap() -> None:
    """“会议主题：2026 年春季学期…” (LibreOffice sets a gap between a digit and a Chinese
    character, the PDF gives it as a space): the topic reads as written, 2026年春季学期…"""
    from audit.extract.lists import meeting

    facts = PackageFacts()
    source = _pdf_source(
        "meeting_minutes",
        [
            Block("会议时间：2026年3月6日", 1),
            Block("会议主题：2026 年春季学期控辍保学工作推进会", 1),
        ],
    )
    meeting(source, facts)
    assert facts.meetings[0].topic == "2026年春季学期控辍保学工作推进会"


def _month_rows(periods: str, times: str) -> list[list[object]]:
    """李小华's 送教 summary, a row a month: 月份 | 送教日期 (days only) | 时间 | 课时 | 教师."""
    rows: list[list[object]] = [["月份", "送教日期", "送教时间", "送教课时", "送教教师"]]
    months = [(2025, m) for m in (9, 10, 11, 12)] + [(2026, m) for m in (1, 3, 4, 5, 6, 7)]
    for year, month in months:
        days = "3日、10日" if month == 7 else "8日、22日"  # the period ends on 15 July
        rows.append([f"{year}年{month}月", days, times, periods, "李春梅、王海"])
    return rows


def _home_taught(tmp_path: Path, rows: list[list[object]]) -> Path:
    from fixtures.packages import school

    files = school.disabled_roster([("李小华", "女", "肢体残疾")])
    files |= school.home_teaching_roster([("李小华", date(2025, 9, 1))])
    files["四、送教上门/李小华/送教上门记录汇总.docx"] = docx(["李小华送教上门记录汇总表", rows])
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    return tmp_path


def _home_verdicts(root: Path) -> dict[str, tuple[str, str]]:
    from audit.run import run_audit

    result = run_audit(root, "liupu-supervision-2024", period=PERIOD)
    return {
        item.id: (item.subjects[0].status, item.subjects[0].detail)
        for item in result.items
        if item.id in ("4.4", "4.5", "4.6", "4.7")
    }


def test_a_row_of_one_months_visits_is_a_visit_a_day(tmp_path: Path) -> None:
    """月份 2025年9月 | 送教日期 8日、22日 | 各3课时: the date box held days only, so no visit
    was read and every row was unread — 4.4–4.7 left to a person on a clear record."""
    root = _home_taught(tmp_path, _month_rows("各3课时", "每次9:00-11:00"))
    facts = read_facts(root, PERIOD)
    sessions = sorted((s.date, s.periods, s.start, s.end) for s in facts.sessions)
    assert len(sessions) == 20
    assert sessions[:2] == [
        (date(2025, 9, 8), 3, time(9), time(11)),
        (date(2025, 9, 22), 3, time(9), time(11)),
    ]
    assert not facts.unread
    assert {k: v[0] for k, v in _home_verdicts(root).items()} == dict.fromkeys(
        ("4.4", "4.5", "4.6", "4.7"), "pass"
    )


def test_a_months_periods_told_together_are_not_a_breach(tmp_path: Path) -> None:
    """“6课时” and “9:00-11:00” on a row of two visits say nothing sure of each visit: read as
    2 × 6 课时 they would pass what may be short, read as one visit's they would fail. Each
    visit's 课时 and length go to a person; the month's count of visits still stands."""
    verdicts = _home_verdicts(_home_taught(tmp_path, _month_rows("6课时", "9:00-11:00")))
    assert verdicts["4.4"][0] == "pass"
    for rid in ("4.5", "4.6", "4.7"):
        assert verdicts[rid][0] == "not_reviewed", (rid, verdicts[rid])
    assert "按月合写" in verdicts["4.5"][1]
